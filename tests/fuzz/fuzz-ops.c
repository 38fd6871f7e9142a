/* libFuzzer target: the public ops' argument validation and results. The
 * input picks an op and its parameters: mostly valid small shapes, with
 * invalid values mixed in (zero and negative sizes, strides, paddings too
 * large, groups that do not divide, heads that do not divide, lengths and
 * ids out of range, bad enums, non-finite scales and eps, NULL pointers,
 * workspaces too small). Every tensor is its own malloc of exactly the
 * documented size (ASan sees one float past it); sizes are bounded, so
 * allocations stay small.
 *
 * Each case runs twice from the same bytes: on the best ISA this machine
 * has and on the scalar kernels. The property: both return the same
 * status; on an error no output was written; on success the outputs agree
 * (exactly for GEMM, convolution and pooling, whose small-integer inputs
 * make every sum exact; within 1e-4 of the output's scale where exp, tanh
 * or erf enter). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnn/vnn.h"

#define SENTINEL 1234.5f
#define MAX_OUT 6

/* The fuzz input as a stream of small choices (zeros once it runs out). */
struct rd {
    const uint8_t *p;
    size_t n, at;
};

static unsigned take(struct rd *r)
{
    return r->at < r->n ? r->p[r->at++] : 0;
}

/* An integer in [lo, hi]. */
static int64_t range(struct rd *r, int64_t lo, int64_t hi)
{
    unsigned v = take(r) | take(r) << 8;
    return lo + (int64_t)(v % (unsigned)(hi - lo + 1));
}

/* Usually v; one time in `odds` an invalid neighbour (0, -1, or v + 1..3). */
static int64_t spoil(struct rd *r, int64_t v, unsigned odds)
{
    unsigned c = take(r);
    if (c % odds != 0)
        return v;
    switch ((c / odds) % 4) {
    case 0: return 0;
    case 1: return -1;
    case 2: return v + 1;
    default: return v + 3;
    }
}

static bool one_in(struct rd *r, unsigned odds) { return take(r) % odds == 0; }

/* Outputs of one run, kept to compare the two ISAs. */
struct result {
    vnn_status st;
    float *out[MAX_OUT];
    size_t n[MAX_OUT];
    int n_out;
    bool approx; /* compare within a tolerance, not exactly */
};

static uint64_t seed;
/* Every tensor and output of a case starts `shift` floats past its
 * allocation (0..3, from the input), so no buffer is SIMD-aligned unless
 * shift is 0; each still ends exactly at its allocation's end. */
static size_t shift;

static float *tensor(int64_t n, int lo, int hi)
{
    size_t count = n > 0 ? (size_t)n : 1;
    float *x = malloc((count + shift) * sizeof *x);
    if (!x)
        abort();
    x += shift;
    for (size_t i = 0; i < count; i++) {
        seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
        x[i] = (float)(lo + (int)(seed % (uint64_t)(hi - lo + 1)));
    }
    return x;
}

static float *output(struct result *res, int64_t n)
{
    size_t count = n > 0 ? (size_t)n : 1;
    float *y = malloc((count + shift) * sizeof *y);
    if (!y || res->n_out == MAX_OUT)
        abort();
    y += shift;
    for (size_t i = 0; i < count; i++)
        y[i] = SENTINEL;
    res->out[res->n_out] = y;
    res->n[res->n_out++] = count;
    return y;
}

/* Frees a tensor() or output(). */
static void release(float *p) { free(p - shift); }

/* A required pointer, replaced by NULL one time in 24. */
static const void *maybe_null(struct rd *r, const void *p) { return one_in(r, 24) ? NULL : p; }

