/* conv/<label>/<impl>: a 2-D convolution (NHWC, bias, no activation) for
 * each shape of the shapes file:
 *   vnn     a vnn_conv2d_plan created once (weights packed outside the
 *           timed loop), then vnn_conv2d_plan_run; the label names the ISA,
 *           the path (implicit GEMM, GEMM, depthwise) and the microkernel
 *   onednn  a oneDNN convolution primitive created once, src/dst NHWC (the
 *           same job), weights in the layout the primitive chose
 *           (format_tag any), reordered into it outside the timed loop; the
 *           label is oneDNN's implementation name
 * Counter GFLOPS = 2 * N * OH * OW * KH * KW * C_in / groups * C_out per run.
 * Both run once before timing and are spot-checked against a double
 * reference, so a broken kernel fails instead of reporting a number. The
 * tensors stay the same from run to run (warm caches, as in a network whose
 * layer inputs were just written). */
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
#include "kernels/conv/conv-driver.h" /* the path and microkernel for the label */
#include "shapes-file.h"
#include "shim/vnn_bench.h"
#include "vnn/vnn.h"

enum impl { IMPL_VNN, IMPL_ONEDNN };

struct conv_case {
    vnn_conv2d_desc d;
    int64_t OH, OW;
    enum impl impl;
};

/* Tensors of the current shape, kept while its implementations run one
 * after another. */
#define SAMPLES 32
static struct {
    const struct conv_case *shape; /* the vnn case of the shape */
    float *x, *w, *bias, *y;
    size_t y_floats;
    struct { int64_t n, oh, ow, co; double ref, tol; } s[SAMPLES];
} cur;

static float *alloc_floats(size_t n)
{
    return vb_alloc(n * sizeof(float));
}

static void data_free(void)
{
    free(cur.x);
    free(cur.w);
    free(cur.bias);
    free(cur.y);
    memset(&cur, 0, sizeof cur);
}

/* One output element in double, and a bound on a float sum's error. */
static void reference(const vnn_conv2d_desc *d, int64_t n, int64_t oh, int64_t ow, int64_t co,
                      double *ref, double *tol)
{
    const int64_t cig = d->C_in / d->groups, g = co / (d->C_out / d->groups);
    double acc = cur.bias[co], mag = fabs(acc);
    for (int64_t kh = 0; kh < d->kernel_h; kh++) {
        int64_t ih = oh * d->stride_h - d->pad_top + kh * d->dilation_h;
        for (int64_t kw = 0; ih >= 0 && ih < d->H && kw < d->kernel_w; kw++) {
            int64_t iw = ow * d->stride_w - d->pad_left + kw * d->dilation_w;
            if (iw < 0 || iw >= d->W)
                continue;
            const float *px = cur.x + ((n * d->H + ih) * d->W + iw) * d->C_in + g * cig;
            const float *pw = cur.w + (kh * d->kernel_w + kw) * cig * d->C_out + co;
            for (int64_t ci = 0; ci < cig; ci++) {
                double p = (double)px[ci] * pw[ci * d->C_out];
                acc += p;
                mag += fabs(p);
            }
        }
    }
    *ref = acc;
    *tol = (double)(d->kernel_h * d->kernel_w * cig + 4) * FLT_EPSILON * mag;
}

static bool data_get(const struct conv_case *shape)
{
    if (cur.shape == shape)
        return true;
    data_free();
    const vnn_conv2d_desc *d = &shape->d;
    size_t xn = (size_t)(d->N * d->H * d->W * d->C_in);
    size_t wn = (size_t)(d->kernel_h * d->kernel_w * d->C_in / d->groups * d->C_out);
    cur.y_floats = (size_t)(d->N * shape->OH * shape->OW * d->C_out);
    cur.x = alloc_floats(xn);
    cur.w = alloc_floats(wn);
    cur.bias = alloc_floats((size_t)d->C_out);
    cur.y = alloc_floats(cur.y_floats);
    if (!cur.x || !cur.w || !cur.bias || !cur.y) {
        data_free();
        return false;
    }
    for (size_t i = 0; i < xn; i++)
        cur.x[i] = vb_rand_pm1();
    for (size_t i = 0; i < wn; i++)
        cur.w[i] = vb_rand_pm1();
    for (int64_t i = 0; i < d->C_out; i++)
        cur.bias[i] = vb_rand_pm1();
    for (int t = 0; t < SAMPLES; t++) { /* two corners, then random elements */
        int64_t n = t < 2 ? t * (d->N - 1) : vb_rand_below(d->N);
        int64_t oh = t < 2 ? t * (shape->OH - 1) : vb_rand_below(shape->OH);
        int64_t ow = t < 2 ? t * (shape->OW - 1) : vb_rand_below(shape->OW);
        int64_t co = t < 2 ? t * (d->C_out - 1) : vb_rand_below(d->C_out);
        cur.s[t].n = n, cur.s[t].oh = oh, cur.s[t].ow = ow, cur.s[t].co = co;
        reference(d, n, oh, ow, co, &cur.s[t].ref, &cur.s[t].tol);
    }
    cur.shape = shape;
    return true;
}

