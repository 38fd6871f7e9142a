/* Pooling suite: every ISA this machine runs, against oneDNN's pooling
 * forward (or, without oneDNN, vnn's scalar kernels; see pool-reference.h).
 *
 * Inputs are small integers in [-8, 8], so a max is one of them and an
 * average's sum (at most a few thousand taps here) is an integer far below
 * 2^24: any summation order gives the same float, and the quotient
 * sum / divisor is one correctly rounded division in vnn, in oneDNN and in
 * the PyTorch loops alike. Every comparison is therefore exact (==, never
 * NaN); see compare_y for the one exception kept in reserve.
 *
 * ceil mode: oneDNN has none, so pool_ref() enlarges the bottom/right
 * padding until oneDNN's floor-mode size is PyTorch's ceil-mode size. That
 * is exact for max and for averages without count_include_pad (padding is
 * never read or counted), and for count_include_pad as long as no window
 * hangs past the real padding. When one does, oneDNN divides by the whole
 * kernel and PyTorch by the window clipped to the padded input, so those
 * cases are compared with pool_ref_pytorch(), a plain loop nest written
 * from PyTorch's CPU kernel; that loop nest is itself checked against
 * oneDNN on every case where the two agree.
 *
 * The output buffer starts as NaN (an element vnn does not write fails)
 * between guard zones that must come back untouched; the input sits
 * between NaN guards (a read past it poisons the result). The thread group
 * uses non-integer data, where order matters, and demands bitwise equality
 * across thread counts. One test per (ISA, group); POOL_SUITE at the bottom
 * generates them, and an ISA the machine lacks skips with a message. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "pool-reference.h"
#include "vnn/vnn.h"
#include "vt.h"

#define SENTINEL 1234.5f

/* One pooling problem. GLOBAL is vnn_global_avgpool2d (p unused). */
enum op { OP_MAX = POOL_MAX, OP_AVG = POOL_AVG, OP_GLOBAL };

struct pcase {
    enum op op;
    int64_t N, H, W, C;
    vnn_pool2d_params p;
};

struct pbufs {
    int64_t OH, OW;
    size_t xn, yn;
    float *x, *y, *ref, *ref2; /* guarded (vt_alloc_floats); x read-only once filled */
};

enum fill_kind { FILL_INTS, FILL_FRAC };

/* Which reference a case was compared with. */
enum ref_kind { REF_DNNL, REF_PYTORCH };

/* ------------------------------------------------------------------ setup */

static void begin(vnn_isa isa, const char *group)
{
    vt_use_isa(isa);
    /* Every group starts from the same state whatever ran before it in this
     * process (the in-process runner): two threads, so threaded paths run. */
    VT_CHECK(vnn_set_num_threads(2) == VNN_OK, "vnn_set_num_threads(2) failed");
    const struct vnn_pool_config *c = &vnn_kernels()->pool;
    vt_log("pool/%s/%s: %s, %s; reference: %s", vnn_isa_name(isa), group, c->max_name,
           c->avg_name, pool_ref_name());
}

static void pb_free(struct pbufs *b)
{
    vt_free(b->x);
    vt_free(b->y);
    vt_free(b->ref);
    vt_free(b->ref2);
    *b = (struct pbufs){0};
}

/* Output size from the test's own formula (vnn's is checked against it). */
static void out_size(const struct pcase *c, int64_t *OH, int64_t *OW)
{
    if (c->op == OP_GLOBAL) {
        *OH = *OW = 1;
        return;
    }
    *OH = pool_ref_out_dim(c->H, c->p.kernel_h, c->p.stride_h, c->p.pad_top, c->p.pad_bottom,
                           c->p.ceil_mode);
    *OW = pool_ref_out_dim(c->W, c->p.kernel_w, c->p.stride_w, c->p.pad_left, c->p.pad_right,
                           c->p.ceil_mode);
}

static void pb_alloc(const struct pcase *c, struct pbufs *b)
{
    *b = (struct pbufs){0};
    out_size(c, &b->OH, &b->OW);
    VT_CHECK(b->OH >= 1 && b->OW >= 1, "test bug: a case with no output");
    b->xn = (size_t)(c->N * c->H * c->W * c->C);
    b->yn = (size_t)(c->N * b->OH * b->OW * c->C);
    b->x = vt_alloc_floats(b->xn);
    b->y = vt_alloc_floats(b->yn);
    b->ref = vt_alloc_floats(b->yn);
    b->ref2 = vt_alloc_floats(b->yn);
}

static float frac(vt_rng *r) { return (float)vt_rng_int(r, -99999, 99999) / 12345.0f; }

static void pb_fill(struct pbufs *b, vt_rng *r, enum fill_kind kind)
{
    vt_writable(b->x);
    if (kind == FILL_INTS)
        vt_fill_ints(r, b->x, b->xn, -8, 8);
    else
        for (size_t i = 0; i < b->xn; i++)
            b->x[i] = frac(r);
    vt_readonly(b->x);
}

static void reset_y(struct pbufs *b) { vt_fill_nan(b->y, b->yn); }

/* ------------------------------------------------------------- messages */

static const char *op_name(const struct pcase *c)
{
    if (c->op == OP_MAX)
        return "max";
    if (c->op == OP_GLOBAL)
        return "global_avg";
    return c->p.count_include_pad ? "avg(count_include_pad)" : "avg(exclude pad)";
}