static void op_gemm(struct rd *r, struct result *res)
{
    vnn_transpose ta = (vnn_transpose)range(r, 0, 1), tb = (vnn_transpose)range(r, 0, 1);
    if (one_in(r, 40))
        ta = (vnn_transpose)2;
    int64_t M = spoil(r, range(r, 1, 24), 16), N = spoil(r, range(r, 1, 40), 16),
            K = spoil(r, range(r, 0, 24), 16);
    int64_t ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
    int64_t lda = spoil(r, (ac > 0 ? ac : 1) + range(r, 0, 3), 16),
            ldb = spoil(r, (bc > 0 ? bc : 1) + range(r, 0, 3), 16),
            ldc = spoil(r, (N > 0 ? N : 1) + range(r, 0, 3), 16);
    int64_t an = (ar > 0 ? ar : 1) * (lda > ac ? lda : ac > 0 ? ac : 1),
            bn = (br > 0 ? br : 1) * (ldb > bc ? ldb : bc > 0 ? bc : 1),
            cn = (M > 0 ? M : 1) * (ldc > N ? ldc : N > 0 ? N : 1);
    float *A = tensor(an, -4, 4), *B = tensor(bn, -4, 4), *bias = tensor(N, -8, 8);
    static const float alphas[] = {1.0f, 2.0f, 0.0f, -0.5f}, betas[] = {0.0f, 1.0f, 0.5f, 2.0f};
    float alpha = alphas[take(r) % 4], beta = betas[take(r) % 4];
    float *C = output(res, cn);
    float *C0 = tensor(cn, -8, 8);
    memcpy(C, C0, (size_t)(cn > 0 ? cn : 1) * sizeof *C);
    vnn_gemm_epilogue ep = {.bias = one_in(r, 2) ? bias : NULL,
                            .act = (vnn_activation)range(r, 0, one_in(r, 30) ? 2 : 1)};
    const float *a = maybe_null(r, A), *b = maybe_null(r, B);
    float *c = (float *)maybe_null(r, C);
    switch (take(r) % 3) {
    case 0:
        res->st = vnn_sgemm(ta, tb, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
        break;
    case 1:
        res->st = vnn_sgemm_ex(ta, tb, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc,
                               one_in(r, 4) ? NULL : &ep);
        break;
    default: {
        vnn_packed_b *packed = NULL;
        res->st = vnn_sgemm_pack_b(tb, K, N, b, ldb, &packed);
        if (res->st == VNN_OK) {
            res->st = vnn_sgemm_packed(ta, M, alpha, a, lda, packed, beta, c, ldc, &ep);
            vnn_packed_b_destroy(packed);
        }
    }
    }
    /* On error C must still hold its old values: compare against them. */
    if (res->st != VNN_OK && memcmp(C, C0, (size_t)(cn > 0 ? cn : 1) * sizeof *C) != 0)
        abort();
    if (res->st != VNN_OK)
        for (int64_t i = 0; i < (cn > 0 ? cn : 1); i++)
            C[i] = SENTINEL; /* as the other ops' outputs */
    release(A), release(B), release(bias), release(C0);
}

static void op_conv(struct rd *r, struct result *res)
{
    vnn_conv2d_desc d;
    int64_t g = range(r, 1, 3);
    bool depthwise = one_in(r, 3);
    d.groups = depthwise ? range(r, 1, 20) : g;
    d.C_in = depthwise ? d.groups : g * range(r, 1, 5);
    d.C_out = depthwise ? d.groups * range(r, 1, 2) : g * range(r, 1, 9);
    d.N = range(r, 1, 2);
    d.H = range(r, 1, 10);
    d.W = range(r, 1, 10);
    d.kernel_h = range(r, 1, 4);
    d.kernel_w = range(r, 1, 4);
    d.stride_h = range(r, 1, 3);
    d.stride_w = range(r, 1, 3);
    d.dilation_h = range(r, 1, 2);
    d.dilation_w = range(r, 1, 2);
    int64_t eh = (d.kernel_h - 1) * d.dilation_h + 1, ew = (d.kernel_w - 1) * d.dilation_w + 1;
    d.pad_top = range(r, 0, eh);
    d.pad_bottom = range(r, 0, eh);
    d.pad_left = range(r, 0, ew);
    d.pad_right = range(r, 0, ew);
    d.act = (vnn_activation)range(r, 0, one_in(r, 30) ? 2 : 1);
    if (one_in(r, 4)) /* spoil one field */
        switch (take(r) % 10) {
        case 0: d.N = spoil(r, d.N, 1); break;
        case 1: d.H = spoil(r, d.H, 1); break;
        case 2: d.C_in = spoil(r, d.C_in, 1); break;
        case 3: d.C_out = spoil(r, d.C_out, 1); break;
        case 4: d.kernel_w = spoil(r, d.kernel_w, 1); break;
        case 5: d.stride_h = spoil(r, d.stride_h, 1); break;
        case 6: d.dilation_w = spoil(r, d.dilation_w, 1); break;
        case 7: d.pad_left = spoil(r, d.pad_left, 1); break;
        case 8: d.groups = spoil(r, d.groups, 1); break;
        default: d.pad_bottom = -range(r, 1, 3); break;
        }
    if (one_in(r, 5))
        vnn_conv2d_set_padding(&d, (vnn_padding)range(r, 0, 1));
    int64_t OH = 0, OW = 0;
    bool valid = vnn_conv2d_output_size(&d, &OH, &OW) == VNN_OK;
    /* Buffers from the parameters clamped to >= 1: what a caller would pass. */
    int64_t n1 = d.N > 0 ? d.N : 1, h1 = d.H > 0 ? d.H : 1, w1 = d.W > 0 ? d.W : 1,
            ci = d.C_in > 0 ? d.C_in : 1, co = d.C_out > 0 ? d.C_out : 1,
            gr = d.groups > 0 ? d.groups : 1, kh = d.kernel_h > 0 ? d.kernel_h : 1,
            kw = d.kernel_w > 0 ? d.kernel_w : 1;
    int64_t cig = ci / gr > 0 ? ci / gr : 1;
    float *x = tensor(n1 * h1 * w1 * ci, -4, 4), *w = tensor(kh * kw * cig * co, -4, 4),
          *bias = tensor(co, -8, 8);
    float *y = output(res, valid ? n1 * OH * OW * co : 16);
    const float *xp = maybe_null(r, x), *wp = maybe_null(r, w);
    float *yp = (float *)maybe_null(r, y);
    const float *bp = one_in(r, 2) ? bias : NULL;
    if (one_in(r, 2)) {
        res->st = vnn_conv2d(&d, xp, wp, bp, yp);
    } else {
        vnn_conv2d_plan *plan = NULL;
        res->st = vnn_conv2d_plan_create(&d, wp, bp, &plan);
        if (res->st == VNN_OK) {
            size_t ws = 0;
            vnn_conv2d_plan_workspace_size(plan, &ws);
            size_t give = one_in(r, 2) ? 0 : (size_t)range(r, 0, 2) * ws / 2;
            void *work = give ? malloc(give) : NULL;
            res->st = vnn_conv2d_plan_run(plan, xp, yp, work, give);
            free(work);
        } else if (plan) {
            abort(); /* *out must be NULL on failure */
        }
        vnn_conv2d_plan_destroy(plan);
    }
    release(x), release(w), release(bias);
}

static void op_pool(struct rd *r, struct result *res)
{
    vnn_pool2d_params p;
    p.kernel_h = range(r, 1, 5);
    p.kernel_w = range(r, 1, 5);
    p.stride_h = spoil(r, range(r, 1, 3), 20);
    p.stride_w = spoil(r, range(r, 1, 3), 20);
    p.pad_top = spoil(r, range(r, 0, p.kernel_h / 2), 12);
    p.pad_bottom = spoil(r, range(r, 0, p.kernel_h / 2), 12);
    p.pad_left = spoil(r, range(r, 0, p.kernel_w / 2), 12);
    p.pad_right = spoil(r, range(r, 0, p.kernel_w / 2), 12);
    p.ceil_mode = one_in(r, 2);
    p.count_include_pad = one_in(r, 2);
    int64_t N = spoil(r, range(r, 1, 2), 20), H = spoil(r, range(r, 1, 12), 20),
            W = spoil(r, range(r, 1, 12), 20), C = spoil(r, range(r, 1, 40), 20);
    int64_t OH = 0, OW = 0;
    bool valid = vnn_pool2d_output_size(&p, H > 0 ? H : 1, W > 0 ? W : 1, &OH, &OW) == VNN_OK;
    if (one_in(r, 16))
        OH++;
    int64_t n1 = N > 0 ? N : 1, h1 = H > 0 ? H : 1, w1 = W > 0 ? W : 1, c1 = C > 0 ? C : 1;
    float *x = tensor(n1 * h1 * w1 * c1, -8, 8);
    const float *xp = maybe_null(r, x);
    unsigned kind = take(r) % 3;
    if (kind == 2) {
        float *y = (float *)maybe_null(r, output(res, n1 * c1));
        res->st = vnn_global_avgpool2d(N, H, W, C, xp, y);
    } else {
        float *y = (float *)maybe_null(r, output(res, valid && OH > 0 ? n1 * OH * OW * c1 : 16));
        res->st = kind ? vnn_avgpool2d(&p, N, H, W, C, xp, OH, OW, y)
                       : vnn_maxpool2d(&p, N, H, W, C, xp, OH, OW, y);
    }
    release(x);
}

static void op_lstm(struct rd *r, struct result *res)
{
    res->approx = true;
    vnn_lstm_desc d = {.input_size = spoil(r, range(r, 1, 9), 24),
                       .hidden_size = spoil(r, range(r, 1, 9), 24),
                       .bidirectional = one_in(r, 2)};
    int64_t I = d.input_size > 0 ? d.input_size : 1, H = d.hidden_size > 0 ? d.hidden_size : 1,
            D = d.bidirectional ? 2 : 1;
    int64_t T = spoil(r, range(r, 1, 6), 24), N = spoil(r, range(r, 1, 4), 24);
    int64_t t1 = T > 0 ? T : 1, n1 = N > 0 ? N : 1;
    bool batch_first = one_in(r, 2);
    vnn_lstm_weights w[2];
    float *buf[2][4];
    for (int k = 0; k < 2; k++) {
        buf[k][0] = tensor(4 * H * I, -2, 2);
        buf[k][1] = tensor(4 * H * H, -2, 2);
        buf[k][2] = tensor(4 * H, -2, 2);
        buf[k][3] = tensor(4 * H, -2, 2);
        for (int j = 0; j < 4; j++) /* weights in [-0.5, 0.5] */
            for (int64_t i = 0; i < (j == 0 ? 4 * H * I : j == 1 ? 4 * H * H : 4 * H); i++)
                buf[k][j][i] *= 0.25f;
        w[k] = (vnn_lstm_weights){maybe_null(r, buf[k][0]), maybe_null(r, buf[k][1]),
                                  one_in(r, 3) ? NULL : buf[k][2],
                                  one_in(r, 3) ? NULL : buf[k][3]};
    }
    int64_t *lengths = NULL;
    if (one_in(r, 2)) {
        lengths = malloc((size_t)n1 * sizeof *lengths);
        for (int64_t n = 0; n < n1; n++)
            lengths[n] = one_in(r, 20) ? range(r, -1, t1 + 1) : range(r, 1, t1);
    }
    float *x = tensor(t1 * n1 * I, -2, 2), *h0 = one_in(r, 2) ? tensor(D * n1 * H, -1, 1) : NULL,
          *c0 = one_in(r, 2) ? tensor(D * n1 * H, -1, 1) : NULL;
    float *y = output(res, t1 * n1 * D * H);
    float *hn = one_in(r, 2) ? output(res, D * n1 * H) : NULL;
    float *cn = one_in(r, 2) ? output(res, D * n1 * H) : NULL;
    if (one_in(r, 2)) {
        res->st = vnn_lstm(&d, w, T, N, batch_first, maybe_null(r, x), lengths, h0, c0,
                           (float *)maybe_null(r, y), hn, cn);
    } else {
        /* One cell step of one direction, in place or not. */
        vnn_lstm_plan *plan = NULL;
        res->st = vnn_lstm_plan_create(&d, w, &plan);
        if (res->st == VNN_OK) {
            int dir = (int)range(r, 0, d.bidirectional ? 1 : 2);
            float *h = tensor(n1 * H, -1, 1), *c = tensor(n1 * H, -1, 1);
            float *ho = output(res, n1 * H), *co = output(res, n1 * H);
            bool inplace = one_in(r, 2);
            if (inplace) {
                memcpy(ho, h, (size_t)(n1 * H) * sizeof *h);
                memcpy(co, c, (size_t)(n1 * H) * sizeof *c);
            }
            res->st = vnn_lstm_cell(plan, dir, N, maybe_null(r, x), inplace ? ho : h,
                                    inplace ? co : c, ho, co);
            if (inplace && res->st != VNN_OK) /* untouched means: still the input */
                for (int64_t i = 0; i < n1 * H; i++)
                    ho[i] = co[i] = SENTINEL;
            release(h), release(c);
        } else if (plan) {
            abort();
        }
        vnn_lstm_plan_destroy(plan);
    }
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < 4; j++)
            release(buf[k][j]);
    free(lengths);
    release(x);
    if (h0)
        release(h0);
    if (c0)
        release(c0);
}