static const char *check(const struct conv_case *c)
{
    static char msg[200];
    for (int t = 0; t < SAMPLES; t++) {
        double got = cur.y[((cur.s[t].n * c->OH + cur.s[t].oh) * c->OW + cur.s[t].ow) *
                               c->d.C_out + cur.s[t].co];
        if (!(fabs(got - cur.s[t].ref) <= cur.s[t].tol)) {
            snprintf(msg, sizeof msg, "wrong result: y[%lld][%lld][%lld][%lld] = %.9g, expected %.9g",
                     (long long)cur.s[t].n, (long long)cur.s[t].oh, (long long)cur.s[t].ow,
                     (long long)cur.s[t].co, got, cur.s[t].ref);
            return msg;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ vnn */

static const char *vnn_label(const vnn_conv2d_plan *plan, char *buf, size_t size)
{
    const char *path = plan->path == VNN_CONV_DEPTHWISE ? "depthwise"
                       : plan->path == VNN_CONV_GEMM    ? "1x1 GEMM"
                       : plan->path == VNN_CONV_DIRECT1 ? "direct (1 input channel)"
                                                        : "implicit GEMM";
    const char *uk = plan->path == VNN_CONV_DEPTHWISE ? plan->conv.dw_name
                     : plan->path == VNN_CONV_GEMM    ? plan->gemm.name
                     : plan->path == VNN_CONV_DIRECT1 ? plan->conv.c1_name
                                                      : plan->fam.name;
    snprintf(buf, size, "%s %s %s", vnn_isa_name(plan->conv.isa), path, uk ? uk : "");
    return buf;
}

static void run_vnn(vb_state *st, const struct conv_case *c)
{
    vnn_conv2d_plan *plan = NULL;
    vnn_status s = vnn_conv2d_plan_create(&c->d, cur.w, cur.bias, &plan);
    const char *err = NULL;
    if (s == VNN_OK) /* the first run also grows vnn's per-thread scratch */
        s = vnn_conv2d_plan_run(plan, cur.x, cur.y, NULL, 0);
    err = s == VNN_OK ? check(c) : vnn_status_str(s);
    if (err)
        vb_skip_with_error(st, err);
    while (!err && vb_keep_running(st)) {
        if ((s = vnn_conv2d_plan_run(plan, cur.x, cur.y, NULL, 0)) != VNN_OK)
            vb_skip_with_error(st, err = vnn_status_str(s));
    }
    if (!err) {
        char label[160];
        vb_set_label(st, vnn_label(plan, label, sizeof label));
    }
    vnn_conv2d_plan_destroy(plan);
}

/* --------------------------------------------------------------- oneDNN */

static dnnl_engine_t engine;
static dnnl_stream_t stream;

struct dnnl_conv {
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    dnnl_memory_t x, w, b, y;
};

static void dnnl_conv_free(struct dnnl_conv *k)
{
    dnnl_memory_destroy(k->x);
    dnnl_memory_destroy(k->w);
    dnnl_memory_destroy(k->b);
    dnnl_memory_destroy(k->y);
    dnnl_primitive_destroy(k->prim);
    dnnl_primitive_desc_destroy(k->pd);
}

#define TRY(call)                                                                        \
    do {                                                                                 \
        dnnl_status_t st_ = (call);                                                      \
        if (st_ != dnnl_success)                                                         \
            return dnnl_status2str(st_);                                                 \
    } while (0)

/* Weights of our HWIO bytes as oneDNN sees them: hwio, or hwigo with groups. */
static const char *user_weights_md(const vnn_conv2d_desc *d, dnnl_memory_desc_t *md,
                                   dnnl_format_tag_t *tag_any)
{
    int64_t G = d->groups;
    if (G == 1) {
        dnnl_dims_t dims = {d->C_out, d->C_in, d->kernel_h, d->kernel_w};
        TRY(dnnl_memory_desc_init_by_tag(md, 4, dims, dnnl_f32, dnnl_hwio));
    } else {
        dnnl_dims_t dims = {G, d->C_out / G, d->C_in / G, d->kernel_h, d->kernel_w};
        TRY(dnnl_memory_desc_init_by_tag(md, 5, dims, dnnl_f32, dnnl_hwigo));
    }
    *tag_any = dnnl_format_tag_any;
    return NULL;
}

/* Creates the primitive and its memories, the weights reordered into the
 * primitive's layout. */
static const char *dnnl_conv_create(const struct conv_case *c, struct dnnl_conv *k)
{
    const vnn_conv2d_desc *d = &c->d;
    if (!engine) {
        TRY(dnnl_engine_create(&engine, dnnl_cpu, 0));
        TRY(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    }
    dnnl_memory_desc_t xd, yd, bd, wd_user, wd_any;
    dnnl_dims_t xdims = {d->N, d->C_in, d->H, d->W}, ydims = {d->N, d->C_out, c->OH, c->OW};
    dnnl_dims_t bdims = {d->C_out};
    TRY(dnnl_memory_desc_init_by_tag(&xd, 4, xdims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&yd, 4, ydims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&bd, 1, bdims, dnnl_f32, dnnl_a));
    dnnl_format_tag_t any;
    const char *err = user_weights_md(d, &wd_user, &any);
    if (err)
        return err;
    TRY(dnnl_memory_desc_init_by_tag(&wd_any, wd_user.ndims, wd_user.dims, dnnl_f32, any));
    dnnl_dims_t strides = {d->stride_h, d->stride_w};
    dnnl_dims_t dilates = {d->dilation_h - 1, d->dilation_w - 1}; /* oneDNN: 0 = dense */
    dnnl_dims_t pad_l = {d->pad_top, d->pad_left}, pad_r = {d->pad_bottom, d->pad_right};
    dnnl_convolution_desc_t cd;
    TRY(dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference,
                                                   dnnl_convolution_direct, &xd, &wd_any, &bd,
                                                   &yd, strides, dilates, pad_l, pad_r));
    TRY(dnnl_primitive_desc_create(&k->pd, &cd, NULL, engine, NULL));
    TRY(dnnl_primitive_create(&k->prim, k->pd));
    const dnnl_memory_desc_t *wd = dnnl_primitive_desc_query_md(k->pd, dnnl_query_weights_md, 0);
    TRY(dnnl_memory_create(&k->x, &xd, engine, cur.x));
    TRY(dnnl_memory_create(&k->y, &yd, engine, cur.y));
    TRY(dnnl_memory_create(&k->b, &bd, engine, cur.bias));
    TRY(dnnl_memory_create(&k->w, wd, engine, DNNL_MEMORY_ALLOCATE));

    /* Our weights into the primitive's layout, once. */
    dnnl_memory_t wu = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;
    dnnl_status_t s = dnnl_memory_create(&wu, &wd_user, engine, cur.w);
    if (s == dnnl_success)
        s = dnnl_reorder_primitive_desc_create(&rpd, &wd_user, engine, wd, engine, NULL);
    if (s == dnnl_success)
        s = dnnl_primitive_create(&r, rpd);
    if (s == dnnl_success) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, wu}, {DNNL_ARG_TO, k->w}};
        s = dnnl_primitive_execute(r, stream, 2, args);
    }
    if (s == dnnl_success)
        s = dnnl_stream_wait(stream);
    dnnl_primitive_destroy(r);
    dnnl_primitive_desc_destroy(rpd);
    dnnl_memory_destroy(wu);
    return s == dnnl_success ? NULL : dnnl_status2str(s);
}

