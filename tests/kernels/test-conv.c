/* Convolution suite: every ISA this machine runs, against the reference
 * convolution (oneDNN's convolution forward, see conv-reference.h).
 *
 * Inputs and weights are small integers (x, w in [-3, 3], bias in [-8, 8]),
 * so every product and partial sum is an integer far below 2^24: any
 * summation order gives the same float and results are compared with ==.
 * The output buffer starts as NaN (an element vnn does not write fails the
 * comparison) between guard zones that must come back untouched. The thread
 * and plan groups use non-dyadic fractions instead, where summation order
 * matters, and demand bitwise equality.
 *
 * Every case runs through one of the three entry points in turn (one call,
 * plan with vnn's scratch, plan with a user workspace at an odd address).
 * One test per (ISA, group); CONV_SUITE at the bottom generates the groups
 * for every ISA, and an ISA the machine lacks skips with a message. */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv-reference.h"
#include "dispatch/dispatch.h"
#include "kernels/conv/conv-driver.h" /* which path a plan took, for coverage */
#include "vnn/vnn.h"
#include "vt.h"

#define SENTINEL 1234.5f

enum call_kind { CALL_ONE = 0, CALL_PLAN, CALL_WORKSPACE, CALL_KINDS };
static const char *const call_names[CALL_KINDS] = {"vnn_conv2d", "plan (vnn scratch)",
                                                   "plan (user workspace)"};
enum fill_kind { FILL_INTS, FILL_FRAC };

struct cbufs {
    int64_t OH, OW;
    size_t xn, wn, yn;
    float *x, *w, *bias, *y, *ref; /* guarded (vt_alloc_floats); x, w, bias read-only */
};

/* ------------------------------------------------------------------ setup */

static void begin(vnn_isa isa, const char *group)
{
    vt_use_isa(isa);
    /* Every group starts from the same state whatever ran before it in this
     * process (the in-process runner): two threads, so threaded paths run. */
    VT_CHECK(vnn_set_num_threads(2) == VNN_OK, "vnn_set_num_threads(2) failed");
    const struct vnn_kernel_table *t = vnn_kernels();
    vt_log("conv/%s/%s: gemm %s (mr=%d nr=%d), depthwise %s; reference: %s",
           vnn_isa_name(isa), group, t->gemm.name, t->gemm.mr, t->gemm.nr, t->conv.dw_name,
           conv_ref_name());
}

static int64_t extent(int64_t k, int64_t d) { return (k - 1) * d + 1; }

static void out_size(const vnn_conv2d_desc *d, int64_t *OH, int64_t *OW)
{
    *OH = (d->H + d->pad_top + d->pad_bottom - extent(d->kernel_h, d->dilation_h)) /
              d->stride_h + 1;
    *OW = (d->W + d->pad_left + d->pad_right - extent(d->kernel_w, d->dilation_w)) /
              d->stride_w + 1;
}

static void cb_alloc(const vnn_conv2d_desc *d, struct cbufs *b)
{
    *b = (struct cbufs){0};
    out_size(d, &b->OH, &b->OW);
    b->xn = (size_t)(d->N * d->H * d->W * d->C_in);
    b->wn = (size_t)(d->kernel_h * d->kernel_w * (d->C_in / d->groups) * d->C_out);
    b->yn = (size_t)(d->N * b->OH * b->OW * d->C_out);
    b->x = vt_alloc_floats(b->xn);
    b->w = vt_alloc_floats(b->wn);
    b->bias = vt_alloc_floats((size_t)d->C_out);
    b->y = vt_alloc_floats(b->yn);
    b->ref = vt_alloc_floats(b->yn);
}

static void cb_free(struct cbufs *b)
{
    vt_free(b->x);
    vt_free(b->w);
    vt_free(b->bias);
    vt_free(b->y);
    vt_free(b->ref);
    *b = (struct cbufs){0};
}

static float frac(vt_rng *r) { return (float)vt_rng_int(r, -99999, 99999) / 12345.0f; }

static void fill(vt_rng *r, float *p, size_t n, enum fill_kind kind, int lim)
{
    if (kind == FILL_INTS)
        vt_fill_ints(r, p, n, -lim, lim);
    else
        for (size_t i = 0; i < n; i++)
            p[i] = frac(r);
}

static void cb_fill(const vnn_conv2d_desc *d, struct cbufs *b, vt_rng *r, enum fill_kind kind)
{
    fill(r, b->x, b->xn, kind, 3);
    fill(r, b->w, b->wn, kind, 3);
    fill(r, b->bias, (size_t)d->C_out, kind, 8);
    vt_readonly(b->x);
    vt_readonly(b->w);
    vt_readonly(b->bias);
}

static void reset_y(struct cbufs *b) { vt_fill_nan(b->y, b->yn); }

/* ------------------------------------------------------------- messages */

static void describe(char *buf, size_t size, const vnn_conv2d_desc *d, int bias)
{
    snprintf(buf, size,
             "isa=%s threads=%d N=%" PRId64 " HxW=%" PRId64 "x%" PRId64 " C_in=%" PRId64
             " C_out=%" PRId64 " kernel=%" PRId64 "x%" PRId64 " stride=%" PRId64 "x%" PRId64
             " dilation=%" PRId64 "x%" PRId64 " pad(t,b,l,r)=%" PRId64 ",%" PRId64 ",%" PRId64
             ",%" PRId64 " groups=%" PRId64 " act=%s bias=%s",
             vnn_isa_name(vnn_get_isa()), vnn_get_num_threads(), d->N, d->H, d->W, d->C_in,
             d->C_out, d->kernel_h, d->kernel_w, d->stride_h, d->stride_w, d->dilation_h,
             d->dilation_w, d->pad_top, d->pad_bottom, d->pad_left, d->pad_right, d->groups,
             d->act == VNN_ACT_RELU ? "relu" : "none", bias ? "yes" : "no");
}

static _Noreturn void fail_case(const char *group, const char *what, const vnn_conv2d_desc *d,
                                int bias, struct cbufs *b, const char *detail)
{
    char desc[512];
    describe(desc, sizeof desc, d, bias);
    cb_free(b);
    vt_fail(__FILE__, __LINE__, "%s: %s: %s: %s", group, what, desc, detail);
}

/* got vs want over y (== and never NaN, or bit for bit) and the guards of
 * got's buffer untouched. Returns 1 if equal, else writes where. */
static int compare_y(const struct cbufs *b, const vnn_conv2d_desc *d, const float *got,
                     const float *want, int bitwise, char *msg, size_t size)
{
    return vt_compare_nhwc(got, want, b->yn, (size_t)d->C_out, (size_t)b->OH, (size_t)b->OW,
                           bitwise, msg, size);
}

/* ------------------------------------------------------------ computing */

