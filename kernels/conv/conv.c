/* Public convolution entry points: validate everything, then build or run
 * a plan (kernels/conv/conv-driver.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/common/args.h"
#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "kernels/conv/conv-driver.h"
#include "vnn/conv.h"

/* Byte counts of the operands of a valid descriptor. */
struct conv_sizes {
    int64_t OH, OW;
    size_t x_bytes, y_bytes, w_bytes;
};

static int mul64(int64_t a, int64_t b, int64_t *out) { return !__builtin_mul_overflow(a, b, out); }

/* (k - 1) * d + 1, or -1 if it overflows. */
static int64_t extent(int64_t k, int64_t d)
{
    int64_t e;
    return mul64(k - 1, d, &e) && e < INT64_MAX ? e + 1 : -1;
}

/* One spatial dimension: input, kernel, stride, dilation, paddings -> output. */
static int dim_ok(int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1,
                  int64_t *out)
{
    if (in < 1 || k < 1 || s < 1 || d < 1 || p0 < 0 || p1 < 0)
        return 0;
    int64_t e = extent(k, d);
    if (e < 0 || p0 >= e || p1 >= e)
        return 0;
    /* p0, p1 < e <= INT64_MAX, in >= 1: sum the pads first, then compare. */
    int64_t span;
    if (__builtin_add_overflow(in, p0, &span) || __builtin_add_overflow(span, p1, &span) ||
        span < e)
        return 0;
    *out = (span - e) / s + 1;
    return 1;
}

static int desc_ok(const vnn_conv2d_desc *d, struct conv_sizes *s)
{
    if (!d || d->N < 1 || d->C_in < 1 || d->C_out < 1 || d->groups < 1 ||
        d->C_in % d->groups != 0 || d->C_out % d->groups != 0 ||
        (d->act != VNN_ACT_NONE && d->act != VNN_ACT_RELU))
        return 0;
    if (!dim_ok(d->H, d->kernel_h, d->stride_h, d->dilation_h, d->pad_top, d->pad_bottom,
                &s->OH) ||
        !dim_ok(d->W, d->kernel_w, d->stride_w, d->dilation_w, d->pad_left, d->pad_right,
                &s->OW))
        return 0;
    return vnn_float_bytes4(d->N, d->H, d->W, d->C_in, &s->x_bytes) &&
           vnn_float_bytes4(d->N, s->OH, s->OW, d->C_out, &s->y_bytes) &&
           vnn_float_bytes4(d->kernel_h, d->kernel_w, d->C_in / d->groups, d->C_out, &s->w_bytes);
}

/* Why dim_ok() refused one dimension (d: 'h' or 'w'); 0 if it did not. */
static vnn_status explain_dim(const char *fn, char d, int64_t in, int64_t k, int64_t dil,
                              int64_t p0, int64_t p1)
{
    const char *p0_name = d == 'h' ? "pad_top" : "pad_left";
    const char *p1_name = d == 'h' ? "pad_bottom" : "pad_right";
    int64_t e = extent(k, dil), span;
    if (e < 0)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: desc->kernel_%c = %lld with dilation_%c = %lld overflows", fn, d,
                         (long long)k, d, (long long)dil);
    if (p0 < 0 || p0 >= e || p1 < 0 || p1 >= e) {
        int first = p0 < 0 || p0 >= e;
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: desc->%s = %lld outside [0, %lld) (the kernel's extent "
                         "(kernel_%c - 1) * dilation_%c + 1)",
                         fn, first ? p0_name : p1_name, (long long)(first ? p0 : p1),
                         (long long)e, d, d);
    }
    if (__builtin_add_overflow(in, p0, &span) || __builtin_add_overflow(span, p1, &span))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: desc->%c + its paddings overflows", fn,
                         d == 'h' ? 'H' : 'W');
    if (span < e)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: the padded input %s %lld (%c + %s + %s) is smaller than the "
                         "kernel's extent %lld",
                         fn, d == 'h' ? "height" : "width", (long long)span, d == 'h' ? 'H' : 'W',
                         p0_name, p1_name, (long long)e);
    return VNN_OK;
}

