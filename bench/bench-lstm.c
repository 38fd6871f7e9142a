/* lstm/<label>/<impl>: one LSTM layer over a time-major batch of full-length
 * sequences, zero initial states, final states returned, for each line of
 * the shapes file:
 *   vnn     vnn_lstm_plan_run (plan, i.e. packed weights, made once before
 *           timing; label: ISA and kernels)
 *   onednn  oneDNN's lstm_forward (inference; primitive created once before
 *           timing, bidirectional_concat for D = 2)
 * Counters: GFLOPS = 2*T*N*4H*(I+H)*D per call / seconds, and ms per call.
 * Both run once before timing and vnn's output is compared with oneDNN's,
 * so a broken kernel fails instead of reporting a number. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <oneapi/dnnl/dnnl.h>

#include "bench-rand.h"
#include "bench.h"
#include "shapes-file.h"
#include "dispatch/dispatch.h"
#include "shim/vnn_bench.h"
#include "vnn/vnn.h"

enum impl { IMPL_VNN, IMPL_ONEDNN };

struct lstm_case {
    char label[64];
    int64_t N, T, I, H, D;
    enum impl impl;
};

/* Inputs and oneDNN-layout weights of one shape, plus PyTorch-layout copies. */
struct data {
    float *x, *wl, *wi, *bias, *y, *hn, *cn, *zeros;
    float *w_ih[2], *w_hh[2], *b_ih[2], *b_hh[2];
    float *ref_y; /* oneDNN's y, for the check */
};

static float *floats(int64_t n)
{
    size_t bytes = ((size_t)n * sizeof(float) + 63) & ~(size_t)63;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p)
        memset(p, 0, bytes);
    return p;
}

static void data_free(struct data *d)
{
    free(d->x), free(d->wl), free(d->wi), free(d->bias), free(d->y), free(d->hn);
    free(d->cn), free(d->zeros), free(d->ref_y);
    for (int i = 0; i < 2; i++)
        free(d->w_ih[i]), free(d->w_hh[i]), free(d->b_ih[i]), free(d->b_hh[i]);
    *d = (struct data){0};
}

static bool data_make(const struct lstm_case *c, struct data *d)
{
    int64_t G = 4 * c->H, st = c->D * c->N * c->H;
    *d = (struct data){0};
    d->x = floats(c->T * c->N * c->I);
    d->wl = floats(c->D * c->I * G);
    d->wi = floats(c->D * c->H * G);
    d->bias = floats(c->D * G);
    d->y = floats(c->T * c->N * c->D * c->H);
    d->ref_y = floats(c->T * c->N * c->D * c->H);
    d->hn = floats(st);
    d->cn = floats(st);
    d->zeros = floats(st);
    bool ok = d->x && d->wl && d->wi && d->bias && d->y && d->ref_y && d->hn && d->cn &&
              d->zeros;
    for (int i = 0; ok && i < c->D; i++) {
        d->w_ih[i] = floats(G * c->I);
        d->w_hh[i] = floats(G * c->H);
        d->b_ih[i] = floats(G);
        d->b_hh[i] = floats(G);
        ok = d->w_ih[i] && d->w_hh[i] && d->b_ih[i] && d->b_hh[i];
    }
    if (!ok) {
        data_free(d);
        return false;
    }
    float s = 1.0f / sqrtf((float)c->H);
    for (int64_t i = 0; i < c->T * c->N * c->I; i++)
        d->x[i] = vb_rand_pm1();
    for (int64_t i = 0; i < c->D * c->I * G; i++)
        d->wl[i] = s * vb_rand_pm1();
    for (int64_t i = 0; i < c->D * c->H * G; i++)
        d->wi[i] = s * vb_rand_pm1();
    for (int64_t i = 0; i < c->D * G; i++)
        d->bias[i] = s * vb_rand_pm1();
    for (int64_t i = 0; i < c->D; i++)
        if (vnn_lstm_import_weights(VNN_LSTM_FORMAT_ONEDNN, c->I, c->H, d->wl + i * c->I * G,
                                    d->wi + i * c->H * G, d->bias + i * G, d->w_ih[i],
                                    d->w_hh[i], d->b_ih[i], d->b_hh[i]) != VNN_OK) {
            data_free(d);
            return false;
        }
    return true;
}

/* oneDNN's LSTM primitive with its memories bound to d. */
struct onednn {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    dnnl_memory_t mem[9];
    dnnl_memory_t scratch;
    dnnl_exec_arg_t args[10];
    int nargs;
};