/* vnn's result into b->y (reset first) through one entry point. */
static vnn_status run_vnn(const vnn_conv2d_desc *d, struct cbufs *b, int bias,
                          enum call_kind call)
{
    reset_y(b);
    const float *bp = bias ? b->bias : NULL;
    if (call == CALL_ONE)
        return vnn_conv2d(d, b->x, b->w, bp, b->y);
    vnn_conv2d_plan *p = NULL;
    vnn_status st = vnn_conv2d_plan_create(d, b->w, bp, &p);
    if (st != VNN_OK)
        return st;
    if (call == CALL_PLAN) {
        st = vnn_conv2d_plan_run(p, b->x, b->y, NULL, 0);
    } else {
        size_t bytes = 0;
        st = vnn_conv2d_plan_workspace_size(p, &bytes);
        if (st == VNN_OK) {
            /* An odd address (a multiple of 4, not 8): the plan must align it
             * itself; it ends at the guard page. */
            char *ws = vt_alloc_bytes(bytes + 4, 8);
            st = vnn_conv2d_plan_run(p, b->x, b->y, bytes ? ws + 4 : NULL, bytes);
            vt_guard_check(ws, "the plan's workspace");
            vt_free(ws);
        }
    }
    vnn_conv2d_plan_destroy(p);
    return st;
}

static int n_checked;
/* Plans per path (depthwise, GEMM, implicit, direct1) and implicit plans
 * with their weights split in kernel-row groups / column blocks innermost. */
static int n_path[4], n_khg, n_inner;

static void count_path(const vnn_conv2d_desc *d, const float *w)
{
    vnn_conv2d_plan *p = NULL;
    if (vnn_conv2d_plan_create(d, w, NULL, &p) != VNN_OK)
        return;
    n_path[p->path]++;
    n_khg += p->path == VNN_CONV_IMPLICIT && p->n_khg > 1;
    n_inner += p->path == VNN_CONV_IMPLICIT && p->blocks_inner;
    vnn_conv2d_plan_destroy(p);
}

static void log_paths(const char *group)
{
    vt_log("%s: paths: %d depthwise, %d GEMM (1x1), %d implicit GEMM (%d with kernel-row "
           "groups, %d with column blocks innermost), %d direct (1 input channel)",
           group, n_path[VNN_CONV_DEPTHWISE], n_path[VNN_CONV_GEMM], n_path[VNN_CONV_IMPLICIT],
           n_khg, n_inner, n_path[VNN_CONV_DIRECT1]);
}

/* The check every correctness group uses: integer data, vnn vs reference. */
static void check_case(const char *group, const vnn_conv2d_desc *d, int bias, vt_rng *r)
{
    struct cbufs b;
    char msg[400];
    cb_alloc(d, &b);
    cb_fill(d, &b, r, FILL_INTS);
    if (conv_ref(d, b.x, b.w, bias ? b.bias : NULL, b.ref) != 0)
        fail_case(group, "reference", d, bias, &b, "the reference convolution failed");
    enum call_kind call = (enum call_kind)(n_checked++ % CALL_KINDS);
    count_path(d, b.w);
    vnn_status st = run_vnn(d, &b, bias, call);
    if (st != VNN_OK) {
        snprintf(msg, sizeof msg, "%s returned %s", call_names[call], vnn_status_str(st));
        fail_case(group, "vnn", d, bias, &b, msg);
    }
    if (!compare_y(&b, d, b.y, b.ref, 0, msg, sizeof msg))
        fail_case(group, call_names[call], d, bias, &b, msg);
    cb_free(&b);
}

/* A descriptor with square defaults: kernel k, stride s, dilation dl,
 * symmetric padding pad, groups 1, no activation. */
static vnn_conv2d_desc mk(int64_t N, int64_t H, int64_t W, int64_t cin, int64_t cout, int64_t k,
                          int64_t s, int64_t dl, int64_t pad)
{
    return (vnn_conv2d_desc){
        .N = N, .H = H, .W = W, .C_in = cin, .C_out = cout, .kernel_h = k, .kernel_w = k,
        .stride_h = s, .stride_w = s, .dilation_h = dl, .dilation_w = dl, .pad_top = pad,
        .pad_bottom = pad, .pad_left = pad, .pad_right = pad, .groups = 1,
        .act = VNN_ACT_NONE,
    };
}

/* ------------------------------------------------------- random shapes */

static int64_t pick(vt_rng *r, const int64_t *v, int n) { return v[vt_rng_int(r, 0, n - 1)]; }

static double flops(const vnn_conv2d_desc *d)
{
    int64_t OH, OW;
    out_size(d, &OH, &OW);
    return 2.0 * (double)(d->N * OH * OW * d->C_out) *
           (double)(d->kernel_h * d->kernel_w * d->C_in / d->groups);
}

/* Halve the channels per group, then the image, until the convolution
 * costs at most max_flops (the scalar kernels run every case too). */
static void shrink(vnn_conv2d_desc *d, double max_flops)
{
    while (flops(d) > max_flops) {
        int64_t g = d->groups, cin = d->C_in / g, cout = d->C_out / g;
        int64_t eh = extent(d->kernel_h, d->dilation_h) - d->pad_top - d->pad_bottom;
        int64_t ew = extent(d->kernel_w, d->dilation_w) - d->pad_left - d->pad_right;
        if (cin > 4 || cout > 4) {
            d->C_in = g * ((cin + 1) / 2);
            d->C_out = g * ((cout + 1) / 2);
        } else if (d->H > 4 && d->H / 2 >= eh) {
            d->H /= 2;
        } else if (d->W > 4 && d->W / 2 >= ew) {
            d->W /= 2;
        } else if (d->N > 1) {
            d->N--;
        } else {
            return;
        }
    }
}

/* Shapes up to ~25 x 25 with up to ~40 channels per group; a tenth
 * depthwise, a tenth 1x1 stride 1, some grouped; random strides,
 * dilations, paddings (explicit, SAME or VALID), bias and ReLU. */
static vnn_conv2d_desc random_desc(vt_rng *r, int *bias)
{
    static const int64_t ks[] = {1, 1, 2, 3, 3, 3, 4, 5, 7};
    static const int64_t chans[] = {1, 2, 3, 4, 7, 8, 15, 16, 17, 24, 31, 32, 33, 40};
    vnn_conv2d_desc d = mk(1, 1, 1, 1, 1, 1, 1, 1, 0);
    int kind = vt_rng_int(r, 0, 9);
    d.N = vt_rng_int(r, 1, 3);
    d.kernel_h = pick(r, ks, 9);
    d.kernel_w = vt_rng_int(r, 0, 2) ? d.kernel_h : pick(r, ks, 9);
    d.stride_h = vt_rng_int(r, 0, 2) ? 1 : vt_rng_int(r, 2, 3);
    d.stride_w = vt_rng_int(r, 0, 2) ? d.stride_h : vt_rng_int(r, 1, 3);
    d.dilation_h = vt_rng_int(r, 0, 3) ? 1 : vt_rng_int(r, 2, 3);
    d.dilation_w = vt_rng_int(r, 0, 3) ? d.dilation_h : vt_rng_int(r, 1, 3);
    int64_t cin_g = pick(r, chans, 14), cout_g = pick(r, chans, 14);
    if (kind == 0) { /* depthwise, multiplier 1 (sometimes 2) */
        d.groups = vt_rng_int(r, 1, 70);
        cin_g = 1;
        cout_g = vt_rng_int(r, 0, 4) ? 1 : 2;
    } else if (kind <= 2) {
        d.groups = vt_rng_int(r, 2, 4);
        cin_g = vt_rng_int(r, 1, 12);
        cout_g = vt_rng_int(r, 1, 12);
    } else if (kind == 3) { /* the GEMM-on-the-input path */
        d.kernel_h = d.kernel_w = d.stride_h = d.stride_w = 1;
    }
    d.C_in = d.groups * cin_g;
    d.C_out = d.groups * cout_g;
    d.H = vt_rng_int(r, 1, 25);
    d.W = vt_rng_int(r, 0, 1) ? d.H : vt_rng_int(r, 1, 25);
    int64_t eh = extent(d.kernel_h, d.dilation_h), ew = extent(d.kernel_w, d.dilation_w);
    int pad_kind = kind == 3 ? 3 : vt_rng_int(r, 0, 3);
    if (pad_kind == 0) {
        d.pad_top = vt_rng_int(r, 0, (int)eh - 1);
        d.pad_bottom = vt_rng_int(r, 0, (int)eh - 1);
        d.pad_left = vt_rng_int(r, 0, (int)ew - 1);
        d.pad_right = vt_rng_int(r, 0, (int)ew - 1);
    } else {
        VT_CHECK(vnn_conv2d_set_padding(&d, pad_kind == 1 ? VNN_PADDING_SAME
                                                          : VNN_PADDING_VALID) == VNN_OK,
                 "random: vnn_conv2d_set_padding failed");
    }
    /* The padded image must hold one kernel window. */
    if (d.H + d.pad_top + d.pad_bottom < eh)
        d.H = eh - d.pad_top - d.pad_bottom;
    if (d.W + d.pad_left + d.pad_right < ew)
        d.W = ew - d.pad_left - d.pad_right;
    d.act = (vnn_activation)vt_rng_int(r, 0, 1);
    *bias = vt_rng_int(r, 0, 3) != 0;
    shrink(&d, 4e6);
    return d;
}