static void op_attention(struct rd *r, struct result *res)
{
    res->approx = true;
    vnn_attention_params p = {0};
    p.N = spoil(r, range(r, 1, 2), 24);
    p.Sq = spoil(r, range(r, 1, 7), 24);
    p.Sk = spoil(r, range(r, 1, 20), 24);
    p.Hkv = spoil(r, range(r, 1, 3), 24);
    p.Hq = spoil(r, p.Hkv * range(r, 1, 3), 24);
    p.D = spoil(r, one_in(r, 2) ? 32 * range(r, 1, 2) : range(r, 1, 20), 24);
    static const float scales[] = {0.0f, 0.25f, 1.0f, NAN, INFINITY};
    p.scale = scales[take(r) % (one_in(r, 10) ? 5 : 3)];
    p.causal = one_in(r, 2);
    int64_t n1 = p.N > 0 ? p.N : 1, sq = p.Sq > 0 ? p.Sq : 1, sk = p.Sk > 0 ? p.Sk : 1,
            hq = p.Hq > 0 ? p.Hq : 1, hkv = p.Hkv > 0 ? p.Hkv : 1, D = p.D > 0 ? p.D : 1;
    int64_t *lens = NULL;
    float *mask = NULL;
    if (one_in(r, 2)) {
        lens = malloc((size_t)n1 * sizeof *lens);
        for (int64_t n = 0; n < n1; n++)
            lens[n] = one_in(r, 20) ? range(r, -1, sk + 1) : range(r, 0, sk);
        p.key_lengths = lens;
    }
    if (one_in(r, 3)) {
        p.mask_stride_n = one_in(r, 2) ? hq * sq * sk : 0;
        p.mask_stride_h = one_in(r, 2) ? sq * sk : 0;
        p.mask_stride_q = one_in(r, 2) ? sk : 0;
        if (one_in(r, 20))
            p.mask_stride_q = -1;
        mask = tensor(n1 * hq * sq * sk, -2, 1);
        for (int64_t i = 0; i < n1 * hq * sq * sk; i++)
            if (mask[i] < -1.5f)
                mask[i] = -INFINITY;
        p.mask = mask;
    }
    float *q = tensor(n1 * sq * hq * D, -2, 2), *k = tensor(n1 * sk * hkv * D, -2, 2),
          *v = tensor(n1 * sk * hkv * D, -4, 4);
    float *out = output(res, n1 * sq * hq * D);
    size_t ws = 0;
    void *work = NULL;
    if (one_in(r, 3) && vnn_attention_workspace_size(&p, &ws) == VNN_OK) {
        ws = one_in(r, 4) ? ws / 2 : ws;
        work = malloc(ws ? ws : 1);
    }
    res->st = vnn_attention(one_in(r, 40) ? NULL : &p, maybe_null(r, q), maybe_null(r, k),
                            maybe_null(r, v), (float *)maybe_null(r, out), work, work ? ws : 0);
    free(work), free(lens);
    release(q), release(k), release(v);
    if (mask)
        release(mask);
}

