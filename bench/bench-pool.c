/* pool/<label>/<impl>: max, average or global average pooling (NHWC) for
 * each shape of the shapes file:
 *   vnn     vnn_maxpool2d / vnn_avgpool2d / vnn_global_avgpool2d (nothing to
 *           prepare: the call is the work); the label names the ISA and the
 *           microkernel
 *   onednn  a oneDNN pooling primitive created once, src/dst NHWC; the
 *           label is oneDNN's implementation name
 * Counter GBps = (bytes of the input + bytes of the output) per run / s.
 *
 * Cold or warm: a shape whose input and output together exceed
 * VB_POOL_LLC_BYTES runs cold, rotating through as many copies of its
 * tensors as make VB_POOL_ROTATE_BYTES, so each run reads its input from
 * memory (the label says "cold, k sets"); smaller shapes reuse one set
 * (warm, as after the layer that wrote them). Both run once before timing
 * and are spot-checked against a double reference. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#include "bench-rand.h"
#include "bench.h"
#include "dispatch/dispatch.h" /* the microkernel names for the label */
#include "shapes-file.h"
#include "shim/vnn_bench.h"
#include "vnn/vnn.h"

/* The last-level cache one guest can count on: tens of MiB (a VM's CPUID
 * reports the whole host's L3). */
#define VB_POOL_LLC_BYTES ((size_t)32 << 20)
/* Cold shapes rotate through copies making at least this much. */
#define VB_POOL_ROTATE_BYTES ((size_t)1024 << 20)

enum op { OP_MAX, OP_AVG, OP_GAP };
enum impl { IMPL_VNN, IMPL_ONEDNN };

struct pool_case {
    enum op op;
    enum impl impl;
    int64_t N, H, W, C, OH, OW;
    vnn_pool2d_params p;
};

#define SAMPLES 32
static struct {
    const struct pool_case *shape; /* the vnn case of the shape */
    size_t x_floats, y_floats, sets;
    float **x, **y; /* [sets] */
    struct { int64_t n, oh, ow, c; double ref, tol; } s[SAMPLES];
} cur;

static void data_free(void)
{
    for (size_t i = 0; i < cur.sets; i++) {
        free(cur.x ? cur.x[i] : NULL);
        free(cur.y ? cur.y[i] : NULL);
    }
    free(cur.x);
    free(cur.y);
    memset(&cur, 0, sizeof cur);
}

/* One output element in double (set 0). */
static void reference(const struct pool_case *c, int64_t n, int64_t oh, int64_t ow, int64_t ch,
                      double *ref, double *tol)
{
    const vnn_pool2d_params *p = &c->p;
    int64_t h0 = oh * p->stride_h - p->pad_top, w0 = ow * p->stride_w - p->pad_left;
    double acc = c->op == OP_MAX ? -INFINITY : 0.0, count = 0.0;
    for (int64_t ih = h0 > 0 ? h0 : 0; ih < h0 + p->kernel_h && ih < c->H; ih++)
        for (int64_t iw = w0 > 0 ? w0 : 0; iw < w0 + p->kernel_w && iw < c->W; iw++) {
            double v = cur.x[0][((n * c->H + ih) * c->W + iw) * c->C + ch];
            acc = c->op == OP_MAX ? (v > acc ? v : acc) : acc + v;
            count += 1.0;
        }
    *ref = c->op == OP_MAX ? acc : acc / count; /* avg: padding not counted */
    *tol = c->op == OP_MAX ? 0.0 : (count + 2) * FLT_EPSILON; /* |x| < 1 */
}