/* -------------------------------------------------------------- groups */

static void group_edge_shapes(vnn_isa isa)
{
    begin(isa, "edge_shapes");
    vt_rng r = vt_rng_make("conv/edge_shapes");
    int n0 = n_checked;
    static const int64_t chans[] = {1, 3, 15, 17, 33};
    /* 1x1 images: 1x1 kernel, and 3x3 / 5x5 kernels with all-padding. */
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            vnn_conv2d_desc d = mk(1 + (i + j) % 2, 1, 1, chans[i], chans[j], 1, 1, 1, 0);
            check_case("edge_shapes", &d, 1, &r);
            d = mk(2, 1, 1, chans[i], chans[j], 3, 1, 1, 1);
            d.act = VNN_ACT_RELU;
            check_case("edge_shapes", &d, (i + j) % 2, &r);
            d = mk(1, 1, 1, chans[i], chans[j], 5, 2, 1, 2);
            check_case("edge_shapes", &d, 1, &r);
        }
    /* Kernels larger than the input, held by padding. */
    for (int i = 0; i < 5; i++) {
        vnn_conv2d_desc d = mk(1, 2, 3, chans[i], chans[4 - i], 5, 1, 1, 2);
        check_case("edge_shapes", &d, 1, &r);
        d = mk(2, 3, 2, chans[i], chans[(i + 2) % 5], 7, 2, 1, 3); /* the stem's window */
        d.act = VNN_ACT_RELU;
        check_case("edge_shapes", &d, 0, &r);
        d = mk(1, 2, 2, chans[i], chans[(i + 1) % 5], 3, 1, 2, 4); /* dilated: extent 5 */
        check_case("edge_shapes", &d, 1, &r);
    }
    /* Channel counts across each other, 3x3 same, odd strides/dilations. */
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            int64_t s = 1 + (i + 2 * j) % 3, dl = 1 + (2 * i + j) % 3;
            vnn_conv2d_desc d = mk(1 + j % 2, 9 + i, 11 - j, chans[i], chans[j], 3, s, dl, 0);
            VT_CHECK(vnn_conv2d_set_padding(&d, VNN_PADDING_SAME) == VNN_OK, "SAME failed");
            d.act = (vnn_activation)((i + j) % 2);
            check_case("edge_shapes", &d, (i + j + 1) % 2, &r);
            d = mk(1, 13, 12, chans[j], chans[i], 3, 1 + i % 2, 1, 0);
            check_case("edge_shapes", &d, 1, &r);
        }
    /* Asymmetric and non-square: kernels 1x3, 3x1, 7x1, 2x5; odd strides 3, 5. */
    const int64_t shapes[][4] = {{1, 3, 1, 1}, {3, 1, 2, 1}, {7, 1, 1, 3}, {2, 5, 3, 5},
                                 {5, 2, 5, 3}, {1, 7, 1, 2}, {4, 4, 3, 3}, {6, 3, 2, 5}};
    for (int i = 0; i < 8; i++) {
        vnn_conv2d_desc d = mk(2, 17, 19, chans[i % 5], chans[(i + 3) % 5], 1, 1, 1, 0);
        d.kernel_h = shapes[i][0];
        d.kernel_w = shapes[i][1];
        d.stride_h = shapes[i][2];
        d.stride_w = shapes[i][3];
        d.pad_top = (d.kernel_h - 1) / 2;
        d.pad_bottom = d.kernel_h - 1 - d.pad_top;
        d.pad_left = d.kernel_w - 1;
        d.pad_right = 0;
        d.dilation_w = 1 + i % 3;
        d.pad_left = (d.kernel_w - 1) * d.dilation_w;
        check_case("edge_shapes", &d, i % 2, &r);
    }
    /* Groups (2, 3, 5) and depthwise (multiplier 1 and 3) with every
     * channel count, padded, strided, dilated. */
    for (int i = 0; i < 5; i++) {
        static const int64_t gs[] = {2, 3, 5};
        for (int k = 0; k < 3; k++) {
            int64_t g = gs[k];
            vnn_conv2d_desc d = mk(2, 10, 9, g * chans[i], g * chans[(i + k + 1) % 5], 3,
                                   1 + k % 2, 1, 1);
            d.groups = g;
            d.act = (vnn_activation)(k % 2);
            check_case("edge_shapes", &d, 1, &r);
        }
        int64_t c = chans[i];
        for (int v = 0; v < 4; v++) {
            vnn_conv2d_desc d = mk(2, 12 - v, 11, c, c, 3 + 2 * (v % 2), 1 + (v >= 2),
                                   1 + (v == 3), 1 + v % 2);
            d.groups = c;
            d.act = (vnn_activation)(v % 2);
            d.pad_right = 0;
            check_case("edge_shapes", &d, v != 1, &r);
        }
        vnn_conv2d_desc d = mk(1, 7, 8, c, 3 * c, 3, 2, 1, 1); /* multiplier 3 */
        d.groups = c;
        check_case("edge_shapes", &d, 1, &r);
        d = mk(1, 1, 1, c, c, 3, 1, 1, 1); /* depthwise 1x1 image */
        d.groups = c;
        check_case("edge_shapes", &d, 1, &r);
        d = mk(1, 4, 30, c, c, 3, 1, 1, 1); /* depthwise, a wide row */
        d.groups = c;
        d.act = VNN_ACT_RELU;
        check_case("edge_shapes", &d, 1, &r);
    }
    /* One input channel (AVX2's direct path from 32 outputs): every output
     * width mod 3, 32-channel tiles with 8-wide and masked tails, kernels
     * 1..7, strides 1-2, unpadded (read in place) and padded (strips),
     * asymmetric padding, ReLU and bias on and off, a batch. */
    static const int64_t c1_out[] = {32, 33, 40, 64, 71, 96, 8, 31};
    for (int i = 0; i < 8; i++) {
        int64_t k = 1 + i % 7, s = 1 + i % 2;
        vnn_conv2d_desc d = mk(1 + i % 3, 9 + i, 7 + i, 1, c1_out[i], k, s, 1, 0);
        d.act = (vnn_activation)(i % 2);
        check_case("edge_shapes", &d, i % 3 != 1, &r);
        d = mk(2, 6 + i, 5 + 2 * i, 1, c1_out[(i + 3) % 8], 3, 1 + (i + 1) % 2, 1, 1);
        d.pad_right = i % 3;
        d.pad_top = i % 2;
        d.act = (vnn_activation)((i + 1) % 2);
        check_case("edge_shapes", &d, i % 2, &r);
        d = mk(1, 16, 16 + i, 1, 32 * (1 + i % 2), 7, 2, 1, 3); /* a grayscale stem */
        check_case("edge_shapes", &d, 1, &r);
    }
    vt_log("edge_shapes: %d convolutions", n_checked - n0);
    log_paths("edge_shapes");
}