static void op_rows(struct rd *r, struct result *res)
{
    int64_t rows = spoil(r, range(r, 1, 5), 24), cols = spoil(r, range(r, 1, 70), 24);
    int64_t n = rows * cols > 0 ? rows * cols : 1;
    unsigned kind = take(r) % 6;
    res->approx = kind <= 2;
    float *x = tensor(n, -6, 6), *b = tensor(n, -6, 6);
    for (int64_t i = 0; i < n; i++)
        x[i] *= 0.375f;
    bool inplace = one_in(r, 3);
    float *y = output(res, kind == 5 ? rows * cols + 1 : n);
    if (inplace && kind != 5)
        memcpy(y, x, (size_t)n * sizeof *x);
    const float *in = inplace && kind != 5 ? y : x;
    const float *xp = maybe_null(r, in);
    float *yp = (float *)maybe_null(r, y);
    switch (kind) {
    case 0: {
        static const float eps[] = {1e-5f, 0.0f, 0.5f, -1.0f, NAN};
        float *g = tensor(cols, 1, 3), *beta = tensor(cols, -1, 1);
        res->st = vnn_layernorm(rows, cols, xp, maybe_null(r, g), maybe_null(r, beta),
                                eps[take(r) % (one_in(r, 8) ? 5 : 3)], yp);
        release(g), release(beta);
        break;
    }
    case 1: res->st = vnn_softmax(rows, cols, xp, yp); break;
    case 2: res->st = vnn_gelu((vnn_gelu_approx)range(r, 0, one_in(r, 20) ? 2 : 1), n, xp, yp); break;
    case 3: res->st = vnn_relu(rows * cols, xp, yp); break;
    case 4: res->st = vnn_add(rows * cols, xp, maybe_null(r, b), yp); break;
    default: {
        /* embedding: rows tokens of a [cols][dim] table, dim in 1..9 */
        int64_t vocab = cols, dim = range(r, 1, 9);
        int64_t *ids = malloc((size_t)(rows > 0 ? rows : 1) * sizeof *ids);
        for (int64_t t = 0; t < (rows > 0 ? rows : 1); t++)
            ids[t] = one_in(r, 16) ? range(r, -1, vocab + 1) : range(r, 0, vocab > 0 ? vocab - 1 : 0);
        float *table = tensor((vocab > 0 ? vocab : 1) * dim, -4, 4);
        /* y holds rows * cols + 1 >= rows * dim floats only if dim <= cols. */
        release(res->out[0]);
        res->n_out = 0;
        yp = (float *)maybe_null(r, output(res, (rows > 0 ? rows : 1) * dim));
        res->st = vnn_embedding(rows, maybe_null(r, ids), vocab, dim, maybe_null(r, table), yp);
        free(ids);
        release(table);
        break;
    }
    }
    if (inplace && kind != 5 && res->st != VNN_OK) {
        if (memcmp(y, x, (size_t)n * sizeof *x) != 0)
            abort(); /* an in-place op that failed changed its input */
        for (int64_t i = 0; i < n; i++)
            y[i] = SENTINEL;
    }
    release(x), release(b);
}