static void describe(char *buf, size_t size, const struct pcase *c)
{
    const vnn_pool2d_params *p = &c->p;
    int n = snprintf(buf, size,
                     "%s isa=%s threads=%d N=%" PRId64 " HxW=%" PRId64 "x%" PRId64
                     " C=%" PRId64, op_name(c), vnn_isa_name(vnn_get_isa()),
                     vnn_get_num_threads(), c->N, c->H, c->W, c->C);
    if (c->op != OP_GLOBAL && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n,
                 " kernel=%" PRId64 "x%" PRId64 " stride=%" PRId64 "x%" PRId64
                 " pad(t,b,l,r)=%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 " ceil=%d",
                 p->kernel_h, p->kernel_w, p->stride_h, p->stride_w, p->pad_top,
                 p->pad_bottom, p->pad_left, p->pad_right, (int)p->ceil_mode);
}

static _Noreturn void fail_case(const char *group, const char *what, const struct pcase *c,
                                struct pbufs *b, const char *detail)
{
    char desc[400];
    describe(desc, sizeof desc, c);
    pb_free(b);
    vt_fail(__FILE__, __LINE__, "%s: %s: %s: %s", group, what, desc, detail);
}

/* got vs want over y: == and never NaN (so -0 equals +0), or bit for bit;
 * got's guarded buffer intact. Returns 1 if equal, else writes
 * where. Every comparison in this suite is exact (see the top): if oneDNN
 * ever multiplied by a reciprocal instead of dividing, the bound to use
 * would be one ulp (|got - want| <= 2^-23 |want|), and this is where it
 * would go. */
static int compare_y(const struct pcase *c, const struct pbufs *b, const float *got,
                     const float *want, int bitwise, char *msg, size_t size)
{
    return vt_compare_nhwc(got, want, b->yn, (size_t)c->C, (size_t)b->OH, (size_t)b->OW,
                           bitwise, msg, size);
}

/* ------------------------------------------------------------ computing */

static vnn_status run_vnn(const struct pcase *c, struct pbufs *b)
{
    reset_y(b);
    switch (c->op) {
    case OP_MAX:
        return vnn_maxpool2d(&c->p, c->N, c->H, c->W, c->C, b->x, b->OH, b->OW, b->y);
    case OP_AVG:
        return vnn_avgpool2d(&c->p, c->N, c->H, c->W, c->C, b->x, b->OH, b->OW, b->y);
    default:
        return vnn_global_avgpool2d(c->N, c->H, c->W, c->C, b->x, b->y);
    }
}

/* The PyTorch loop nest for this case (GLOBAL: an average whose one
 * window is the image). */
static void run_pytorch(const struct pcase *c, const struct pbufs *b, float *out)
{
    if (c->op == OP_GLOBAL) {
        vnn_pool2d_params g = {.kernel_h = c->H, .kernel_w = c->W, .stride_h = 1,
                               .stride_w = 1};
        pool_ref_pytorch(POOL_AVG, &g, c->N, c->H, c->W, c->C, b->x, 1, 1, out);
    } else {
        pool_ref_pytorch((enum pool_kind)c->op, &c->p, c->N, c->H, c->W, c->C, b->x, b->OH,
                         b->OW, out);
    }
}

static int run_ref(const struct pcase *c, const struct pbufs *b, float *out)
{
    if (c->op == OP_GLOBAL)
        return pool_ref_global_avg(c->N, c->H, c->W, c->C, b->x, out);
    return pool_ref((enum pool_kind)c->op, &c->p, c->N, c->H, c->W, c->C, b->x, b->OH, b->OW,
                    out);
}

static int dnnl_agrees(const struct pcase *c)
{
    return c->op == OP_GLOBAL || pool_ref_dnnl_agrees((enum pool_kind)c->op, &c->p, c->H, c->W);
}

/* vnn's output size must be the test's (PyTorch's) formula. */
static void check_output_size(const char *group, const struct pcase *c, struct pbufs *b)
{
    if (c->op == OP_GLOBAL)
        return;
    int64_t OH = -1, OW = -1;
    vnn_status st = vnn_pool2d_output_size(&c->p, c->H, c->W, &OH, &OW);
    if (st != VNN_OK || OH != b->OH || OW != b->OW) {
        char msg[160];
        snprintf(msg, sizeof msg, "vnn_pool2d_output_size: %s, %" PRId64 "x%" PRId64
                 ", expected %" PRId64 "x%" PRId64, vnn_status_str(st), OH, OW, b->OH, b->OW);
        fail_case(group, "output size", c, b, msg);
    }
}

/* The check every correctness group uses: integer data, vnn vs the
 * reference that holds for the case. Returns which one it was. */
static enum ref_kind check_case(const char *group, const struct pcase *c, vt_rng *r)
{
    struct pbufs b;
    char msg[300];
    pb_alloc(c, &b);
    check_output_size(group, c, &b);
    pb_fill(&b, r, FILL_INTS);
    vnn_status st = run_vnn(c, &b);
    if (st != VNN_OK) {
        snprintf(msg, sizeof msg, "returned %s", vnn_status_str(st));
        fail_case(group, "vnn", c, &b, msg);
    }
    run_pytorch(c, &b, b.ref2);
    enum ref_kind used = REF_PYTORCH;
    if (dnnl_agrees(c)) {
        used = REF_DNNL;
        if (run_ref(c, &b, b.ref) != 0)
            fail_case(group, "reference", c, &b, "the reference pooling failed");
        if (!compare_y(c, &b, b.y, b.ref, 0, msg, sizeof msg))
            fail_case(group, "vnn != reference", c, &b, msg);
        /* The PyTorch loops are only trusted where they are checked. */
        if (!compare_y(c, &b, b.ref2, b.ref, 0, msg, sizeof msg))
            fail_case(group, "PyTorch loops != reference (test bug)", c, &b, msg);
    } else if (!compare_y(c, &b, b.y, b.ref2, 0, msg, sizeof msg)) {
        fail_case(group, "vnn != PyTorch loops (count_include_pad, ceil overhang)", c, &b,
                  msg);
    }
    pb_free(&b);
    return used;
}