static void onednn_free(struct onednn *o)
{
    for (int i = 0; i < 9; i++)
        if (o->mem[i])
            dnnl_memory_destroy(o->mem[i]);
    if (o->scratch)
        dnnl_memory_destroy(o->scratch);
    if (o->prim)
        dnnl_primitive_destroy(o->prim);
    if (o->pd)
        dnnl_primitive_desc_destroy(o->pd);
    if (o->stream)
        dnnl_stream_destroy(o->stream);
    if (o->engine)
        dnnl_engine_destroy(o->engine);
    *o = (struct onednn){0};
}

#define TRY(call)                                                                        \
    do {                                                                                 \
        if ((call) != dnnl_success) {                                                    \
            onednn_free(o);                                                              \
            return #call;                                                                \
        }                                                                                \
    } while (0)

static const char *onednn_make(const struct lstm_case *c, struct data *d, float *y,
                               struct onednn *o)
{
    *o = (struct onednn){0};
    TRY(dnnl_engine_create(&o->engine, dnnl_cpu, 0));
    TRY(dnnl_stream_create(&o->stream, o->engine, dnnl_stream_default_flags));
    dnnl_memory_desc_t md[9];
    dnnl_dims_t src = {c->T, c->N, c->I}, st = {1, c->D, c->N, c->H};
    dnnl_dims_t wl = {1, c->D, c->I, 4, c->H}, wi = {1, c->D, c->H, 4, c->H};
    dnnl_dims_t b = {1, c->D, 4, c->H}, dst = {c->T, c->N, c->D * c->H};
    TRY(dnnl_memory_desc_init_by_tag(&md[0], 3, src, dnnl_f32, dnnl_tnc));
    TRY(dnnl_memory_desc_init_by_tag(&md[1], 4, st, dnnl_f32, dnnl_ldnc));
    TRY(dnnl_memory_desc_init_by_tag(&md[2], 4, st, dnnl_f32, dnnl_ldnc));
    TRY(dnnl_memory_desc_init_by_tag(&md[3], 5, wl, dnnl_f32, dnnl_ldigo));
    TRY(dnnl_memory_desc_init_by_tag(&md[4], 5, wi, dnnl_f32, dnnl_ldigo));
    TRY(dnnl_memory_desc_init_by_tag(&md[5], 4, b, dnnl_f32, dnnl_ldgo));
    TRY(dnnl_memory_desc_init_by_tag(&md[6], 3, dst, dnnl_f32, dnnl_tnc));
    TRY(dnnl_memory_desc_init_by_tag(&md[7], 4, st, dnnl_f32, dnnl_ldnc));
    TRY(dnnl_memory_desc_init_by_tag(&md[8], 4, st, dnnl_f32, dnnl_ldnc));
    dnnl_rnn_desc_t desc;
    TRY(dnnl_lstm_forward_desc_init(
        &desc, dnnl_forward_inference,
        c->D == 2 ? dnnl_bidirectional_concat : dnnl_unidirectional_left2right, &md[0],
        &md[1], &md[2], &md[3], &md[4], &md[5], &md[6], &md[7], &md[8], 0));
    /* Weights stay in the user's plain layout (as vnn takes them); oneDNN
     * reorders them internally on each run only if it must. */
    TRY(dnnl_primitive_desc_create(&o->pd, &desc, NULL, o->engine, NULL));
    TRY(dnnl_primitive_create(&o->prim, o->pd));
    void *ptrs[9] = {d->x, d->zeros, d->zeros, d->wl, d->wi, d->bias, y, d->hn, d->cn};
    static const int arg_ids[9] = {
        DNNL_ARG_SRC_LAYER,  DNNL_ARG_SRC_ITER,  DNNL_ARG_SRC_ITER_C,
        DNNL_ARG_WEIGHTS_LAYER, DNNL_ARG_WEIGHTS_ITER, DNNL_ARG_BIAS,
        DNNL_ARG_DST_LAYER,  DNNL_ARG_DST_ITER,  DNNL_ARG_DST_ITER_C};
    for (int i = 0; i < 9; i++) {
        TRY(dnnl_memory_create(&o->mem[i], &md[i], o->engine, ptrs[i]));
        o->args[o->nargs++] = (dnnl_exec_arg_t){arg_ids[i], o->mem[i]};
    }
    const dnnl_memory_desc_t *smd = dnnl_primitive_desc_query_md(o->pd, dnnl_query_scratchpad_md, 0);
    if (smd && dnnl_memory_desc_get_size(smd) > 0) {
        TRY(dnnl_memory_create(&o->scratch, smd, o->engine, DNNL_MEMORY_ALLOCATE));
        o->args[o->nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, o->scratch};
    }
    return NULL;
}

static const char *onednn_run(struct onednn *o)
{
    if (dnnl_primitive_execute(o->prim, o->stream, o->nargs, o->args) != dnnl_success ||
        dnnl_stream_wait(o->stream) != dnnl_success)
        return "dnnl_primitive_execute failed";
    return NULL;
}