/* Why desc_ok() refused d, as vnn_last_error(); VNN_ERR_INVALID_ARG. */
static vnn_status explain_desc(const char *fn, const vnn_conv2d_desc *d)
{
    if (!d)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: desc is NULL", fn);
    const struct {
        const char *name;
        int64_t v;
    } sizes[] = {{"N", d->N}, {"H", d->H}, {"W", d->W}, {"C_in", d->C_in},
                 {"C_out", d->C_out}, {"groups", d->groups}, {"kernel_h", d->kernel_h},
                 {"kernel_w", d->kernel_w}, {"stride_h", d->stride_h},
                 {"stride_w", d->stride_w}, {"dilation_h", d->dilation_h},
                 {"dilation_w", d->dilation_w}};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        if (sizes[i].v < 1)
            return vnn_error(VNN_ERR_INVALID_ARG, "%s: desc->%s = %lld < 1", fn, sizes[i].name,
                             (long long)sizes[i].v);
    if (d->C_in % d->groups != 0 || d->C_out % d->groups != 0)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: desc->%s = %lld is not a multiple of groups = %lld", fn,
                         d->C_in % d->groups ? "C_in" : "C_out",
                         (long long)(d->C_in % d->groups ? d->C_in : d->C_out),
                         (long long)d->groups);
    if (d->act != VNN_ACT_NONE && d->act != VNN_ACT_RELU)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: desc->act = %d, not VNN_ACT_NONE or VNN_ACT_RELU", fn, (int)d->act);
    vnn_status st = explain_dim(fn, 'h', d->H, d->kernel_h, d->dilation_h, d->pad_top,
                                d->pad_bottom);
    if (st == VNN_OK)
        st = explain_dim(fn, 'w', d->W, d->kernel_w, d->dilation_w, d->pad_left, d->pad_right);
    if (st != VNN_OK)
        return st;
    return vnn_error(VNN_ERR_INVALID_ARG,
                     "%s: x, y or the weights of this convolution (N %lld, H %lld, W %lld, "
                     "C_in %lld, C_out %lld) is larger than PTRDIFF_MAX bytes",
                     fn, (long long)d->N, (long long)d->H, (long long)d->W, (long long)d->C_in,
                     (long long)d->C_out);
}

vnn_status vnn_conv2d_output_size(const vnn_conv2d_desc *desc, int64_t *OH, int64_t *OW)
{
    struct conv_sizes s;
    if (!OH || !OW)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_conv2d_output_size: %s is NULL",
                         OH ? "OW" : "OH");
    if (!desc_ok(desc, &s))
        return explain_desc("vnn_conv2d_output_size", desc);
    *OH = s.OH;
    *OW = s.OW;
    return VNN_OK;
}

/* TF/Keras SAME for one dimension; total padding < extent (shown below). */
static int same_pad(int64_t in, int64_t k, int64_t s, int64_t d, int64_t *before,
                    int64_t *after)
{
    int64_t e = extent(k, d);
    if (in < 1 || k < 1 || s < 1 || d < 1 || e < 0)
        return 0;
    /* out = ceil(in / s); (out - 1) * s < in, so total < e. */
    int64_t out = (in - 1) / s + 1, total = (out - 1) * s + e - in;
    if (total < 0)
        total = 0;
    *before = total / 2;
    *after = total - total / 2;
    return 1;
}

/* Why same_pad refused one dimension ("H" or "W"), for vnn_last_error(). */
static vnn_status explain_pad(const char *dim, int64_t in, int64_t k, int64_t s, int64_t d)
{
    static const char fn[] = "vnn_conv2d_set_padding";
    const char *low = dim[0] == 'H' ? "h" : "w";
    if (in < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: desc->%s = %lld < 1", fn, dim, (long long)in);
    if (k < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: desc->kernel_%s = %lld < 1", fn, low,
                         (long long)k);
    if (s < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: desc->stride_%s = %lld < 1", fn, low,
                         (long long)s);
    if (d < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: desc->dilation_%s = %lld < 1", fn, low,
                         (long long)d);
    return vnn_error(VNN_ERR_INVALID_ARG,
                     "%s: the dilated kernel extent (kernel_%s - 1) * dilation_%s + 1 "
                     "overflows (kernel_%s = %lld, dilation_%s = %lld)",
                     fn, low, low, low, (long long)k, low, (long long)d);
}

vnn_status vnn_conv2d_set_padding(vnn_conv2d_desc *desc, vnn_padding padding)
{
    static const char fn[] = "vnn_conv2d_set_padding";
    if (!desc)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: desc is NULL", fn);
    if (padding != VNN_PADDING_VALID && padding != VNN_PADDING_SAME)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: padding = %d is neither VNN_PADDING_VALID (%d) nor "
                         "VNN_PADDING_SAME (%d)",
                         fn, (int)padding, (int)VNN_PADDING_VALID, (int)VNN_PADDING_SAME);
    int64_t t = 0, b = 0, l = 0, r = 0;
    if (!same_pad(desc->H, desc->kernel_h, desc->stride_h, desc->dilation_h, &t, &b))
        return explain_pad("H", desc->H, desc->kernel_h, desc->stride_h, desc->dilation_h);
    if (!same_pad(desc->W, desc->kernel_w, desc->stride_w, desc->dilation_w, &l, &r))
        return explain_pad("W", desc->W, desc->kernel_w, desc->stride_w, desc->dilation_w);
    if (padding == VNN_PADDING_VALID)
        t = b = l = r = 0;
    desc->pad_top = t;
    desc->pad_bottom = b;
    desc->pad_left = l;
    desc->pad_right = r;
    return VNN_OK;
}

