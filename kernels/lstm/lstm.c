/* Public LSTM entry points: validate everything, then build or run a plan
 * (lstm-plan.c, lstm-driver.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/common/args.h"
#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "kernels/lstm/lstm-driver.h"
#include "vnn/lstm.h"

/* a * b * c floats as bytes, at most PTRDIFF_MAX. */
static int float_bytes(int64_t a, int64_t b, int64_t c, size_t *bytes)
{
    return a >= 1 && b >= 1 && c >= 1 && vnn_float_bytes4(a, b, c, 1, bytes);
}

static int overlap(const void *a, size_t a_bytes, const void *b, size_t b_bytes)
{
    return a && b && vnn_overlaps(a, a_bytes, b, b_bytes);
}

#define BAD(...) vnn_error(VNN_ERR_INVALID_ARG, __VA_ARGS__)

static int desc_ok(const vnn_lstm_desc *d)
{
    size_t bytes;
    /* The largest tensors of the plan: W_hh [4H][H] and W_ih [4H][I]. */
    return d && float_bytes(4, d->hidden_size, d->hidden_size, &bytes) &&
           float_bytes(4, d->hidden_size, d->input_size, &bytes);
}

vnn_status vnn_lstm_plan_create(const vnn_lstm_desc *desc, const vnn_lstm_weights *weights,
                                vnn_lstm_plan **out)
{
    static const char fn[] = "vnn_lstm_plan_create";
    if (!out)
        return BAD("%s: out is NULL", fn);
    *out = NULL;
    if (!desc || !weights)
        return BAD("%s: %s is NULL", fn, desc ? "weights" : "desc");
    if (!desc_ok(desc))
        return BAD("%s: input_size = %lld, hidden_size = %lld: each must be >= 1 and the "
                   "weights at most PTRDIFF_MAX bytes",
                   fn, (long long)desc->input_size, (long long)desc->hidden_size);
    size_t D = desc->bidirectional ? 2 : 1;
    for (size_t d = 0; d < D; d++)
        if (!weights[d].w_ih || !weights[d].w_hh)
            return BAD("%s: weights[%zu].%s is NULL", fn, d,
                       weights[d].w_ih ? "w_hh" : "w_ih");
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    struct vnn_lstm_plan *p = calloc(1, sizeof *p);
    if (!p)
        return VNN_ERR_OUT_OF_MEMORY;
    p->I = (size_t)desc->input_size;
    p->H = (size_t)desc->hidden_size;
    p->D = D;
    p->gemm = t->gemm;
    p->lstm = t->lstm;
    vnn_status s = vnn_lstm_plan_build(p, weights);
    if (s != VNN_OK) {
        vnn_lstm_plan_free(p);
        free(p);
        return s;
    }
    *out = p;
    return VNN_OK;
}

vnn_status vnn_lstm_plan_destroy(vnn_lstm_plan *plan)
{
    if (plan) {
        vnn_lstm_plan_free(plan);
        free(plan);
    }
    return VNN_OK;
}

/* Sizes, lengths and overlaps of one run over D directions. */
/* names: the six tensors' names for messages (x, h0, c0, y, hn, cn). */
static vnn_status run_check(const char *fn, const char *const names[6],
                            const struct vnn_lstm_plan *p, int64_t T, int64_t N, size_t D,
                            const float *x, const int64_t *lengths, const float *h0,
                            const float *c0, const float *y, const float *hn,
                            const float *cn)
{
    size_t x_bytes, y_bytes, s_bytes, rows_bytes;
    if (!x)
        return BAD("%s: x is NULL", fn);
    if (T < 1 || N < 1)
        return BAD("%s: %s = %lld < 1", fn, T < 1 ? "T" : "N", (long long)(T < 1 ? T : N));
    if (!float_bytes(T, N, (int64_t)p->I, &x_bytes) ||
        !float_bytes(T, N, (int64_t)(D * p->H), &y_bytes) ||
        !float_bytes((int64_t)D, N, (int64_t)p->H, &s_bytes) ||
        !float_bytes(T, N, (int64_t)(D * 4 * p->H), &rows_bytes))
        return BAD("%s: T = %lld, N = %lld: the tensors of the run are larger than "
                   "PTRDIFF_MAX bytes", fn, (long long)T, (long long)N);
    if (lengths) {
        if (overlap(lengths, (size_t)N * sizeof *lengths, y, y_bytes) ||
            overlap(lengths, (size_t)N * sizeof *lengths, hn, s_bytes) ||
            overlap(lengths, (size_t)N * sizeof *lengths, cn, s_bytes))
            return BAD("%s: lengths overlaps an output", fn);
        for (int64_t n = 0; n < N; n++)
            if (lengths[n] < 1 || lengths[n] > T)
                return BAD("%s: lengths[%lld] = %lld outside [1, T = %lld]", fn, (long long)n,
                           (long long)lengths[n], (long long)T);
    }
    const void *in[] = {x, h0, c0};
    size_t in_bytes[] = {x_bytes, s_bytes, s_bytes};
    const void *outs[] = {y, hn, cn};
    size_t out_bytes[] = {y_bytes, s_bytes, s_bytes};
    for (int i = 0; i < 3; i++) {
        for (int o = 0; o < 3; o++)
            if (overlap(in[i], in_bytes[i], outs[o], out_bytes[o]))
                return BAD("%s: %s overlaps %s", fn, names[i], names[3 + o]);
        for (int o = i + 1; o < 3; o++)
            if (overlap(outs[i], out_bytes[i], outs[o], out_bytes[o]))
                return BAD("%s: %s overlaps %s", fn, names[3 + i], names[3 + o]);
    }
    return vnn_kernels() ? VNN_OK : VNN_ERR_UNSUPPORTED_ISA;
}