/* ------------------------------------------------------- random shapes */

/* Every tile and tail of every kernel: 1-3 (NEON's scalar tail), around 4,
 * 8, 16, 32, 64, 128 (register and tile widths), 255 = 128 + 64 + 32 + 16
 * + 15 (every AVX-512 tile, then a masked tail). */
static const int64_t edge_channels[] = {1,  2,  3,  4,  5,  7,  8,   9,   15,  16,  17,
                                        31, 32, 33, 63, 64, 65, 127, 128, 129, 255};
#define N_EDGE_C ((int)(sizeof edge_channels / sizeof edge_channels[0]))

static int64_t pick_channels(vt_rng *r)
{
    switch (vt_rng_int(r, 0, 5)) {
    case 0:
    case 1:
        return edge_channels[vt_rng_int(r, 0, N_EDGE_C - 1)];
    case 2:
        return vt_rng_int(r, 130, 300);
    default:
        return vt_rng_int(r, 1, 80);
    }
}

static int64_t pick_dim(vt_rng *r)
{
    switch (vt_rng_int(r, 0, 7)) {
    case 0:
        return vt_rng_int(r, 1, 3);
    case 1:
        return vt_rng_int(r, 25, 60);
    default:
        return vt_rng_int(r, 1, 24);
    }
}

/* Valid parameters for H x W: kernels 1..7 (larger than the image when
 * the padding or ceil mode allows), strides 1..5, every padding drawn
 * independently in [0, kernel / 2] (PyTorch's range), one draw in four in
 * [0, kernel - 1] (ONNX's). Redrawn until the output is not empty. */
static int64_t draw_pad(vt_rng *r, int64_t k)
{
    int wide = vt_rng_int(r, 0, 3) == 0;
    return vt_rng_int(r, 0, wide ? (int)k - 1 : (int)k / 2);
}

static void random_params(vt_rng *r, struct pcase *c, int ceil_mode)
{
    vnn_pool2d_params *p = &c->p;
    for (;;) {
        p->kernel_h = vt_rng_int(r, 1, 7);
        p->kernel_w = vt_rng_int(r, 1, 7);
        p->stride_h = vt_rng_int(r, 0, 3) == 0 ? vt_rng_int(r, 3, 5) : vt_rng_int(r, 1, 2);
        p->stride_w = vt_rng_int(r, 0, 3) == 0 ? vt_rng_int(r, 3, 5) : vt_rng_int(r, 1, 2);
        p->pad_top = draw_pad(r, p->kernel_h);
        p->pad_bottom = vt_rng_int(r, 0, 2) == 0 ? p->pad_top : draw_pad(r, p->kernel_h);
        p->pad_left = draw_pad(r, p->kernel_w);
        p->pad_right = vt_rng_int(r, 0, 2) == 0 ? p->pad_left : draw_pad(r, p->kernel_w);
        p->ceil_mode = ceil_mode < 0 ? vt_rng_int(r, 0, 1) : ceil_mode;
        int64_t OH, OW;
        out_size(c, &OH, &OW);
        if (OH >= 1 && OW >= 1)
            return;
    }
}

/* One statement per draw: the order of evaluation inside an initializer
 * is unspecified, and a seed must give the same shapes on every build. */
static struct pcase random_case(vt_rng *r, enum op op, int include_pad, int ceil_mode)
{
    struct pcase c = {0};
    c.op = op;
    c.N = vt_rng_int(r, 1, 3);
    c.H = pick_dim(r);
    c.W = pick_dim(r);
    c.C = pick_channels(r);
    c.p.count_include_pad = include_pad;
    random_params(r, &c, ceil_mode);
    return c;
}

/* -------------------------------------------------------------- groups */

/* Spatial edge cases: 1x1 images, kernels larger than the image (with
 * padding or ceil mode), odd strides, asymmetric padding, pad == kernel/2. */
static const struct {
    int64_t H, W, kh, kw, sh, sw, pt, pb, pl, pr;
    int ceil;
} edge_geoms[] = {
    {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0},   {1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1},
    {1, 1, 3, 3, 1, 1, 1, 1, 1, 1, 0},   {1, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1},
    {2, 2, 5, 5, 1, 1, 2, 2, 2, 2, 0},   {2, 3, 5, 7, 2, 3, 2, 2, 3, 3, 1},
    {3, 2, 7, 5, 3, 1, 3, 3, 2, 2, 1},   {1, 4, 4, 2, 3, 1, 2, 2, 0, 1, 1},
    {5, 7, 3, 3, 3, 3, 1, 1, 1, 1, 1},   {9, 11, 3, 2, 5, 3, 1, 0, 0, 1, 1},
    {26, 26, 2, 2, 2, 2, 0, 0, 0, 0, 0}, {13, 13, 3, 3, 2, 2, 1, 1, 1, 1, 0},
    {12, 12, 3, 3, 2, 2, 0, 0, 0, 0, 1}, {8, 8, 2, 2, 3, 3, 1, 1, 1, 1, 1},
    {7, 7, 7, 7, 1, 1, 0, 0, 0, 0, 0},   {1, 9, 1, 3, 1, 2, 0, 0, 1, 1, 1},
    {10, 1, 4, 1, 3, 1, 2, 1, 0, 0, 1},  {6, 6, 4, 4, 4, 4, 2, 2, 2, 2, 1},
    {4, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1},   {3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1},
    {17, 5, 5, 3, 4, 2, 2, 1, 1, 0, 0},  {11, 11, 6, 6, 5, 5, 3, 2, 1, 3, 1},
};
#define N_EDGE_GEOMS ((int)(sizeof edge_geoms / sizeof edge_geoms[0]))