vnn_status vnn_conv2d_weights_from_oihw(int64_t C_out, int64_t C_in_per_group, int64_t KH,
                                        int64_t KW, const float *oihw, float *hwio)
{
    static const char fn[] = "vnn_conv2d_weights_from_oihw";
    size_t bytes;
    if (!oihw || !hwio)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, oihw ? "hwio" : "oihw");
    const int64_t sizes[4] = {C_out, C_in_per_group, KH, KW};
    static const char *const names[4] = {"C_out", "C_in_per_group", "KH", "KW"};
    for (int i = 0; i < 4; i++)
        if (sizes[i] < 1)
            return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s = %lld < 1", fn, names[i],
                             (long long)sizes[i]);
    if (!vnn_float_bytes4(C_out, C_in_per_group, KH, KW, &bytes))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: the weights (%lld x %lld x %lld x %lld floats) exceed "
                         "PTRDIFF_MAX bytes",
                         fn, (long long)C_out, (long long)C_in_per_group, (long long)KH,
                         (long long)KW);
    if (vnn_overlaps(oihw, bytes, hwio, bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: oihw and hwio overlap (%zu bytes each)", fn,
                         bytes);
    size_t O = (size_t)C_out, I = (size_t)C_in_per_group, kh = (size_t)KH, kw = (size_t)KW;
    for (size_t o = 0; o < O; o++)
        for (size_t i = 0; i < I; i++)
            for (size_t h = 0; h < kh; h++)
                for (size_t w = 0; w < kw; w++)
                    hwio[((h * kw + w) * I + i) * O + o] = oihw[((o * I + i) * kh + h) * kw + w];
    return VNN_OK;
}

/* Fill and build plan p from arguments already checked (desc_ok gave s)
 * with the kernels of table t. */
static vnn_status plan_init(vnn_conv2d_plan *p, const struct vnn_kernel_table *t,
                            const vnn_conv2d_desc *desc, const struct conv_sizes *s,
                            const float *weights_hwio, const float *bias)
{
    *p = (vnn_conv2d_plan){
        .desc = *desc, .N = (size_t)desc->N, .H = (size_t)desc->H, .W = (size_t)desc->W,
        .C_in = (size_t)desc->C_in, .C_out = (size_t)desc->C_out,
        .KH = (size_t)desc->kernel_h, .KW = (size_t)desc->kernel_w,
        .sh = (size_t)desc->stride_h, .sw = (size_t)desc->stride_w,
        .dh = (size_t)desc->dilation_h, .dw = (size_t)desc->dilation_w,
        .pt = (size_t)desc->pad_top, .pl = (size_t)desc->pad_left, .G = (size_t)desc->groups,
        .OH = (size_t)s->OH, .OW = (size_t)s->OW, .gemm = t->gemm, .conv = t->conv,
    };
    return vnn_conv_plan_build(p, weights_hwio, bias);
}

vnn_status vnn_conv2d_plan_create(const vnn_conv2d_desc *desc, const float *weights_hwio,
                                  const float *bias, vnn_conv2d_plan **out)
{
    static const char fn[] = "vnn_conv2d_plan_create";
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    *out = NULL;
    struct conv_sizes s;
    if (!weights_hwio)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: weights_hwio is NULL", fn);
    if (!desc_ok(desc, &s))
        return explain_desc(fn, desc);
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    vnn_conv2d_plan *p = malloc(sizeof *p);
    if (!p)
        return VNN_ERR_OUT_OF_MEMORY;
    vnn_status st = plan_init(p, t, desc, &s, weights_hwio, bias);
    if (st != VNN_OK) {
        free(p);
        return st;
    }
    *out = p;
    return VNN_OK;
}

vnn_status vnn_conv2d_plan_desc(const vnn_conv2d_plan *plan, vnn_conv2d_desc *desc,
                                int64_t *OH, int64_t *OW)
{
    if (!plan || !desc || !OH || !OW)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_conv2d_plan_desc: %s is NULL",
                         !plan ? "plan" : !desc ? "desc" : !OH ? "OH" : "OW");
    *desc = plan->desc;
    *OH = (int64_t)plan->OH;
    *OW = (int64_t)plan->OW;
    return VNN_OK;
}

/* Workspace for nt threads: their slices plus slack to align the start. */
static size_t workspace_for(const vnn_conv2d_plan *p, size_t nt)
{
    if (p->ws_per_thread == 0)
        return 0;
    /* ws_per_thread <= PTRDIFF_MAX / 2 (checked when built), nt <= 1024. */
    size_t total;
    if (!vnn_mul_size(p->ws_per_thread, nt, &total) ||
        !vnn_add_size(total, VNN_CONV_WS_ALIGN, &total))
        return SIZE_MAX;
    return total;
}