static void group_random(vnn_isa isa)
{
    begin(isa, "random");
    vt_rng r = vt_rng_make("conv/random");
    int count = vt_count(320), dw = 0, grouped = 0, direct = 0;
    for (int i = 0; i < count; i++) {
        int bias;
        vnn_conv2d_desc d = random_desc(&r, &bias);
        dw += d.groups == d.C_in && d.groups > 1;
        grouped += d.groups > 1 && d.groups != d.C_in;
        direct += d.kernel_h == 1 && d.kernel_w == 1 && d.stride_h == 1 && d.stride_w == 1;
        check_case("random", &d, bias, &r);
    }
    vt_log("random: %d convolutions (%d depthwise, %d grouped, %d 1x1 stride 1)", count, dw,
           grouped, direct);
    log_paths("random");
}

/* The shapes that reach every blocking decision of the driver: several row
 * blocks, K beyond the GEMM's K block, several column chunks per group,
 * large depthwise and 1x1 problems, the benchmark's layer shapes scaled
 * down. */
static void group_paths(vnn_isa isa)
{
    begin(isa, "paths");
    vt_rng r = vt_rng_make("conv/paths");
    const struct vnn_gemm_config *g = &vnn_kernels()->gemm;
    int64_t kc = g->kc, nr = g->nr;
    struct {
        vnn_conv2d_desc d;
        int bias;
    } cases[] = {
        {mk(2, 42, 41, 32, 40, 3, 1, 1, 0), 1},              /* many row blocks */
        {mk(1, 9, 8, kc / 9 + 7, 2 * nr + 3, 3, 1, 1, 1), 1}, /* K > kc */
        {mk(1, 6, 7, 20, 300, 3, 1, 1, 1), 0},               /* many column chunks */
        {mk(1, 7, 7, 64, 256, 3, 1, 1, 1), 1},               /* few rows, many chunks */
        {mk(3, 30, 30, 24, 72, 1, 1, 1, 0), 1},              /* 1x1 GEMM on the input */
        {mk(1, 17, 16, 256, 40, 1, 1, 1, 0), 1},             /* 1x1, lda 1 KiB */
        {mk(1, 9, 9, 1024, 16, 1, 1, 1, 0), 0},              /* 1x1, lda 4 KiB */
        {mk(1, 9, 10, 64, 24, 1, 2, 1, 0), 1},               /* 1x1 stride 2: im2col */
        {mk(2, 28, 28, 1, 32, 3, 1, 1, 0), 1},               /* seed1 */
        {mk(4, 13, 13, 32, 64, 3, 1, 1, 0), 1},              /* seed2 */
        {mk(8, 5, 5, 64, 64, 3, 1, 1, 0), 1},                /* seed3 */
        {mk(1, 45, 45, 3, 16, 7, 2, 1, 3), 1},               /* the stem */
        {mk(1, 60, 61, 40, 40, 3, 1, 1, 1), 1},              /* depthwise, large */
        {mk(2, 33, 31, 48, 48, 5, 2, 2, 4), 0},              /* depthwise, strided, dilated */
        {mk(1, 12, 12, 4 * 60, 4 * 70, 3, 1, 1, 1), 1},      /* groups with chunks */
        /* Weights too big for one L2 pass: kernel rows in groups, padded
         * rows with taps in some groups only (partial sums through C). */
        {mk(1, 5, 6, 7000, 8, 3, 1, 1, 1), 1},
        {mk(1, 4, 5, 2100, 40, 5, 2, 1, 2), 1},
        {mk(1, 6, 4, 3000, 24, 3, 1, 2, 2), 0},              /* dilated, not runs */
        /* Depthwise 3x3 stride 1: channel-tile pairs (then a single tile)
         * over spans of a wide row, a partial span at its end. */
        {mk(1, 9, 75, 80, 80, 3, 1, 1, 1), 1},
        {mk(2, 6, 40, 64, 64, 3, 1, 1, 1), 0},
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    cases[12].d.groups = cases[12].d.C_in;
    cases[13].d.groups = cases[13].d.C_in;
    cases[14].d.groups = 4;
    cases[18].d.groups = cases[18].d.C_in;
    cases[19].d.groups = cases[19].d.C_in;
    for (int i = 0; i < n; i++) {
        cases[i].d.act = (vnn_activation)(i % 2);
        check_case("paths", &cases[i].d, cases[i].bias, &r);
    }
    vt_log("paths: %d convolutions", n);
    log_paths("paths");
}

/* ------------------------------------------------------ threads and plans */

/* The same problem at 1, 2 and 3 threads, fractional data: bitwise equal. */
static void group_threads(vnn_isa isa)
{
    begin(isa, "threads");
    vt_rng r = vt_rng_make("conv/threads");
    char msg[400];
    vnn_conv2d_desc fixed[] = {
        mk(1, 7, 7, 64, 256, 3, 1, 1, 1),   /* few strips: threads split channels */
        mk(2, 20, 20, 16, 48, 3, 1, 1, 1),  /* threads split rows */
        mk(1, 30, 30, 24, 72, 1, 1, 1, 0),  /* 1x1 */
        mk(2, 40, 30, 24, 24, 3, 2, 1, 1),  /* depthwise */
        mk(1, 14, 14, 4 * 24, 4 * 24, 3, 1, 1, 1), /* grouped */
    };
    fixed[3].groups = 24;
    fixed[4].groups = 4;
    int n_fixed = (int)(sizeof fixed / sizeof fixed[0]), count = vt_count(25);
    for (int i = 0; i < n_fixed + count; i++) {
        int bias = 1;
        vnn_conv2d_desc d = i < n_fixed ? fixed[i] : random_desc(&r, &bias);
        if (i >= n_fixed) { /* big enough to thread */
            d.H += 20;
            d.W += 20;
            shrink(&d, 2e7);
        }
        struct cbufs b;
        cb_alloc(&d, &b);
        cb_fill(&d, &b, &r, FILL_FRAC);
        for (int t = 1; t <= 3; t++) {
            vnn_set_num_threads(t);
            enum call_kind call = (enum call_kind)((i + t) % CALL_KINDS);
            vnn_status st = run_vnn(&d, &b, bias, call);
            if (st != VNN_OK) {
                vnn_set_num_threads(2);
                snprintf(msg, sizeof msg, "%s returned %s", call_names[call],
                         vnn_status_str(st));
                fail_case("threads", "vnn", &d, bias, &b, msg);
            }
            if (t == 1) {
                memcpy(b.ref, b.y, b.yn * sizeof *b.ref);
            } else if (!compare_y(&b, &d, b.y, b.ref, 1, msg, sizeof msg)) {
                vnn_set_num_threads(2);
                fail_case("threads", "result differs from 1 thread (bitwise)", &d, bias, &b,
                          msg);
            }
        }
        cb_free(&b);
    }
    vnn_set_num_threads(2);
    vt_log("threads: %d convolutions at 1, 2 and 3 threads", n_fixed + count);
}

static int same_desc(const vnn_conv2d_desc *a, const vnn_conv2d_desc *b)
{
    return a->N == b->N && a->H == b->H && a->W == b->W && a->C_in == b->C_in &&
           a->C_out == b->C_out && a->kernel_h == b->kernel_h && a->kernel_w == b->kernel_w &&
           a->stride_h == b->stride_h && a->stride_w == b->stride_w &&
           a->dilation_h == b->dilation_h && a->dilation_w == b->dilation_w &&
           a->pad_top == b->pad_top && a->pad_bottom == b->pad_bottom &&
           a->pad_left == b->pad_left && a->pad_right == b->pad_right &&
           a->groups == b->groups && a->act == b->act;
}

struct concurrent {
    const vnn_conv2d_plan *plan;
    const float *x;
    float *y;
    vnn_status st;
};

static void *run_concurrent(void *arg)
{
    struct concurrent *c = arg;
    for (int i = 0; i < 3 && c->st == VNN_OK; i++)
        c->st = vnn_conv2d_plan_run(c->plan, c->x, c->y, NULL, 0);
    return NULL;
}

/* One plan run many ways: twice, with user workspaces (exact, one thread's
 * worth, too small), from two threads at once, after an ISA switch; all
 * bitwise equal to the first run. */
static void check_plan(const char *group, const vnn_conv2d_desc *d, int bias, vt_rng *r,
                       vnn_isa isa, int other)
{
    struct cbufs b;
    char msg[700], cmp[400] = "";
    cb_alloc(d, &b);
    cb_fill(d, &b, r, FILL_FRAC);
    vnn_conv2d_plan *p = NULL;
    vnn_status st = vnn_conv2d_plan_create(d, b.w, bias ? b.bias : NULL, &p);
    if (st != VNN_OK)
        fail_case(group, "vnn_conv2d_plan_create", d, bias, &b, vnn_status_str(st));
    /* The weights and bias were copied: the caller may reuse its buffers. */
    float *w_saved = b.w, *bias_saved = b.bias;
    b.w = vt_alloc_floats(b.wn);
    b.bias = vt_alloc_floats((size_t)d->C_out);
    vt_writable(w_saved);
    vt_writable(bias_saved);
    vt_fill_nan(w_saved, b.wn);
    vt_fill_nan(bias_saved, (size_t)d->C_out);
    vt_free(w_saved);
    vt_free(bias_saved);

#define PLAN_FAIL(...)                                                                   \
    do {                                                                                 \
        snprintf(msg, sizeof msg, __VA_ARGS__);                                          \
        vnn_conv2d_plan_destroy(p);                                                      \
        fail_case(group, "plan", d, bias, &b, msg);                                      \
    } while (0)

    vnn_conv2d_desc got;
    int64_t oh = 0, ow = 0;
    if (vnn_conv2d_plan_desc(p, &got, &oh, &ow) != VNN_OK || !same_desc(&got, d) ||
        oh != b.OH || ow != b.OW)
        PLAN_FAIL("vnn_conv2d_plan_desc gave OH=%" PRId64 " OW=%" PRId64, oh, ow);
    reset_y(&b);
    st = vnn_conv2d_plan_run(p, b.x, b.y, NULL, 0);
    if (st != VNN_OK)
        PLAN_FAIL("first run: %s", vnn_status_str(st));
    memcpy(b.ref, b.y, b.yn * sizeof *b.ref);
    reset_y(&b);
    st = vnn_conv2d_plan_run(p, b.x, b.y, NULL, 0);
    if (st != VNN_OK || !compare_y(&b, d, b.y, b.ref, 1, cmp, sizeof cmp))
        PLAN_FAIL("second run (%s) differs from the first: %s", vnn_status_str(st), cmp);

    size_t need = 0;
    if (vnn_conv2d_plan_workspace_size(p, &need) != VNN_OK)
        PLAN_FAIL("vnn_conv2d_plan_workspace_size failed");
    /* Exact size at every misalignment of 4; half of it (fewer threads).
     * Each workspace is guarded: it ends within 63 bytes of a guard page,
     * canaries in between. */
    size_t sizes[] = {need, need / 2 + 64};
    for (int s = 0; s < (need ? 2 : 1); s++)
        for (int off = 0; off < 64; off += 20) {
            char *wsg = vt_alloc_bytes(sizes[s] + (size_t)off, 64);
            reset_y(&b);
            st = vnn_conv2d_plan_run(p, b.x, b.y, need ? wsg + off : NULL, sizes[s]);
            if (!vt_guard_ok(wsg, cmp, sizeof cmp)) {
                vt_free(wsg);
                PLAN_FAIL("workspace of %zu bytes at offset %d: %s", sizes[s], off, cmp);
            }
            vt_free(wsg);
            if (st != VNN_OK || !compare_y(&b, d, b.y, b.ref, 1, cmp, sizeof cmp)) {
                PLAN_FAIL("workspace of %zu bytes (need %zu) at offset %d: %s, %s", sizes[s],
                          need, off, vnn_status_str(st), cmp);
            }
        }
    char *ws = vt_alloc_bytes(16, 1);
    if (need) { /* less than one thread's slice: refused, y untouched */
        for (size_t i = 0; i < b.yn; i++)
            b.y[i] = SENTINEL;
        st = vnn_conv2d_plan_run(p, b.x, b.y, ws, 16);
        int clean = 1;
        for (size_t i = 0; i < b.yn; i++)
            clean &= b.y[i] == SENTINEL;
        if (st != VNN_ERR_INVALID_ARG || !clean) {
            vt_free(ws);
            PLAN_FAIL("a 16-byte workspace returned %s and %s y", vnn_status_str(st),
                      clean ? "left" : "wrote");
        }
    }
    vt_free(ws);

    /* Two threads running the plan at once, each with its own output. */
    float *y2 = vt_alloc_floats(b.yn);
    reset_y(&b);
    struct concurrent c1 = {p, b.x, b.y, VNN_OK}, c2 = {p, b.x, y2, VNN_OK};
    pthread_t th;
    VT_CHECK(pthread_create(&th, NULL, run_concurrent, &c1) == 0, "pthread_create failed");
    run_concurrent(&c2);
    pthread_join(th, NULL);
    int same2 = memcmp(y2, b.ref, b.yn * sizeof *y2) == 0;
    vt_free(y2);
    if (c1.st != VNN_OK || c2.st != VNN_OK || !same2 ||
        !compare_y(&b, d, b.y, b.ref, 1, cmp, sizeof cmp))
        PLAN_FAIL("concurrent runs (%s, %s) differ from a single run: %s",
                  vnn_status_str(c1.st), vnn_status_str(c2.st), same2 ? cmp : "second output");

    /* A plan keeps the kernels it was packed for across vnn_set_isa(). */
    if (other) {
        vnn_set_isa((vnn_isa)(other - 1));
        reset_y(&b);
        st = vnn_conv2d_plan_run(p, b.x, b.y, NULL, 0);
        vnn_set_isa(isa);
        if (st != VNN_OK || !compare_y(&b, d, b.y, b.ref, 1, cmp, sizeof cmp))
            PLAN_FAIL("run after switching to %s: %s, %s", vnn_isa_name((vnn_isa)(other - 1)),
                      vnn_status_str(st), cmp);
    }
#undef PLAN_FAIL
    vnn_conv2d_plan_destroy(p);
    cb_free(&b);
}

static void group_plan(vnn_isa isa)
{
    begin(isa, "plan");
    vt_rng r = vt_rng_make("conv/plan");
    int other = 0; /* an ISA to switch to after planning (+1, 0 = none) */
    for (int i = 0; i < VNN_ISA_COUNT && !other; i++)
        if ((vnn_isa)i != isa && vnn_isa_supported((vnn_isa)i))
            other = i + 1;
    vnn_conv2d_desc fixed[] = {
        mk(2, 20, 20, 16, 48, 3, 1, 1, 1), mk(1, 7, 7, 64, 256, 3, 1, 1, 1),
        mk(2, 16, 16, 24, 40, 1, 1, 1, 0), mk(1, 30, 30, 32, 32, 3, 1, 1, 1),
    };
    fixed[3].groups = 32;
    int n_fixed = (int)(sizeof fixed / sizeof fixed[0]), count = vt_count(12);
    for (int i = 0; i < n_fixed + count; i++) {
        int bias = 1;
        vnn_conv2d_desc d = i < n_fixed ? fixed[i] : random_desc(&r, &bias);
        check_plan("plan", &d, bias, &r, isa, other);
    }
    VT_CHECK(vnn_conv2d_plan_destroy(NULL) == VNN_OK, "plan: destroy(NULL) must be OK");
    vt_log("plan: %d plans run twice, with workspaces, concurrently%s", n_fixed + count,
           other ? " and after an ISA switch" : "");
}

/* ---------------------------------------------------- layouts, padding */

/* OIHW -> HWIO against the index formula, and a convolution with imported
 * weights equals one with the same weights written as HWIO directly. */
static void group_oihw(vnn_isa isa)
{
    begin(isa, "oihw");
    vt_rng r = vt_rng_make("conv/oihw");
    int count = vt_count(20);
    char msg[400];
    for (int i = 0; i < count; i++) {
        int bias;
        vnn_conv2d_desc d = random_desc(&r, &bias);
        int64_t O = d.C_out, I = d.C_in / d.groups, KH = d.kernel_h, KW = d.kernel_w;
        struct cbufs b;
        cb_alloc(&d, &b);
        cb_fill(&d, &b, &r, FILL_INTS);
        float *oihw = vt_alloc_floats(b.wn), *back = vt_alloc_floats(b.wn);
        for (int64_t o = 0; o < O; o++) /* the test's own HWIO -> OIHW */
            for (int64_t c = 0; c < I; c++)
                for (int64_t h = 0; h < KH; h++)
                    for (int64_t w = 0; w < KW; w++)
                        oihw[((o * I + c) * KH + h) * KW + w] = b.w[((h * KW + w) * I + c) * O + o];
        vt_readonly(oihw);
        vnn_status st = vnn_conv2d_weights_from_oihw(O, I, KH, KW, oihw, back);
        int same = st == VNN_OK && memcmp(back, b.w, b.wn * sizeof *back) == 0;
        if (same) {
            VT_CHECK(conv_ref(&d, b.x, b.w, bias ? b.bias : NULL, b.ref) == 0, "reference");
            float *w = b.w;
            b.w = back;
            st = run_vnn(&d, &b, bias, (enum call_kind)(i % CALL_KINDS));
            b.w = w;
            same = st == VNN_OK && compare_y(&b, &d, b.y, b.ref, 0, msg, sizeof msg);
        }
        vt_free(oihw);
        vt_free(back);
        if (!same)
            fail_case("oihw", "OIHW import round trip", &d, bias, &b, vnn_status_str(st));
        cb_free(&b);
    }
    vt_log("oihw: %d weight sets: OIHW -> HWIO -> convolution", count);
}

/* SAME and VALID as TF/Keras compute them. */
static void group_padding(vnn_isa isa)
{
    begin(isa, "padding");
    /* in, kernel, stride, dilation -> SAME before, after */
    static const int64_t same[][6] = {
        {5, 3, 2, 1, 1, 1}, {6, 3, 2, 1, 0, 1}, {1, 7, 2, 1, 3, 3}, {10, 3, 1, 2, 2, 2},
        {8, 4, 1, 1, 1, 2}, {224, 7, 2, 1, 2, 3}, {112, 3, 1, 1, 1, 1}, {7, 1, 3, 1, 0, 0},
        {9, 2, 2, 1, 0, 1}, {4, 3, 5, 1, 0, 0}, {13, 5, 3, 3, 6, 6}, {2, 3, 1, 1, 1, 1},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        const int64_t *s = same[i];
        vnn_conv2d_desc d = mk(1, s[0], 2 * s[0] + 1, 3, 4, s[1], s[2], s[3], 9);
        d.kernel_w = 1;
        d.stride_w = 1;
        d.dilation_w = 1;
        VT_CHECK(vnn_conv2d_set_padding(&d, VNN_PADDING_SAME) == VNN_OK, "SAME failed");
        VT_CHECK(d.pad_top == s[4] && d.pad_bottom == s[5] && d.pad_left == 0 &&
                     d.pad_right == 0,
                 "padding: SAME for in=%" PRId64 " k=%" PRId64 " s=%" PRId64 " d=%" PRId64
                 " gave top/bottom %" PRId64 "/%" PRId64 ", want %" PRId64 "/%" PRId64,
                 s[0], s[1], s[2], s[3], d.pad_top, d.pad_bottom, s[4], s[5]);
    }
    vt_rng r = vt_rng_make("conv/padding");
    int count = vt_count(400);
    for (int i = 0; i < count; i++) {
        vnn_conv2d_desc d = mk(1, vt_rng_int(&r, 1, 60), vt_rng_int(&r, 1, 60), 2, 2,
                               vt_rng_int(&r, 1, 7), vt_rng_int(&r, 1, 4), vt_rng_int(&r, 1, 3),
                               0);
        d.kernel_w = vt_rng_int(&r, 1, 7);
        d.stride_w = vt_rng_int(&r, 1, 4);
        d.dilation_w = vt_rng_int(&r, 1, 3);
        int64_t oh, ow;
        VT_CHECK(vnn_conv2d_set_padding(&d, VNN_PADDING_SAME) == VNN_OK, "SAME failed");
        VT_CHECK(vnn_conv2d_output_size(&d, &oh, &ow) == VNN_OK &&
                     oh == (d.H + d.stride_h - 1) / d.stride_h &&
                     ow == (d.W + d.stride_w - 1) / d.stride_w &&
                     d.pad_bottom - d.pad_top >= 0 && d.pad_bottom - d.pad_top <= 1 &&
                     d.pad_right - d.pad_left >= 0 && d.pad_right - d.pad_left <= 1,
                 "padding: SAME H=%" PRId64 " k=%" PRId64 " s=%" PRId64 " d=%" PRId64
                 ": OH=%" PRId64 " pads %" PRId64 "/%" PRId64,
                 d.H, d.kernel_h, d.stride_h, d.dilation_h, oh, d.pad_top, d.pad_bottom);
        VT_CHECK(vnn_conv2d_set_padding(&d, VNN_PADDING_VALID) == VNN_OK && d.pad_top == 0 &&
                     d.pad_bottom == 0 && d.pad_left == 0 && d.pad_right == 0,
                 "padding: VALID must zero the paddings");
        int64_t eh = extent(d.kernel_h, d.dilation_h), ew = extent(d.kernel_w, d.dilation_w);
        vnn_status st = vnn_conv2d_output_size(&d, &oh, &ow);
        if (d.H >= eh && d.W >= ew)
            VT_CHECK(st == VNN_OK && oh == (d.H - eh) / d.stride_h + 1 &&
                         ow == (d.W - ew) / d.stride_w + 1,
                     "padding: VALID output size");
        else
            VT_CHECK(st == VNN_ERR_INVALID_ARG,
                     "padding: VALID with an image smaller than the window must fail");
    }
    vt_log("padding: %zu SAME cases against TF values, %d random SAME/VALID descriptors",
           sizeof same / sizeof same[0], count);
}

/* -------------------------------------------------------------- bad input */

#define BUF 4096

/* Every entry point with a descriptor refuses the call and writes nothing
 * (y stays SENTINEL, *plan becomes NULL). plan_too: vnn_conv2d_plan_create
 * must refuse it as well (its arguments are the bad ones); desc_too: so
 * must vnn_conv2d_output_size. */
static void expect_refused(const char *what, const vnn_conv2d_desc *d, const float *x,
                           const float *w, const float *bias, float *y, int plan_too,
                           int desc_too)
{
    for (int i = 0; i < BUF; i++)
        y[i] = SENTINEL;
    vnn_status st = vnn_conv2d(d, x, w, bias, y);
    VT_CHECK(st == VNN_ERR_INVALID_ARG, "bad_input: %s: vnn_conv2d returned %s", what,
             vnn_status_str(st));
    vnn_conv2d_plan *p = (vnn_conv2d_plan *)&st;
    vnn_status sp = vnn_conv2d_plan_create(d, w, bias, &p);
    if (sp == VNN_OK && p)
        vnn_conv2d_plan_destroy(p);
    if (plan_too)
        VT_CHECK(sp == VNN_ERR_INVALID_ARG && p == NULL,
                 "bad_input: %s: vnn_conv2d_plan_create returned %s (plan %s)", what,
                 vnn_status_str(sp), p ? "not reset to NULL" : "NULL");
    int64_t oh = -7, ow = -7;
    if (desc_too)
        VT_CHECK(vnn_conv2d_output_size(d, &oh, &ow) == VNN_ERR_INVALID_ARG && oh == -7 &&
                     ow == -7,
                 "bad_input: %s: vnn_conv2d_output_size accepted it", what);
    for (int i = 0; i < BUF; i++)
        VT_CHECK(y[i] == SENTINEL, "bad_input: %s: y[%d] was written", what, i);
}

#define BAD(what, ...)                                                                   \
    do {                                                                                 \
        vnn_conv2d_desc d = base;                                                        \
        __VA_ARGS__;                                                                     \
        expect_refused(what, &d, x, w, bias, y, 1, 1);                                   \
        n++;                                                                             \
    } while (0)

static void group_bad_input(vnn_isa isa)
{
    begin(isa, "bad_input");
    float *x = vt_alloc_floats(BUF), *w = vt_alloc_floats(BUF), *bias = vt_alloc_floats(BUF);
    float *y = vt_alloc_floats(BUF);
    for (int i = 0; i < BUF; i++)
        x[i] = w[i] = bias[i] = 1.0f;
    vt_readonly(x);
    vt_readonly(w);
    vt_readonly(bias);
    /* Valid: 1x6x5x4 -> 6, 3x3, stride 1, pad 1, groups 2 (everything below
     * changes one thing). */
    vnn_conv2d_desc base = mk(1, 6, 5, 4, 6, 3, 1, 1, 1);
    base.groups = 2;
    for (int i = 0; i < BUF; i++)
        y[i] = 0.0f;
    VT_CHECK(vnn_conv2d(&base, x, w, bias, y) == VNN_OK && y[0] == 9.0f && y[6 * 5 * 6] == 0.0f,
             "bad_input: the valid base call failed (y[0] = %g, want 2*2*2 + 1)",
             (double)y[0]);
    int n = 0;
    expect_refused("desc == NULL", NULL, x, w, bias, y, 1, 1);
    expect_refused("x == NULL", &base, NULL, w, bias, y, 0, 0);
    expect_refused("w == NULL", &base, x, NULL, bias, y, 1, 0);
    VT_CHECK(vnn_conv2d(&base, x, w, bias, NULL) == VNN_ERR_INVALID_ARG,
             "bad_input: y == NULL accepted");
    n += 4;
    BAD("N = 0", d.N = 0);
    BAD("H = 0", d.H = 0);
    BAD("W < 0", d.W = -4);
    BAD("C_in = 0", d.C_in = 0);
    BAD("C_out = -2", d.C_out = -2);
    BAD("kernel_h = 0", d.kernel_h = 0);
    BAD("kernel_w < 0", d.kernel_w = -3);
    BAD("stride_h = 0", d.stride_h = 0);
    BAD("stride_w = 0", d.stride_w = 0);
    BAD("stride_h < 0", d.stride_h = -1);
    BAD("dilation_h = 0", d.dilation_h = 0);
    BAD("dilation_w = 0", d.dilation_w = 0);
    BAD("groups = 0", d.groups = 0);
    BAD("groups < 0", d.groups = -2);
    BAD("groups do not divide C_in", d.groups = 3, d.C_out = 6);
    BAD("groups do not divide C_out", d.C_out = 5);
    BAD("groups > channels", d.groups = 8);
    BAD("pad_top < 0", d.pad_top = -1);
    BAD("pad_right < 0", d.pad_right = -1);
    BAD("pad_top = kernel", d.pad_top = 3);
    BAD("pad_bottom = kernel", d.pad_bottom = 3);
    BAD("pad_left = kernel", d.pad_left = 3);
    BAD("pad_right = kernel", d.pad_right = 3);
    BAD("pad = dilated extent", d.dilation_w = 2, d.pad_left = 5);
    BAD("image smaller than the window", d.H = 2, d.pad_top = 0, d.pad_bottom = 0);
    BAD("dilated window larger than the image", d.dilation_h = 4, d.pad_top = 0,
        d.pad_bottom = 0);
    BAD("bad activation", d.act = (vnn_activation)2);
    BAD("negative activation", d.act = (vnn_activation)-1);
    /* Sizes whose byte counts overflow, or exceed PTRDIFF_MAX. */
    BAD("N = INT64_MAX", d.N = INT64_MAX);
    BAD("H * W overflows", d.H = INT64_C(1) << 40, d.W = INT64_C(1) << 40);
    BAD("x bytes > PTRDIFF_MAX", d.N = INT64_C(1) << 58, d.H = 2, d.W = 2);
    BAD("C_out * C_in overflows", d.groups = 1, d.C_in = INT64_C(1) << 32,
        d.C_out = INT64_C(1) << 32);
    BAD("kernel * dilation overflows", d.kernel_h = INT64_C(1) << 40,
        d.dilation_h = INT64_C(1) << 40);
    BAD("kernel_h = INT64_MAX", d.kernel_h = INT64_MAX, d.H = INT64_MAX);
    BAD("pads overflow H", d.kernel_h = INT64_MAX / 2, d.pad_top = INT64_MAX / 2 - 1,
        d.pad_bottom = INT64_MAX / 2 - 1, d.H = INT64_MAX / 2);
    BAD("stride = INT64_MIN", d.stride_w = INT64_MIN);
    /* x and y overlapping. */
    {
        for (int i = 0; i < BUF; i++)
            y[i] = SENTINEL;
        vnn_status st = vnn_conv2d(&base, y + 10, w, bias, y);
        VT_CHECK(st == VNN_ERR_INVALID_ARG, "bad_input: overlapping x and y: %s",
                 vnn_status_str(st));
        vnn_conv2d_plan *p = NULL;
        VT_CHECK(vnn_conv2d_plan_create(&base, w, bias, &p) == VNN_OK, "plan_create failed");
        st = vnn_conv2d_plan_run(p, y, y + 100, NULL, 0);
        vnn_status s2 = vnn_conv2d_plan_run(p, NULL, y, NULL, 0);
        vnn_status s3 = vnn_conv2d_plan_run(p, x, NULL, NULL, 0);
        vnn_status s4 = vnn_conv2d_plan_run(NULL, x, y, NULL, 0);
        vnn_status s5 = vnn_conv2d_plan_run(p, x, y, x + 4, 0); /* workspace of 0 bytes */
        size_t bytes;
        vnn_status s6 = vnn_conv2d_plan_workspace_size(p, NULL);
        vnn_status s7 = vnn_conv2d_plan_workspace_size(NULL, &bytes);
        vnn_conv2d_desc dd;
        int64_t oh, ow;
        vnn_status s8 = vnn_conv2d_plan_desc(p, NULL, &oh, &ow);
        vnn_status s9 = vnn_conv2d_plan_desc(NULL, &dd, &oh, &ow);
        vnn_conv2d_plan_destroy(p);
        VT_CHECK(st == VNN_ERR_INVALID_ARG && s2 == st && s3 == st && s4 == st && s5 == st &&
                     s6 == st && s7 == st && s8 == st && s9 == st,
                 "bad_input: plan calls: overlap %s, x NULL %s, y NULL %s, plan NULL %s, "
                 "empty workspace %s, ws size NULLs %s %s, desc NULLs %s %s",
                 vnn_status_str(st), vnn_status_str(s2), vnn_status_str(s3),
                 vnn_status_str(s4), vnn_status_str(s5), vnn_status_str(s6),
                 vnn_status_str(s7), vnn_status_str(s8), vnn_status_str(s9));
        for (int i = 0; i < BUF; i++)
            VT_CHECK(y[i] == SENTINEL, "bad_input: a refused plan run wrote y[%d]", i);
        n += 10;
    }
    /* The helpers. */
    {
        int64_t oh, ow;
        VT_CHECK(vnn_conv2d_output_size(&base, NULL, &ow) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_output_size(&base, &oh, NULL) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_plan_create(&base, w, bias, NULL) == VNN_ERR_INVALID_ARG,
                 "bad_input: NULL outputs accepted");
        vnn_conv2d_desc d = base;
        d.pad_top = 77;
        VT_CHECK(vnn_conv2d_set_padding(NULL, VNN_PADDING_SAME) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_set_padding(&d, (vnn_padding)5) == VNN_ERR_INVALID_ARG &&
                     d.pad_top == 77,
                 "bad_input: set_padding with NULL / a bad mode");
        d.stride_h = 0;
        VT_CHECK(vnn_conv2d_set_padding(&d, VNN_PADDING_SAME) == VNN_ERR_INVALID_ARG &&
                     d.pad_top == 77,
                 "bad_input: set_padding with stride 0 must fail and leave desc");
        d = base;
        d.pad_top = 77;
        d.dilation_w = INT64_MAX;
        VT_CHECK(vnn_conv2d_set_padding(&d, VNN_PADDING_VALID) == VNN_ERR_INVALID_ARG &&
                     d.pad_top == 77,
                 "bad_input: set_padding with an overflowing extent must fail");
        for (int i = 0; i < BUF; i++)
            y[i] = SENTINEL;
        VT_CHECK(vnn_conv2d_weights_from_oihw(6, 2, 3, 3, NULL, y) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_weights_from_oihw(6, 2, 3, 3, w, NULL) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_weights_from_oihw(0, 2, 3, 3, w, y) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_weights_from_oihw(6, -1, 3, 3, w, y) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_weights_from_oihw(6, 2, 0, 3, w, y) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_weights_from_oihw(6, 2, 3, 0, w, y) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_weights_from_oihw(INT64_C(1) << 40, INT64_C(1) << 40, 3, 3,
                                                  w, y) == VNN_ERR_INVALID_ARG &&
                     vnn_conv2d_weights_from_oihw(6, 2, 3, 3, y + 5, y) == VNN_ERR_INVALID_ARG,
                 "bad_input: weights_from_oihw accepted a bad call");
        for (int i = 0; i < BUF; i++)
            VT_CHECK(y[i] == SENTINEL, "bad_input: a refused weights_from_oihw wrote [%d]", i);
        n += 15;
    }
    vt_free(x);
    vt_free(w);
    vt_free(bias);
    vt_free(y);
    vt_log("bad_input: %d invalid calls refused without writing", n);
}

/* ------------------------------------------------------------- the suite */

#define CONV_SUITE(isa, suite)                                                 \
    VT_TEST(suite, edge_shapes) { group_edge_shapes(isa); }                    \
    VT_TEST(suite, random) { group_random(isa); }                              \
    VT_TEST(suite, paths) { group_paths(isa); }                                \
    VT_TEST(suite, threads) { group_threads(isa); }                            \
    VT_TEST(suite, plan) { group_plan(isa); }                                  \
    VT_TEST(suite, oihw) { group_oihw(isa); }                                  \
    VT_TEST(suite, padding) { group_padding(isa); }                            \
    VT_TEST(suite, bad_input) { group_bad_input(isa); }

CONV_SUITE(VNN_ISA_SCALAR, conv_scalar)
CONV_SUITE(VNN_ISA_AVX2, conv_avx2)
CONV_SUITE(VNN_ISA_AVX512, conv_avx512)
CONV_SUITE(VNN_ISA_NEON, conv_neon)