static const char *dnnl_conv_run(const struct dnnl_conv *k)
{
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, k->x},
                               {DNNL_ARG_WEIGHTS, k->w},
                               {DNNL_ARG_BIAS, k->b},
                               {DNNL_ARG_DST, k->y}};
    TRY(dnnl_primitive_execute(k->prim, stream, 4, args));
    TRY(dnnl_stream_wait(stream));
    return NULL;
}

static void run_onednn(vb_state *st, const struct conv_case *c)
{
    struct dnnl_conv k = {0};
    const char *err = dnnl_conv_create(c, &k);
    if (!err)
        err = dnnl_conv_run(&k);
    if (!err)
        err = check(c);
    if (err)
        vb_skip_with_error(st, err);
    while (!err && vb_keep_running(st))
        if ((err = dnnl_conv_run(&k)))
            vb_skip_with_error(st, err);
    if (!err) {
        char label[160];
        vb_onednn_label(label, sizeof label, k.pd);
        vb_set_label(st, label);
    }
    dnnl_conv_free(&k);
}

#undef TRY

/* ---------------------------------------------------------- registering */

static void bench_conv(vb_state *st, void *arg)
{
    const struct conv_case *c = arg;
    /* The shape's vnn case sits just before its oneDNN case. */
    const struct conv_case *shape = c->impl == IMPL_VNN ? c : c - 1;
    if (!data_get(shape)) {
        vb_skip_with_error(st, "out of memory");
        return;
    }
    for (size_t i = 0; i < cur.y_floats; i++) /* unwritten elements fail the check */
        cur.y[i] = NAN;
    if (c->impl == IMPL_VNN)
        run_vnn(st, c);
    else
        run_onednn(st, c);
    const vnn_conv2d_desc *d = &c->d;
    double flops = 2.0 * (double)(d->N * c->OH * c->OW) *
                   (double)(d->kernel_h * d->kernel_w * d->C_in / d->groups) * (double)d->C_out;
    vb_set_counter(st, "GFLOPS", flops * (double)vb_iterations(st) / 1e9, VB_RATE);
}