vnn_status vnn_conv2d_plan_workspace_size(const vnn_conv2d_plan *plan, size_t *bytes)
{
    static const char fn[] = "vnn_conv2d_plan_workspace_size";
    if (!plan || !bytes)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, plan ? "bytes" : "plan");
    int nt = vnn_get_num_threads();
    size_t need = workspace_for(plan, (size_t)nt);
    if (need == SIZE_MAX)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: %zu bytes per thread for %d threads overflow size_t", fn,
                         plan->ws_per_thread, nt);
    *bytes = need;
    return VNN_OK;
}

vnn_status vnn_conv2d_plan_run(const vnn_conv2d_plan *plan, const float *x, float *y,
                               void *workspace, size_t workspace_bytes)
{
    if (!plan)
        return VNN_ERR_INVALID_ARG;
    return vnn_conv2d_plan_run_batch(plan, plan->desc.N, x, y, workspace, workspace_bytes);
}

vnn_status vnn_conv2d_plan_run_batch(const vnn_conv2d_plan *plan, int64_t N, const float *x,
                                     float *y, void *workspace, size_t workspace_bytes)
{
    static const char fn[] = "vnn_conv2d_plan_run";
    if (!plan || !x || !y)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn,
                         !plan ? "plan" : !x ? "x" : "y");
    if (N < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: N = %lld < 1", fn, (long long)N);
    /* The packed weights do not depend on the batch: run a copy of the
     * plan with its sizes for N images. */
    vnn_conv2d_plan p = *plan;
    size_t x_bytes, y_bytes;
    if (!vnn_float_bytes4(N, plan->desc.H, plan->desc.W, plan->desc.C_in, &x_bytes) ||
        !vnn_float_bytes4(N, (int64_t)plan->OH, (int64_t)plan->OW, plan->desc.C_out,
                          &y_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: a batch of N = %lld makes x or y larger than PTRDIFF_MAX bytes",
                         fn, (long long)N);
    if (vnn_overlaps(x, x_bytes, y, y_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: x and y overlap", fn);
    p.desc.N = N;
    p.N = (size_t)N;
    p.M = p.N * p.OH * p.OW;
    if (p.path == VNN_CONV_GEMM)
        p.block_rows = vnn_conv_gemm_block_rows(&p);
    /* A user workspace: align its start, count the thread slices it holds. */
    size_t slices = 0;
    if (workspace && p.ws_per_thread) {
        uintptr_t at = (uintptr_t)workspace;
        size_t skip = (VNN_CONV_WS_ALIGN - at % VNN_CONV_WS_ALIGN) % VNN_CONV_WS_ALIGN;
        if (workspace_bytes < skip || (workspace_bytes - skip) / p.ws_per_thread < 1)
            return vnn_error(VNN_ERR_INVALID_ARG,
                             "%s: workspace_bytes = %zu, less than one thread's %zu (plus "
                             "%zu to align it)",
                             fn, workspace_bytes, p.ws_per_thread, skip);
        slices = (workspace_bytes - skip) / p.ws_per_thread;
        workspace = (char *)workspace + skip;
    } else {
        workspace = NULL;
    }
    if (!vnn_kernels())
        return VNN_ERR_UNSUPPORTED_ISA;
    return vnn_conv_plan_execute(&p, x, y, workspace, slices);
}

vnn_status vnn_conv2d_plan_destroy(vnn_conv2d_plan *plan)
{
    if (plan) {
        vnn_conv_plan_free(plan);
        free(plan);
    }
    return VNN_OK;
}

vnn_status vnn_conv2d(const vnn_conv2d_desc *desc, const float *x, const float *weights_hwio,
                      const float *bias, float *y)
{
    static const char fn[] = "vnn_conv2d";
    struct conv_sizes s;
    if (!x || !y || !weights_hwio)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn,
                         !x ? "x" : !y ? "y" : "weights_hwio");
    if (!desc_ok(desc, &s))
        return explain_desc(fn, desc);
    if (vnn_overlaps(x, s.x_bytes, y, s.y_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: x and y overlap", fn);
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    /* That is all vnn_conv2d_plan_create and _run would check: build and
     * run a plan of our own without their checks. */
    vnn_conv2d_plan p;
    vnn_status st = plan_init(&p, t, desc, &s, weights_hwio, bias);
    if (st != VNN_OK)
        return st;
    st = vnn_conv_plan_execute(&p, x, y, NULL, 0);
    vnn_conv_plan_free(&p);
    return st;
}