static bool data_get(const struct pool_case *shape)
{
    if (cur.shape == shape)
        return true;
    data_free();
    cur.x_floats = (size_t)(shape->N * shape->H * shape->W * shape->C);
    cur.y_floats = (size_t)(shape->N * shape->OH * shape->OW * shape->C);
    size_t set_bytes = (cur.x_floats + cur.y_floats) * sizeof(float);
    size_t sets = set_bytes > VB_POOL_LLC_BYTES
                      ? (VB_POOL_ROTATE_BYTES + set_bytes - 1) / set_bytes
                      : 1;
    cur.x = calloc(sets, sizeof *cur.x);
    cur.y = calloc(sets, sizeof *cur.y);
    cur.sets = sets;
    bool ok = cur.x && cur.y;
    for (size_t i = 0; ok && i < sets; i++) {
        cur.x[i] = vb_alloc(cur.x_floats * sizeof(float));
        cur.y[i] = vb_alloc(cur.y_floats * sizeof(float));
        ok = cur.x[i] && cur.y[i];
    }
    if (!ok) {
        data_free();
        return false;
    }
    for (size_t i = 0; i < cur.x_floats; i++)
        cur.x[0][i] = vb_rand_pm1();
    for (size_t i = 1; i < sets; i++) {
        memcpy(cur.x[i], cur.x[0], cur.x_floats * sizeof(float));
        memset(cur.y[i], 0, cur.y_floats * sizeof(float));
    }
    for (int t = 0; t < SAMPLES; t++) {
        cur.s[t].n = t < 2 ? t * (shape->N - 1) : vb_rand_below(shape->N);
        cur.s[t].oh = t < 2 ? t * (shape->OH - 1) : vb_rand_below(shape->OH);
        cur.s[t].ow = t < 2 ? t * (shape->OW - 1) : vb_rand_below(shape->OW);
        cur.s[t].c = t < 2 ? t * (shape->C - 1) : vb_rand_below(shape->C);
        reference(shape, cur.s[t].n, cur.s[t].oh, cur.s[t].ow, cur.s[t].c, &cur.s[t].ref,
                  &cur.s[t].tol);
    }
    cur.shape = shape;
    return true;
}