static void (*const ops[])(struct rd *, struct result *) = {
    op_gemm, op_conv, op_pool, op_lstm, op_attention, op_rows,
};

static void run(const uint8_t *data, size_t size, vnn_isa isa, struct result *res)
{
    if (vnn_set_isa(isa) != VNN_OK)
        abort();
    struct rd r = {data, size, 0};
    unsigned op = take(&r) % (sizeof ops / sizeof *ops);
    seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)take(&r) << 8 ^ take(&r);
    shift = take(&r) % 4;
    vnn_set_num_threads((int)range(&r, 1, 3));
    *res = (struct result){0};
    ops[op](&r, res);
}

static bool close_enough(const float *a, const float *b, size_t n, bool approx)
{
    float scale = 1.0f;
    for (size_t i = 0; i < n; i++)
        if (isfinite(a[i]) && fabsf(a[i]) > scale)
            scale = fabsf(a[i]);
    for (size_t i = 0; i < n; i++) {
        if (isnan(a[i]) || isnan(b[i])) {
            if (isnan(a[i]) != isnan(b[i]))
                return false;
        } else if (approx ? !(fabsf(a[i] - b[i]) <= 1e-4f * scale) : a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vnn_isa best = VNN_ISA_COUNT;
    if (best == VNN_ISA_COUNT)
        best = vnn_get_isa();
    struct result fast, ref;
    run(data, size, best, &fast);
    run(data, size, VNN_ISA_SCALAR, &ref);
    if (fast.st != ref.st || fast.n_out != ref.n_out)
        abort(); /* the ISAs disagree on validity */
    for (int i = 0; i < fast.n_out; i++) {
        if (fast.st != VNN_OK) {
            for (size_t j = 0; j < fast.n[i]; j++)
                if (fast.out[i][j] != SENTINEL || ref.out[i][j] != SENTINEL)
                    abort(); /* an op that failed wrote to an output */
        } else if (!close_enough(ref.out[i], fast.out[i], fast.n[i], fast.approx)) {
            abort(); /* the best ISA and the scalar kernels disagree */
        }
        release(fast.out[i]);
        release(ref.out[i]);
    }
    return 0;
}