/* label N H W C_in C_out KH KW stride pad groups */
static bool add_line(const struct vb_shape_line *line, void *ctx)
{
    (void)ctx;
    int64_t v[10];
    if (line->nfields != 11) {
        fprintf(stderr,
                "vnn-bench: %s:%d: expected \"label N H W C_in C_out KH KW stride pad "
                "groups\"\n",
                line->path, line->lineno);
        return false;
    }
    if (!vb_shape_label_ok(line) || !vb_shape_ints(line, 1, 8, 1, v) ||
        !vb_shape_ints(line, 9, 1, 0, v + 8) || !vb_shape_ints(line, 10, 1, 1, v + 9))
        return false;
    vnn_conv2d_desc d = {.N = v[0], .H = v[1], .W = v[2], .C_in = v[3], .C_out = v[4],
                         .kernel_h = v[5], .kernel_w = v[6], .stride_h = v[7],
                         .stride_w = v[7], .dilation_h = 1, .dilation_w = 1,
                         .pad_top = v[8], .pad_bottom = v[8], .pad_left = v[8],
                         .pad_right = v[8], .groups = v[9], .act = VNN_ACT_NONE};
    int64_t OH, OW;
    if (vnn_conv2d_output_size(&d, &OH, &OW) != VNN_OK) {
        fprintf(stderr, "vnn-bench: %s:%d: not a valid convolution\n", line->path,
                line->lineno);
        return false;
    }
    struct conv_case *c = malloc(2 * sizeof *c); /* vnn, oneDNN; live until exit */
    if (!c) {
        fprintf(stderr, "vnn-bench: out of memory\n");
        return false;
    }
    c[0] = (struct conv_case){.d = d, .OH = OH, .OW = OW, .impl = IMPL_VNN};
    c[1] = c[0];
    c[1].impl = IMPL_ONEDNN;
    char name[128];
    snprintf(name, sizeof name, "conv/%s/vnn", line->field[0]);
    vb_register(name, bench_conv, &c[0]);
    snprintf(name, sizeof name, "conv/%s/onednn", line->field[0]);
    vb_register(name, bench_conv, &c[1]);
    return true;
}

bool vb_register_conv(const char *shapes_path)
{
    return vb_read_shapes(shapes_path, "convolution", add_line, NULL);
}