static const char *check(const struct pool_case *c)
{
    static char msg[200];
    for (int t = 0; t < SAMPLES; t++) {
        double got = cur.y[0][((cur.s[t].n * c->OH + cur.s[t].oh) * c->OW + cur.s[t].ow) * c->C +
                              cur.s[t].c];
        if (!(fabs(got - cur.s[t].ref) <= cur.s[t].tol * (1.0 + fabs(cur.s[t].ref)))) {
            snprintf(msg, sizeof msg, "wrong result: y[%lld][%lld][%lld][%lld] = %.9g, expected %.9g",
                     (long long)cur.s[t].n, (long long)cur.s[t].oh, (long long)cur.s[t].ow,
                     (long long)cur.s[t].c, got, cur.s[t].ref);
            return msg;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ vnn */

static const char *vnn_run(const struct pool_case *c, size_t set)
{
    const float *x = cur.x[set];
    float *y = cur.y[set];
    vnn_status s = c->op == OP_MAX ? vnn_maxpool2d(&c->p, c->N, c->H, c->W, c->C, x, c->OH,
                                                   c->OW, y)
                   : c->op == OP_AVG ? vnn_avgpool2d(&c->p, c->N, c->H, c->W, c->C, x, c->OH,
                                                     c->OW, y)
                                     : vnn_global_avgpool2d(c->N, c->H, c->W, c->C, x, y);
    return s == VNN_OK ? NULL : vnn_status_str(s);
}

static void vnn_label(const struct pool_case *c, char *buf, size_t size)
{
    const struct vnn_kernel_table *t = vnn_kernels();
    const char *uk = !t ? "" : c->op == OP_MAX ? t->pool.max_name : t->pool.avg_name;
    snprintf(buf, size, "%s %s", vnn_isa_name(vnn_get_isa()), uk);
}

/* --------------------------------------------------------------- oneDNN */

static dnnl_engine_t engine;
static dnnl_stream_t stream;

struct dnnl_pool {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    dnnl_memory_t *x, *y; /* [sets] */
    size_t sets;
};

static void dnnl_pool_free(struct dnnl_pool *k)
{
    for (size_t i = 0; i < k->sets; i++) {
        dnnl_memory_destroy(k->x ? k->x[i] : NULL);
        dnnl_memory_destroy(k->y ? k->y[i] : NULL);
    }
    free(k->x);
    free(k->y);
    dnnl_primitive_destroy(k->prim);
    dnnl_primitive_desc_destroy(k->pd);
}

#define TRY(call)                                                                        \
    do {                                                                                 \
        dnnl_status_t st_ = (call);                                                      \
        if (st_ != dnnl_success)                                                         \
            return dnnl_status2str(st_);                                                 \
    } while (0)

static const char *dnnl_pool_create(const struct pool_case *c, struct dnnl_pool *k)
{
    if (!engine) {
        TRY(dnnl_engine_create(&engine, dnnl_cpu, 0));
        TRY(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    }
    const vnn_pool2d_params *p = &c->p;
    dnnl_memory_desc_t xd, yd;
    dnnl_dims_t xdims = {c->N, c->C, c->H, c->W}, ydims = {c->N, c->C, c->OH, c->OW};
    TRY(dnnl_memory_desc_init_by_tag(&xd, 4, xdims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&yd, 4, ydims, dnnl_f32, dnnl_nhwc));
    dnnl_dims_t kernel = {p->kernel_h, p->kernel_w}, strides = {p->stride_h, p->stride_w};
    dnnl_dims_t dil = {0, 0}, pad_l = {p->pad_top, p->pad_left};
    /* Floor mode: oneDNN's right padding is what makes its output size ours. */
    dnnl_dims_t pad_r = {(c->OH - 1) * p->stride_h + p->kernel_h - c->H - p->pad_top,
                         (c->OW - 1) * p->stride_w + p->kernel_w - c->W - p->pad_left};
    dnnl_alg_kind_t alg = c->op == OP_MAX ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding;
    dnnl_pooling_v2_desc_t desc;
    TRY(dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, alg, &xd, &yd,
                                          strides, kernel, dil, pad_l, pad_r));
    TRY(dnnl_primitive_desc_create(&k->pd, &desc, NULL, engine, NULL));
    TRY(dnnl_primitive_create(&k->prim, k->pd));
    k->x = calloc(cur.sets, sizeof *k->x);
    k->y = calloc(cur.sets, sizeof *k->y);
    if (!k->x || !k->y)
        return "out of memory";
    k->sets = cur.sets;
    for (size_t i = 0; i < cur.sets; i++) {
        TRY(dnnl_memory_create(&k->x[i], &xd, engine, cur.x[i]));
        TRY(dnnl_memory_create(&k->y[i], &yd, engine, cur.y[i]));
    }
    return NULL;
}

static const char *dnnl_pool_run(const struct dnnl_pool *k, size_t set)
{
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_SRC, k->x[set]}, {DNNL_ARG_DST, k->y[set]}};
    TRY(dnnl_primitive_execute(k->prim, stream, 2, args));
    TRY(dnnl_stream_wait(stream));
    return NULL;
}

#undef TRY

/* ---------------------------------------------------------- registering */

static void bench_pool(vb_state *st, void *arg)
{
    const struct pool_case *c = arg;
    const struct pool_case *shape = c->impl == IMPL_VNN ? c : c - 1;
    if (!data_get(shape)) {
        vb_skip_with_error(st, "out of memory");
        return;
    }
    for (size_t i = 0; i < cur.y_floats; i++) /* unwritten elements fail the check */
        cur.y[0][i] = NAN;
    struct dnnl_pool k = {0};
    const char *err = c->impl == IMPL_ONEDNN ? dnnl_pool_create(c, &k) : NULL;
    if (!err)
        err = c->impl == IMPL_VNN ? vnn_run(c, 0) : dnnl_pool_run(&k, 0);
    if (!err)
        err = check(c);
    if (err)
        vb_skip_with_error(st, err);
    size_t set = 0;
    while (!err && vb_keep_running(st)) {
        set = set + 1 < cur.sets ? set + 1 : 0;
        err = c->impl == IMPL_VNN ? vnn_run(c, set) : dnnl_pool_run(&k, set);
        if (err)
            vb_skip_with_error(st, err);
    }
    if (!err) {
        char label[160], impl[120];
        if (c->impl == IMPL_VNN) {
            vnn_label(c, impl, sizeof impl);
        } else {
            vb_onednn_label(impl, sizeof impl, k.pd);
        }
        if (cur.sets > 1)
            snprintf(label, sizeof label, "%s, cold (%zu sets)", impl, cur.sets);
        else
            snprintf(label, sizeof label, "%s, warm", impl);
        vb_set_label(st, label);
        double bytes = (double)((cur.x_floats + cur.y_floats) * sizeof(float));
        vb_set_counter(st, "GBps", bytes * (double)vb_iterations(st) / 1e9, VB_RATE);
    }
    dnnl_pool_free(&k);
}

/* label max|avg N H W C K stride pad, or label gap N H W C */
static bool add_line(const struct vb_shape_line *line, void *ctx)
{
    (void)ctx;
    static const char usage[] =
        "expected \"label max|avg N H W C K stride pad\" or \"label gap N H W C\"";
    struct pool_case c = {0};
    int64_t v[7];
    if (line->nfields < 2 || !vb_shape_label_ok(line))
        goto bad;
    if (strcmp(line->field[1], "gap") == 0) {
        if (line->nfields != 6 || !vb_shape_ints(line, 2, 4, 1, v))
            goto bad;
        c.op = OP_GAP;
        v[4] = v[5] = v[6] = 0;
    } else if (strcmp(line->field[1], "max") == 0 || strcmp(line->field[1], "avg") == 0) {
        if (line->nfields != 9 || !vb_shape_ints(line, 2, 6, 1, v) ||
            !vb_shape_ints(line, 8, 1, 0, v + 6))
            goto bad;
        c.op = line->field[1][0] == 'm' ? OP_MAX : OP_AVG;
    } else {
        goto bad;
    }
    c.N = v[0], c.H = v[1], c.W = v[2], c.C = v[3];
    if (c.op == OP_GAP)
        c.p = (vnn_pool2d_params){.kernel_h = c.H, .kernel_w = c.W, .stride_h = 1, .stride_w = 1};
    else
        c.p = (vnn_pool2d_params){.kernel_h = v[4], .kernel_w = v[4], .stride_h = v[5],
                                  .stride_w = v[5], .pad_top = v[6], .pad_bottom = v[6],
                                  .pad_left = v[6], .pad_right = v[6]};
    if (vnn_pool2d_output_size(&c.p, c.H, c.W, &c.OH, &c.OW) != VNN_OK) {
        fprintf(stderr, "vnn-bench: %s:%d: not a valid pooling\n", line->path, line->lineno);
        return false;
    }
    struct pool_case *cs = malloc(2 * sizeof *cs); /* vnn, oneDNN; live until exit */
    if (!cs) {
        fprintf(stderr, "vnn-bench: out of memory\n");
        return false;
    }
    cs[0] = c;
    cs[0].impl = IMPL_VNN;
    cs[1] = c;
    cs[1].impl = IMPL_ONEDNN;
    char name[128];
    snprintf(name, sizeof name, "pool/%s/vnn", line->field[0]);
    vb_register(name, bench_pool, &cs[0]);
    snprintf(name, sizeof name, "pool/%s/onednn", line->field[0]);
    vb_register(name, bench_pool, &cs[1]);
    return true;
bad:
    fprintf(stderr, "vnn-bench: %s:%d: %s\n", line->path, line->lineno, usage);
    return false;
}

bool vb_register_pool(const char *shapes_path)
{
    return vb_read_shapes(shapes_path, "pooling", add_line, NULL);
}