static void group_edge_shapes(vnn_isa isa)
{
    begin(isa, "edge_shapes");
    vt_rng r = vt_rng_make("pool/edge_shapes");
    int n = 0, pytorch = 0;
    for (int g = 0; g < N_EDGE_GEOMS; g++) {
        for (int ci = 0; ci < N_EDGE_C; ci++) {
            for (int k = 0; k < 3; k++, n++) {
                struct pcase c = {
                    .op = k == 0 ? OP_MAX : OP_AVG, .N = 1 + (ci + g) % 2,
                    .H = edge_geoms[g].H, .W = edge_geoms[g].W, .C = edge_channels[ci],
                    .p = {edge_geoms[g].kh, edge_geoms[g].kw, edge_geoms[g].sh,
                          edge_geoms[g].sw, edge_geoms[g].pt, edge_geoms[g].pb,
                          edge_geoms[g].pl, edge_geoms[g].pr, edge_geoms[g].ceil, k == 2},
                };
                pytorch += check_case("edge_shapes", &c, &r) == REF_PYTORCH;
            }
        }
    }
    /* Kernels of 2^40 (2^39 padding either side) over a 1-pixel-high image:
     * valid, one tap per window; the count_include_pad divisor is 2^40.
     * Against the PyTorch loops only (oneDNN would walk the whole kernel). */
    for (int k = 0; k < 3; k++, n++) {
        const int64_t big = INT64_C(1) << 40;
        struct pcase c = {
            .op = k == 0 ? OP_MAX : OP_AVG, .N = 2, .H = 1, .W = 5, .C = 19,
            .p = {big, 3, 1, 2, big / 2, big / 2, 1, 1, k == 1, k == 2},
        };
        struct pbufs b;
        char msg[300];
        pb_alloc(&c, &b);
        check_output_size("edge_shapes", &c, &b);
        pb_fill(&b, &r, FILL_INTS);
        if (run_vnn(&c, &b) != VNN_OK)
            fail_case("edge_shapes", "vnn (huge kernel)", &c, &b, "failed");
        run_pytorch(&c, &b, b.ref);
        if (!compare_y(&c, &b, b.y, b.ref, 0, msg, sizeof msg))
            fail_case("edge_shapes", "vnn != PyTorch loops (huge kernel)", &c, &b, msg);
        pb_free(&b);
    }
    vt_log("edge_shapes: %d poolings (%d geometries x %d channel counts x max/avg/avg+pad, "
           "and 3 with 2^40 kernels), %d against the PyTorch loops", n, N_EDGE_GEOMS, N_EDGE_C,
           pytorch);
}

static void group_random_max(vnn_isa isa)
{
    begin(isa, "random_max");
    vt_rng r = vt_rng_make("pool/random_max");
    int count = vt_count(320), ceil = 0;
    for (int i = 0; i < count; i++) {
        struct pcase c = random_case(&r, OP_MAX, 0, -1);
        ceil += c.p.ceil_mode;
        check_case("random_max", &c, &r);
    }
    vt_log("random_max: %d max poolings, %d in ceil mode", count, ceil);
}

static void group_random_avg(vnn_isa isa)
{
    begin(isa, "random_avg");
    vt_rng r = vt_rng_make("pool/random_avg");
    int count = vt_count(320), ceil = 0, pytorch = 0;
    for (int include = 0; include < 2; include++) {
        for (int i = 0; i < count; i++) {
            struct pcase c = random_case(&r, OP_AVG, include, -1);
            ceil += c.p.ceil_mode;
            pytorch += check_case("random_avg", &c, &r) == REF_PYTORCH;
        }
    }
    vt_log("random_avg: %d average poolings per count_include_pad mode, %d in ceil mode, "
           "%d against the PyTorch loops", count, ceil, pytorch);
}

/* Ceil mode throughout, every kind; count_include_pad cases whose windows
 * hang past the padding go to the PyTorch loops (counted). */
static void group_ceil_mode(vnn_isa isa)
{
    begin(isa, "ceil_mode");
    vt_rng r = vt_rng_make("pool/ceil_mode");
    int count = vt_count(200), pytorch = 0, extra = 0;
    for (int i = 0; i < count; i++) {
        for (int k = 0; k < 3; k++) {
            struct pcase c = random_case(&r, k == 0 ? OP_MAX : OP_AVG, k == 2, 1);
            int64_t fh = pool_ref_out_dim(c.H, c.p.kernel_h, c.p.stride_h, c.p.pad_top,
                                          c.p.pad_bottom, false);
            int64_t fw = pool_ref_out_dim(c.W, c.p.kernel_w, c.p.stride_w, c.p.pad_left,
                                          c.p.pad_right, false);
            int64_t OH, OW;
            out_size(&c, &OH, &OW);
            extra += OH != fh || OW != fw;
            pytorch += check_case("ceil_mode", &c, &r) == REF_PYTORCH;
        }
    }
    VT_CHECK(pytorch >= count / 10 && extra >= count,
             "ceil_mode: too few interesting cases (%d overhanging, %d larger than floor mode)",
             pytorch, extra);
    vt_log("ceil_mode: %d poolings, %d larger than in floor mode, %d count_include_pad ones "
           "against the PyTorch loops", 3 * count, extra, pytorch);
}