static const char *vnn_run(const struct lstm_case *c, const vnn_lstm_plan *plan,
                           struct data *d)
{
    vnn_status s = vnn_lstm_plan_run(plan, c->T, c->N, false, d->x, NULL, NULL, NULL, d->y,
                                     d->hn, d->cn);
    return s == VNN_OK ? NULL : vnn_status_str(s);
}

static const char *compare(const struct lstm_case *c, const struct data *d)
{
    static char msg[128];
    int64_t n = c->T * c->N * c->D * c->H;
    for (int64_t i = 0; i < n; i++) {
        double e = fabs((double)d->y[i] - d->ref_y[i]);
        if (!(e <= 1e-4)) {
            snprintf(msg, sizeof msg, "wrong result: y[%lld] = %.7g, oneDNN %.7g", (long long)i,
                     (double)d->y[i], (double)d->ref_y[i]);
            return msg;
        }
    }
    return NULL;
}

static void bench_lstm(vb_state *st, void *arg)
{
    const struct lstm_case *c = arg;
    struct data d;
    if (!data_make(c, &d)) {
        vb_skip_with_error(st, "out of memory");
        return;
    }
    struct onednn o = {0};
    vnn_lstm_plan *plan = NULL;
    const char *err = onednn_make(c, &d, d.ref_y, &o);
    if (!err)
        err = onednn_run(&o); /* the reference for the check, and a warm-up */
    if (!err && c->impl == IMPL_VNN) {
        vnn_lstm_desc desc = {c->I, c->H, c->D == 2};
        vnn_lstm_weights w[2] = {{d.w_ih[0], d.w_hh[0], d.b_ih[0], d.b_hh[0]},
                                 {d.w_ih[c->D - 1], d.w_hh[c->D - 1], d.b_ih[c->D - 1],
                                  d.b_hh[c->D - 1]}};
        vnn_status s = vnn_lstm_plan_create(&desc, w, &plan);
        err = s == VNN_OK ? vnn_run(c, plan, &d) : vnn_status_str(s);
        if (!err)
            err = compare(c, &d);
        onednn_free(&o);
    }
    if (err)
        vb_skip_with_error(st, err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!err && vb_keep_running(st)) {
        err = c->impl == IMPL_VNN ? vnn_run(c, plan, &d) : onednn_run(&o);
        if (err)
            vb_skip_with_error(st, err);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!err) {
        char label[160];
        if (c->impl == IMPL_ONEDNN) {
            const dnnl_version_t *v = dnnl_version();
            snprintf(label, sizeof label, "oneDNN %d.%d.%d", v->major, v->minor, v->patch);
        } else {
            const struct vnn_kernel_table *t = vnn_kernels();
            snprintf(label, sizeof label, "%s %s", vnn_isa_name(vnn_get_isa()),
                     t ? (c->N <= 4 ? t->lstm.fused_name : t->lstm.gates_name) : "");
        }
        vb_set_label(st, label);
        double it = (double)vb_iterations(st);
        double flops = 2.0 * (double)(c->T * c->N * 4 * c->H * (c->I + c->H) * c->D);
        vb_set_counter(st, "GFLOPS", flops * it / 1e9, VB_RATE);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        vb_set_counter(st, "ms", it > 0 ? 1e3 * secs / it : 0.0, VB_PLAIN);
    }
    vnn_lstm_plan_destroy(plan);
    onednn_free(&o);
    data_free(&d);
}

static bool add(const char *label, const int64_t v[5], enum impl impl)
{
    struct lstm_case *c = malloc(sizeof *c); /* lives until exit */
    if (!c)
        return false;
    *c = (struct lstm_case){.N = v[0], .T = v[1], .I = v[2], .H = v[3], .D = v[4], .impl = impl};
    snprintf(c->label, sizeof c->label, "%s", label);
    char name[128];
    snprintf(name, sizeof name, "lstm/%s/%s", label, impl == IMPL_VNN ? "vnn" : "onednn");
    vb_register(name, bench_lstm, c);
    return true;
}

static bool add_line(const struct vb_shape_line *line, void *ctx)
{
    (void)ctx;
    int64_t v[5];
    if (line->nfields != 6 || !vb_shape_label_ok(line) || !vb_shape_ints(line, 1, 5, 1, v) ||
        v[4] > 2) {
        fprintf(stderr, "vnn-bench: %s:%d: expected \"label N T I H D\" (D 1 or 2)\n",
                line->path, line->lineno);
        return false;
    }
    if (!add(line->field[0], v, IMPL_VNN) || !add(line->field[0], v, IMPL_ONEDNN)) {
        fprintf(stderr, "vnn-bench: out of memory\n");
        return false;
    }
    return true;
}

bool vb_register_lstm(const char *shapes_path)
{
    return vb_read_shapes(shapes_path, "LSTM", add_line, NULL);
}