vnn_status vnn_lstm_plan_run(const vnn_lstm_plan *plan, int64_t T, int64_t N,
                             bool batch_first, const float *x, const int64_t *lengths,
                             const float *h0, const float *c0, float *y, float *hn, float *cn)
{
    static const char fn[] = "vnn_lstm_plan_run";
    static const char *const names[6] = {"x", "h0", "c0", "y", "hn", "cn"};
    if (!plan || !y)
        return BAD("%s: %s is NULL", fn, plan ? "y" : "plan");
    vnn_status s = run_check(fn, names, plan, T, N, plan->D, x, lengths, h0, c0, y, hn, cn);
    if (s != VNN_OK)
        return s;
    struct vnn_lstm_run r = {
        .T = (size_t)T, .N = (size_t)N, .batch_first = batch_first, .d0 = 0, .d1 = plan->D,
        .x = x, .lengths = lengths, .h0 = h0, .c0 = c0, .y = y, .hn = hn, .cn = cn,
    };
    return vnn_lstm_execute(plan, &r);
}

vnn_status vnn_lstm(const vnn_lstm_desc *desc, const vnn_lstm_weights *weights, int64_t T,
                    int64_t N, bool batch_first, const float *x, const int64_t *lengths,
                    const float *h0, const float *c0, float *y, float *hn, float *cn)
{
    vnn_lstm_plan *plan;
    vnn_status s = vnn_lstm_plan_create(desc, weights, &plan);
    if (s != VNN_OK)
        return s;
    s = vnn_lstm_plan_run(plan, T, N, batch_first, x, lengths, h0, c0, y, hn, cn);
    vnn_lstm_plan_destroy(plan);
    return s;
}

vnn_status vnn_lstm_cell(const vnn_lstm_plan *plan, int direction, int64_t N, const float *x,
                         const float *h, const float *c, float *h_out, float *c_out)
{
    static const char fn[] = "vnn_lstm_cell";
    static const char *const names[6] = {"x", "h", "c", "y", "h_out", "c_out"};
    if (!plan || !h_out || !c_out)
        return BAD("%s: %s is NULL", fn, !plan ? "plan" : !h_out ? "h_out" : "c_out");
    if (direction < 0 || (size_t)direction >= plan->D)
        return BAD("%s: direction = %d outside [0, %zu)", fn, direction, plan->D);
    /* In place is allowed: the states are copied in before anything is
     * written, so check overlaps as if h and c were separate. */
    const float *hh = h == h_out ? NULL : h, *cc = c == c_out ? NULL : c;
    vnn_status s = run_check(fn, names, plan, 1, N, 1, x, NULL, hh, cc, NULL, h_out, c_out);
    if (s != VNN_OK)
        return s;
    size_t s_bytes = (size_t)N * plan->H * sizeof(float);
    if ((h == h_out && overlap(h, s_bytes, c_out, s_bytes)) ||
        (c == c_out && overlap(c, s_bytes, h_out, s_bytes)) ||
        (h == h_out && overlap(h, s_bytes, x, (size_t)N * plan->I * sizeof(float))) ||
        (c == c_out && overlap(c, s_bytes, x, (size_t)N * plan->I * sizeof(float))))
        return BAD("%s: an in-place state (h == h_out or c == c_out) overlaps x or the other "
                   "state", fn);
    struct vnn_lstm_run r = {
        .T = 1, .N = (size_t)N, .d0 = (size_t)direction, .d1 = (size_t)direction + 1,
        .x = x, .h0 = h, .c0 = c, .hn = h_out, .cn = c_out,
    };
    return vnn_lstm_execute(plan, &r);
}