static void group_global(vnn_isa isa)
{
    begin(isa, "global");
    vt_rng r = vt_rng_make("pool/global");
    static const int64_t fixed[][4] = {
        {1, 1, 1, 1},  {2, 1, 1, 17},  {1, 1, 9, 3},  {3, 7, 7, 15},   {2, 7, 7, 2048},
        {1, 13, 9, 33}, {1, 56, 56, 3}, {4, 3, 5, 129}, {2, 14, 14, 65}, {1, 2, 3, 1000},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++, n++) {
        struct pcase c = {.op = OP_GLOBAL, .N = fixed[i][0], .H = fixed[i][1],
                          .W = fixed[i][2], .C = fixed[i][3]};
        check_case("global", &c, &r);
    }
    int count = vt_count(60);
    for (int i = 0; i < count; i++, n++) {
        struct pcase c = {.op = OP_GLOBAL};
        c.N = vt_rng_int(&r, 1, 4);
        c.H = pick_dim(&r);
        c.W = pick_dim(&r);
        c.C = pick_channels(&r);
        check_case("global", &c, &r);
    }
    /* The same as an average pool whose kernel is the image, bit for bit
     * (non-integer data). */
    struct pcase c = {.op = OP_GLOBAL, .N = 3, .H = 7, .W = 6, .C = 77};
    struct pcase a = {.op = OP_AVG, .N = 3, .H = 7, .W = 6, .C = 77,
                      .p = {.kernel_h = 7, .kernel_w = 6, .stride_h = 1, .stride_w = 1}};
    struct pbufs b;
    char msg[300];
    pb_alloc(&c, &b);
    pb_fill(&b, &r, FILL_FRAC);
    VT_CHECK(vnn_avgpool2d(&a.p, a.N, a.H, a.W, a.C, b.x, 1, 1, b.ref) == VNN_OK,
             "global: vnn_avgpool2d failed");
    if (run_vnn(&c, &b) != VNN_OK)
        fail_case("global", "vnn", &c, &b, "failed");
    if (!compare_y(&c, &b, b.y, b.ref, 1, msg, sizeof msg))
        fail_case("global", "differs from vnn_avgpool2d with the image as kernel", &c, &b, msg);
    pb_free(&b);
    vt_log("global: %d global average pools", n);
}

/* The benchmarked shapes (batch scaled with VT_SCALE). */
static void group_labels(vnn_isa isa)
{
    begin(isa, "labels");
    vt_rng r = vt_rng_make("pool/labels");
    const struct pcase cases[] = {
        {OP_MAX, vt_count(64), 26, 26, 32, {2, 2, 2, 2, 0, 0, 0, 0, false, false}},
        {OP_MAX, vt_count(16), 112, 112, 64, {3, 3, 2, 2, 1, 1, 1, 1, false, false}},
        {OP_AVG, vt_count(64), 26, 26, 32, {2, 2, 2, 2, 0, 0, 0, 0, false, false}},
        {OP_GLOBAL, vt_count(16), 7, 7, 2048, {0}},
        {OP_MAX, vt_count(16), 112, 112, 64, {3, 3, 2, 2, 1, 1, 1, 1, true, false}},
        {OP_AVG, vt_count(16), 112, 112, 64, {3, 3, 2, 2, 1, 1, 1, 1, false, true}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case("labels", &cases[i], &r);
    vt_log("labels: max2x2_seed, max3x3s2_112 (also ceil mode, and as an average), "
           "avg2x2_seed, gap_7x7x2048 with batches scaled by VT_SCALE");
}

/* 1, 2 and 3 threads give the same bits, on non-integer data. The shapes
 * are large enough to be split (rows, and channel slices when there are
 * few rows). */
static void group_threads(vnn_isa isa)
{
    begin(isa, "threads");
    vt_rng r = vt_rng_make("pool/threads");
    const struct pcase cases[] = {
        {OP_MAX, 4, 30, 30, 70, {3, 3, 2, 2, 1, 1, 1, 1, false, false}},
        {OP_AVG, 4, 30, 30, 70, {3, 3, 2, 2, 1, 1, 1, 1, true, true}},
        {OP_AVG, 3, 31, 29, 33, {2, 3, 2, 2, 1, 0, 1, 1, true, false}},
        {OP_MAX, 1, 9, 9, 3000, {3, 3, 3, 3, 0, 0, 0, 0, false, false}},
        {OP_AVG, 1, 9, 9, 3000, {3, 3, 3, 3, 1, 1, 1, 1, true, true}},
        {OP_GLOBAL, 1, 7, 7, 2048, {0}},
        {OP_GLOBAL, 5, 6, 6, 300, {0}},
    };
    char msg[300];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct pcase *c = &cases[i];
        struct pbufs b;
        pb_alloc(c, &b);
        pb_fill(&b, &r, FILL_FRAC);
        vnn_set_num_threads(1);
        vnn_status st = run_vnn(c, &b);
        memcpy(b.ref, b.y, b.yn * sizeof *b.y);
        for (int t = 2; t <= 3; t++) {
            vnn_set_num_threads(t);
            vnn_status st2 = run_vnn(c, &b);
            if (st != VNN_OK || st2 != VNN_OK) {
                snprintf(msg, sizeof msg, "status %s with 1 thread, %s with %d",
                         vnn_status_str(st), vnn_status_str(st2), t);
                fail_case("threads", "vnn", c, &b, msg);
            }
            if (!compare_y(c, &b, b.y, b.ref, 1, msg, sizeof msg))
                fail_case("threads", "result differs from 1 thread (bitwise)", c, &b, msg);
        }
        pb_free(&b);
    }
    vnn_set_num_threads(2);
    vt_log("threads: %zu problems, 1 vs 2 vs 3 threads", sizeof cases / sizeof cases[0]);
}

/* -------------------------------------------------------------- bad input */

#define BUF 256

static int untouched(const float *y)
{
    for (int i = 0; i < BUF; i++)
        if (y[i] != SENTINEL)
            return 0;
    return 1;
}

struct call {
    const vnn_pool2d_params *p;
    int64_t N, H, W, C;
    const float *x;
    int64_t OH, OW;
    float *y;
};

/* Both vnn_maxpool2d and vnn_avgpool2d refuse the call and leave y (a
 * sentinel-filled buffer) alone. */
static void expect_invalid(const char *what, const struct call *c, float *ybuf)
{
    for (int avg = 0; avg < 2; avg++) {
        for (int i = 0; i < BUF; i++)
            ybuf[i] = SENTINEL;
        vnn_status st = avg ? vnn_avgpool2d(c->p, c->N, c->H, c->W, c->C, c->x, c->OH, c->OW,
                                            c->y)
                            : vnn_maxpool2d(c->p, c->N, c->H, c->W, c->C, c->x, c->OH, c->OW,
                                            c->y);
        VT_CHECK(st == VNN_ERR_INVALID_ARG, "bad_input: %s: %s returned %s", what,
                 avg ? "vnn_avgpool2d" : "vnn_maxpool2d", vnn_status_str(st));
        VT_CHECK(untouched(ybuf), "bad_input: %s: %s wrote to y", what,
                 avg ? "vnn_avgpool2d" : "vnn_maxpool2d");
    }
}

#define BAD(what, ...)                                                         \
    do {                                                                       \
        vnn_pool2d_params p = base_p;                                          \
        struct call c = base;                                                  \
        c.p = &p;                                                              \
        __VA_ARGS__;                                                           \
        expect_invalid(what, &c, Y);                                           \
        n++;                                                                   \
    } while (0)

static int bad_pool_args(float *X, float *Y)
{
    /* Valid base: 1x4x4x2, 3x3 stride 2 pad 1 -> 2x2. */
    const vnn_pool2d_params base_p = {3, 3, 2, 2, 1, 1, 1, 1, false, false};
    const struct call base = {NULL, 1, 4, 4, 2, X, 2, 2, Y};
    int n = 0;
    for (int avg = 0; avg < 2; avg++) {
        vnn_pool2d_params p = base_p;
        for (int i = 0; i < BUF; i++)
            Y[i] = SENTINEL;
        vnn_status st = avg ? vnn_avgpool2d(&p, 1, 4, 4, 2, X, 2, 2, Y)
                            : vnn_maxpool2d(&p, 1, 4, 4, 2, X, 2, 2, Y);
        VT_CHECK(st == VNN_OK && Y[0] == 1.0f && Y[8] == SENTINEL,
                 "bad_input: the valid base call failed (%s)", vnn_status_str(st));
    }
    /* Null pointers. */
    BAD("params == NULL", c.p = NULL);
    BAD("x == NULL", c.x = NULL);
    BAD("y == NULL", c.y = NULL);
    /* Sizes below 1. */
    BAD("N = 0", c.N = 0);
    BAD("H = 0", c.H = 0);
    BAD("W = 0", c.W = 0);
    BAD("C = 0", c.C = 0);
    BAD("N < 0", c.N = -1);
    BAD("C = INT64_MIN", c.C = INT64_MIN);
    BAD("kernel_h = 0", p.kernel_h = 0);
    BAD("kernel_w = -3", p.kernel_w = -3);
    /* Strides. */
    BAD("stride_h = 0", p.stride_h = 0);
    BAD("stride_w = 0", p.stride_w = 0);
    BAD("stride_w < 0", p.stride_w = -2);
    /* Padding: negative, or as large as the kernel (windows with no input). */
    BAD("pad_top < 0", p.pad_top = -1);
    BAD("pad_right < 0", p.pad_right = -1);
    BAD("pad_top = 3 = kernel", p.pad_top = 3);
    BAD("pad_bottom = 3 = kernel", p.pad_bottom = 3);
    BAD("pad_left = 3 = kernel", p.pad_left = 3);
    BAD("pad_right = 4 > kernel", p.pad_right = 4);
    BAD("pad 2 with kernel 2", p.kernel_w = 2, p.pad_left = p.pad_right = 2);
    BAD("pad 1 with kernel 1", p.kernel_h = 1, p.pad_top = 1, p.pad_bottom = 0);
    /* Mismatched shapes: OH/OW not the output size, or no output at all. */
    BAD("OH = 1 (is 2)", c.OH = 1);
    BAD("OH = 3 (is 2)", c.OH = 3);
    BAD("OW = 3 (is 2)", c.OW = 3);
    BAD("OW = 0", c.OW = 0);
    BAD("OH = -2", c.OH = -2);
    /* 5x5, 2x2 stride 2: 2x2 in floor mode, 3x3 in ceil mode. */
    BAD("OH, OW for ceil mode (3x3) in floor mode", c.H = 5, c.W = 5, c.OH = 3, c.OW = 3,
        p.kernel_h = p.kernel_w = 2, p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 0);
    BAD("OH, OW for floor mode (2x2) in ceil mode", c.H = 5, c.W = 5, c.OH = 2, c.OW = 2,
        p.kernel_h = p.kernel_w = 2, p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 0,
        p.ceil_mode = true);
    BAD("image smaller than the window (output size 0)", c.H = 1, c.OH = 1, p.kernel_h = 3,
        p.pad_top = p.pad_bottom = 0);
    /* Overflow of sizes and byte counts. */
    BAD("N*H*W*C*4 > PTRDIFF_MAX", c.N = INT64_C(1) << 60);
    BAD("C = INT64_MAX", c.C = INT64_MAX);
    BAD("N*C overflows", c.N = INT64_C(1) << 40, c.C = INT64_C(1) << 40);
    BAD("H = INT64_MAX", c.H = INT64_MAX, c.OH = INT64_MAX / 2 + 1);
    BAD("H + pads overflows", c.H = INT64_MAX - 1, c.OH = INT64_MAX / 2);
    BAD("kernel = INT64_MAX, pad = kernel / 2", p.kernel_h = INT64_MAX,
        p.pad_top = p.pad_bottom = INT64_MAX / 2, c.OH = 1);
    BAD("H = 2^62 with stride INT64_MAX (OH = 1, x bytes overflow)", c.H = INT64_C(1) << 62, p.stride_h = INT64_MAX,
        c.OH = 1);
    /* Overlapping tensors. */
    BAD("y overlaps the end of x", c.y = X + 31);
    BAD("y == x", c.y = X);
    BAD("x overlaps the end of y", c.x = Y + 7);
    return n;
}

static void expect_invalid_global(const char *what, int64_t N, int64_t H, int64_t W, int64_t C,
                                  const float *x, float *y, float *ybuf)
{
    for (int i = 0; i < BUF; i++)
        ybuf[i] = SENTINEL;
    vnn_status st = vnn_global_avgpool2d(N, H, W, C, x, y);
    VT_CHECK(st == VNN_ERR_INVALID_ARG, "bad_input: global: %s returned %s", what,
             vnn_status_str(st));
    VT_CHECK(untouched(ybuf), "bad_input: global: %s wrote to y", what);
}

static int bad_global_args(float *X, float *Y)
{
    int n = 0;
    for (int i = 0; i < BUF; i++)
        Y[i] = SENTINEL;
    VT_CHECK(vnn_global_avgpool2d(2, 3, 3, 4, X, Y) == VNN_OK && Y[0] == 1.0f &&
                 Y[8] == SENTINEL, "bad_input: the valid global call failed");
#define BADG(what, N, H, W, C, x, y) (expect_invalid_global(what, N, H, W, C, x, y, Y), n++)
    BADG("x == NULL", 2, 3, 3, 4, NULL, Y);
    BADG("y == NULL", 2, 3, 3, 4, X, NULL);
    BADG("N = 0", 0, 3, 3, 4, X, Y);
    BADG("H = 0", 2, 0, 3, 4, X, Y);
    BADG("W < 0", 2, 3, -3, 4, X, Y);
    BADG("C = 0", 2, 3, 3, 0, X, Y);
    BADG("N*H*W*C*4 > PTRDIFF_MAX", 2, INT64_C(1) << 30, INT64_C(1) << 30, 4, X, Y);
    BADG("H*W overflows", 1, INT64_MAX, 3, 1, X, Y);
    BADG("C = INT64_MAX", 1, 1, 1, INT64_MAX, X, Y);
    BADG("y overlaps x", 2, 3, 3, 4, X, X + 70);
    BADG("x overlaps y", 2, 3, 3, 4, Y + 1, Y);
#undef BADG
    return n;
}

static void bad_output_size(void)
{
    vnn_pool2d_params p = {2, 2, 2, 2, 0, 0, 0, 0, false, false};
    int64_t OH = 77, OW = 77;
    VT_CHECK(vnn_pool2d_output_size(NULL, 4, 4, &OH, &OW) == VNN_ERR_INVALID_ARG &&
                 vnn_pool2d_output_size(&p, 4, 4, NULL, &OW) == VNN_ERR_INVALID_ARG &&
                 vnn_pool2d_output_size(&p, 4, 4, &OH, NULL) == VNN_ERR_INVALID_ARG &&
                 vnn_pool2d_output_size(&p, 0, 4, &OH, &OW) == VNN_ERR_INVALID_ARG &&
                 vnn_pool2d_output_size(&p, 4, 1, &OH, &OW) == VNN_ERR_INVALID_ARG,
             "bad_input: vnn_pool2d_output_size accepted a bad argument");
    VT_CHECK(OH == 77 && OW == 77, "bad_input: vnn_pool2d_output_size wrote on error");
}

static void group_bad_input(vnn_isa isa)
{
    begin(isa, "bad_input");
    /* X: 1x4x4x2 = 32 floats of ones; Y holds the sentinel. */
    float *X = vt_alloc_floats(BUF), *Y = vt_alloc_floats(BUF);
    for (int i = 0; i < BUF; i++)
        X[i] = 1.0f;
    vt_readonly(X);
    int n = bad_pool_args(X, Y);
    n += bad_global_args(X, Y);
    bad_output_size();
    vt_free(X);
    vt_free(Y);
    vt_log("bad_input: %d invalid calls refused without writing y", n);
}

/* ---------------------------------------------------- output size (no ISA) */

/* vnn_pool2d_output_size against PyTorch's formula over random parameters,
 * valid and not, and against known PyTorch results. */
VT_TEST(pool, output_size)
{
    static const struct {
        int64_t in, k, s, p;
        bool ceil;
        int64_t out; /* 0: an error */
    } known[] = {
        {112, 3, 2, 0, true, 56}, {56, 3, 2, 0, true, 28},  {112, 3, 2, 1, false, 56},
        {5, 2, 2, 0, false, 2},   {5, 2, 2, 0, true, 3},    {4, 3, 2, 1, true, 3},
        {3, 2, 2, 1, true, 2},    {1, 2, 2, 0, true, 1},    {1, 2, 2, 0, false, 0},
        {1, 3, 1, 1, false, 1},   {26, 2, 2, 0, false, 13}, {7, 7, 1, 0, false, 1},
        {6, 4, 4, 2, true, 2},    {1, 4, 4, 0, true, 1},    {1, 5, 4, 0, true, 0},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        vnn_pool2d_params p = {known[i].k, 1, known[i].s, 1, known[i].p, known[i].p,
                               0, 0, known[i].ceil, false};
        int64_t OH = 0, OW = 0;
        vnn_status st = vnn_pool2d_output_size(&p, known[i].in, 3, &OH, &OW);
        if (known[i].out == 0)
            VT_CHECK(st == VNN_ERR_INVALID_ARG, "output_size: in=%" PRId64 " k=%" PRId64
                     " s=%" PRId64 " p=%" PRId64 " ceil=%d: expected an error, got %s",
                     known[i].in, known[i].k, known[i].s, known[i].p, (int)known[i].ceil,
                     vnn_status_str(st));
        else
            VT_CHECK(st == VNN_OK && OH == known[i].out && OW == 3,
                     "output_size: in=%" PRId64 " k=%" PRId64 " s=%" PRId64 " p=%" PRId64
                     " ceil=%d: %s %" PRId64 "x%" PRId64 ", expected %" PRId64 "x3",
                     known[i].in, known[i].k, known[i].s, known[i].p, (int)known[i].ceil,
                     vnn_status_str(st), OH, OW, known[i].out);
    }
    vt_rng r = vt_rng_make("pool/output_size");
    int count = vt_count(20000), valid = 0;
    for (int i = 0; i < count; i++) {
        vnn_pool2d_params p;
        p.kernel_h = vt_rng_int(&r, -1, 9);
        p.kernel_w = vt_rng_int(&r, -1, 9);
        p.stride_h = vt_rng_int(&r, -1, 6);
        p.stride_w = vt_rng_int(&r, -1, 6);
        p.pad_top = vt_rng_int(&r, -1, 5);
        p.pad_bottom = vt_rng_int(&r, -1, 5);
        p.pad_left = vt_rng_int(&r, -1, 5);
        p.pad_right = vt_rng_int(&r, -1, 5);
        p.ceil_mode = vt_rng_int(&r, 0, 1);
        p.count_include_pad = vt_rng_int(&r, 0, 1);
        int64_t H = vt_rng_int(&r, -1, 20), W = vt_rng_int(&r, -1, 20);
        bool args = H >= 1 && W >= 1 && p.kernel_h >= 1 && p.kernel_w >= 1 &&
                    p.stride_h >= 1 && p.stride_w >= 1 && p.pad_top >= 0 &&
                    p.pad_bottom >= 0 && p.pad_left >= 0 && p.pad_right >= 0 &&
                    p.pad_top < p.kernel_h && p.pad_bottom < p.kernel_h &&
                    p.pad_left < p.kernel_w && p.pad_right < p.kernel_w;
        int64_t eh = 0, ew = 0;
        if (args) {
            eh = pool_ref_out_dim(H, p.kernel_h, p.stride_h, p.pad_top, p.pad_bottom,
                                  p.ceil_mode);
            ew = pool_ref_out_dim(W, p.kernel_w, p.stride_w, p.pad_left, p.pad_right,
                                  p.ceil_mode);
        }
        bool ok = args && eh >= 1 && ew >= 1;
        int64_t OH = -7, OW = -7;
        vnn_status st = vnn_pool2d_output_size(&p, H, W, &OH, &OW);
        VT_CHECK(ok ? st == VNN_OK && OH == eh && OW == ew
                    : st == VNN_ERR_INVALID_ARG && OH == -7 && OW == -7,
                 "output_size: H=%" PRId64 " W=%" PRId64 " kernel=%" PRId64 "x%" PRId64
                 " stride=%" PRId64 "x%" PRId64 " pad=%" PRId64 ",%" PRId64 ",%" PRId64
                 ",%" PRId64 " ceil=%d: %s %" PRId64 "x%" PRId64 ", expected %s %" PRId64
                 "x%" PRId64, H, W, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, p.pad_top,
                 p.pad_bottom, p.pad_left, p.pad_right, (int)p.ceil_mode, vnn_status_str(st),
                 OH, OW, ok ? "OK" : "an error", eh, ew);
        valid += ok;
    }
    vt_log("output_size: %zu known PyTorch sizes, %d random parameter sets (%d valid)",
           sizeof known / sizeof known[0], count, valid);
}

/* ------------------------------------------------------------- the suite */

#define POOL_SUITE(isa, suite)                                                 \
    VT_TEST(suite, edge_shapes) { group_edge_shapes(isa); }                    \
    VT_TEST(suite, random_max) { group_random_max(isa); }                      \
    VT_TEST(suite, random_avg) { group_random_avg(isa); }                      \
    VT_TEST(suite, ceil_mode) { group_ceil_mode(isa); }                        \
    VT_TEST(suite, global) { group_global(isa); }                              \
    VT_TEST(suite, labels) { group_labels(isa); }                              \
    VT_TEST(suite, threads) { group_threads(isa); }                            \
    VT_TEST(suite, bad_input) { group_bad_input(isa); }

POOL_SUITE(VNN_ISA_SCALAR, pool_scalar)
POOL_SUITE(VNN_ISA_AVX2, pool_avx2)
POOL_SUITE(VNN_ISA_AVX512, pool_avx512)
POOL_SUITE(VNN_ISA_NEON, pool_neon)