/* ------------------------------------------------------------------ import */

/* PyTorch gate block g (i, f, g, o) comes from this block of the format. */
static const int onnx_block[4] = {0, 2, 3, 1}; /* ONNX i, o, f, c */

vnn_status vnn_lstm_import_weights(vnn_lstm_format format, int64_t I, int64_t H,
                                   const float *w_in, const float *w_rec, const float *bias,
                                   float *w_ih, float *w_hh, float *b_ih, float *b_hh)
{
    static const char fn[] = "vnn_lstm_import_weights";
    size_t ih_bytes, hh_bytes, b_bytes;
    if (!w_in || !w_rec || !w_ih || !w_hh || !b_ih || !b_hh)
        return BAD("%s: %s is NULL", fn,
                   !w_in ? "w_in" : !w_rec ? "w_rec" : !w_ih ? "w_ih" : !w_hh ? "w_hh"
                                                                : !b_ih ? "b_ih" : "b_hh");
    if (!float_bytes(4, H, I, &ih_bytes) || !float_bytes(4, H, H, &hh_bytes) ||
        !float_bytes(8, H, 1, &b_bytes))
        return BAD("%s: input_size = %lld, hidden_size = %lld: each must be >= 1 and the "
                   "weights at most PTRDIFF_MAX bytes", fn, (long long)I, (long long)H);
    if (format != VNN_LSTM_FORMAT_PYTORCH && format != VNN_LSTM_FORMAT_ONNX &&
        format != VNN_LSTM_FORMAT_KERAS && format != VNN_LSTM_FORMAT_ONEDNN)
        return BAD("%s: format = %d is not a vnn_lstm_format", fn, (int)format);
    bool two_biases = format == VNN_LSTM_FORMAT_PYTORCH || format == VNN_LSTM_FORMAT_ONNX;
    size_t in_b_bytes = two_biases ? b_bytes : b_bytes / 2;
    const void *ins[] = {w_in, w_rec, bias};
    size_t ins_bytes[] = {ih_bytes, hh_bytes, in_b_bytes};
    void *outs[] = {w_ih, w_hh, b_ih, b_hh};
    static const char *const in_names[] = {"w_in", "w_rec", "bias"};
    static const char *const out_names[] = {"w_ih", "w_hh", "b_ih", "b_hh"};
    size_t outs_bytes[] = {ih_bytes, hh_bytes, b_bytes / 2, b_bytes / 2};
    for (int o = 0; o < 4; o++) {
        for (int i = 0; i < 3; i++)
            if (overlap(outs[o], outs_bytes[o], ins[i], ins_bytes[i]))
                return BAD("%s: %s overlaps %s", fn, out_names[o], in_names[i]);
        for (int o2 = o + 1; o2 < 4; o2++)
            if (overlap(outs[o], outs_bytes[o], outs[o2], outs_bytes[o2]))
                return BAD("%s: %s overlaps %s", fn, out_names[o], out_names[o2]);
    }
    const size_t Hs = (size_t)H, Is = (size_t)I, G = 4 * Hs;
    for (size_t g = 0; g < 4; g++) {
        size_t src = format == VNN_LSTM_FORMAT_ONNX ? (size_t)onnx_block[g] : g;
        for (size_t j = 0; j < Hs; j++) {
            size_t to = g * Hs + j, from = src * Hs + j;
            if (format == VNN_LSTM_FORMAT_PYTORCH || format == VNN_LSTM_FORMAT_ONNX) {
                memcpy(w_ih + to * Is, w_in + from * Is, Is * sizeof(float));
                memcpy(w_hh + to * Hs, w_rec + from * Hs, Hs * sizeof(float));
                b_ih[to] = bias ? bias[from] : 0.0f;
                b_hh[to] = bias ? bias[G + from] : 0.0f;
            } else { /* [K][4H] (Keras, oneDNN ldigo): transpose */
                for (size_t k = 0; k < Is; k++)
                    w_ih[to * Is + k] = w_in[k * G + from];
                for (size_t k = 0; k < Hs; k++)
                    w_hh[to * Hs + k] = w_rec[k * G + from];
                b_ih[to] = bias ? bias[from] : 0.0f;
                b_hh[to] = 0.0f;
            }
        }
    }
    return VNN_OK;
}
