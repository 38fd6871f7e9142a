/* Public pooling entry points: validate everything, then run the driver
 * (pool-driver.c) with the selected ISA's kernel. */
#include <stdint.h>

#include "dispatch/dispatch.h"
#include "kernels/common/args.h"
#include "kernels/common/error.h"
#include "kernels/pool/pool-driver.h"
#include "vnn/cpu.h"
#include "vnn/pool.h"

/* Output size of one dimension, PyTorch's pooling_output_shape_pad_lr with
 * dilation 1; 0 if the arguments are invalid or the output would be empty. */
static int64_t out_dim(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1, bool ceil)
{
    if (in < 1 || k < 1 || s < 1 || p0 < 0 || p1 < 0 || p0 >= k || p1 >= k)
        return 0;
    int64_t span, start_limit; /* span = in + p0 + p1 - k */
    if (__builtin_add_overflow(in, p0, &start_limit) ||
        __builtin_add_overflow(start_limit, p1, &span))
        return 0;
    span -= k; /* span >= 1 - k: cannot overflow */
    int64_t o;
    if (span >= 0)
        o = span / s + (ceil && span % s != 0) + 1;
    else if (ceil && -span <= s - 1) /* ceil((span) / s) == 0 */
        o = 1;
    else
        return 0;
    /* Ceil mode: the last window must start inside the input or the
     * leading padding, i.e. before in + p0 (it then holds an input element,
     * as does every window given p < k). */
    int64_t last_start; /* (o - 1) * s, whose overflow means "past the limit" */
    if (ceil && (__builtin_mul_overflow(o - 1, s, &last_start) || last_start >= start_limit))
        o--;
    return o;
}

/* Why out_dim() gave 0 for dimension d ('h' or 'w'), as vnn_last_error(). */
static vnn_status explain_dim(const char *fn, char d, int64_t in, int64_t k, int64_t s,
                              int64_t p0, int64_t p1)
{
    const char *in_name = d == 'h' ? "H" : "W";
    const char *p0_name = d == 'h' ? "pad_top" : "pad_left";
    const char *p1_name = d == 'h' ? "pad_bottom" : "pad_right";
    if (in < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s = %lld < 1", fn, in_name, (long long)in);
    if (k < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: kernel_%c = %lld < 1", fn, d, (long long)k);
    if (s < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: stride_%c = %lld < 1", fn, d, (long long)s);
    if (p0 < 0 || p0 >= k || p1 < 0 || p1 >= k) {
        int first = p0 < 0 || p0 >= k;
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s = %lld outside [0, kernel_%c - 1 = %lld]",
                         fn, first ? p0_name : p1_name, (long long)(first ? p0 : p1), d,
                         (long long)(k - 1));
    }
    return vnn_error(VNN_ERR_INVALID_ARG,
                     "%s: no output %s: %s = %lld, kernel_%c = %lld, %s + %s = %lld + %lld", fn,
                     d == 'h' ? "rows" : "columns", in_name, (long long)in, d, (long long)k,
                     p0_name, p1_name, (long long)p0, (long long)p1);
}

static vnn_status output_size(const char *fn, const vnn_pool2d_params *p, int64_t H, int64_t W,
                              int64_t *OH, int64_t *OW)
{
    if (!p)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: params is NULL", fn);
    int64_t oh = out_dim(H, p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom, p->ceil_mode);
    if (oh < 1)
        return explain_dim(fn, 'h', H, p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom);
    int64_t ow = out_dim(W, p->kernel_w, p->stride_w, p->pad_left, p->pad_right, p->ceil_mode);
    if (ow < 1)
        return explain_dim(fn, 'w', W, p->kernel_w, p->stride_w, p->pad_left, p->pad_right);
    *OH = oh;
    *OW = ow;
    return VNN_OK;
}

vnn_status vnn_pool2d_output_size(const vnn_pool2d_params *p, int64_t H, int64_t W,
                                  int64_t *OH, int64_t *OW)
{
    if (!OH || !OW)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_pool2d_output_size: %s is NULL",
                         OH ? "OW" : "OH");
    return output_size("vnn_pool2d_output_size", p, H, W, OH, OW);
}

/* x [N][H][W][C] and y [N][OH][OW][C] valid and not overlapping (OH, OW
 * checked by the caller); vnn_last_error() says what is wrong. */
static int tensors_ok(const char *fn, int64_t N, int64_t H, int64_t W, int64_t C,
                      const float *x, int64_t OH, int64_t OW, const float *y)
{
    size_t x_bytes, y_bytes;
    if (!x || !y)
        vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, x ? "y" : "x");
    else if (N < 1 || C < 1)
        vnn_error(VNN_ERR_INVALID_ARG, "%s: %s = %lld < 1", fn, N < 1 ? "N" : "C",
                  (long long)(N < 1 ? N : C));
    else if (!vnn_float_bytes4(N, H, W, C, &x_bytes) ||
             !vnn_float_bytes4(N, OH, OW, C, &y_bytes))
        vnn_error(VNN_ERR_INVALID_ARG,
                  "%s: x (%lld x %lld x %lld x %lld) or y is larger than PTRDIFF_MAX bytes", fn,
                  (long long)N, (long long)H, (long long)W, (long long)C);
    else if (vnn_overlaps(x, x_bytes, y, y_bytes))
        vnn_error(VNN_ERR_INVALID_ARG, "%s: x and y overlap", fn);
    else
        return 1;
    return 0;
}

static vnn_status pool(const char *fn, const vnn_pool2d_params *p, int64_t N, int64_t H,
                       int64_t W, int64_t C, const float *x, int64_t OH, int64_t OW, float *y,
                       int avg)
{
    int64_t oh = 0, ow = 0;
    if (output_size(fn, p, H, W, &oh, &ow) != VNN_OK)
        return VNN_ERR_INVALID_ARG;
    if (oh != OH || ow != OW)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: OH x OW = %lld x %lld, but the output is %lld x %lld", fn,
                         (long long)OH, (long long)OW, (long long)oh, (long long)ow);
    if (!tensors_ok(fn, N, H, W, C, x, OH, OW, y))
        return VNN_ERR_INVALID_ARG;
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    struct vnn_pool_job j = {
        .ukernel = avg ? t->pool.avg : t->pool.max, .avg = avg,
        .include_pad = avg && p->count_include_pad, .x = x, .y = y,
        .N = (size_t)N, .H = (size_t)H, .W = (size_t)W, .C = (size_t)C,
        .OH = (size_t)OH, .OW = (size_t)OW,
        .KH = (size_t)p->kernel_h, .KW = (size_t)p->kernel_w,
        .sh = (size_t)p->stride_h, .sw = (size_t)p->stride_w,
        .pt = (size_t)p->pad_top, .pb = (size_t)p->pad_bottom,
        .pl = (size_t)p->pad_left, .pr = (size_t)p->pad_right,
    };
    vnn_pool_execute(&j, (size_t)vnn_get_num_threads());
    return VNN_OK;
}

vnn_status vnn_maxpool2d(const vnn_pool2d_params *params, int64_t N, int64_t H, int64_t W,
                         int64_t C, const float *x, int64_t OH, int64_t OW, float *y)
{
    return pool("vnn_maxpool2d", params, N, H, W, C, x, OH, OW, y, 0);
}

vnn_status vnn_avgpool2d(const vnn_pool2d_params *params, int64_t N, int64_t H, int64_t W,
                         int64_t C, const float *x, int64_t OH, int64_t OW, float *y)
{
    return pool("vnn_avgpool2d", params, N, H, W, C, x, OH, OW, y, 1);
}

/* An average pool whose one window is the whole image. */
vnn_status vnn_global_avgpool2d(int64_t N, int64_t H, int64_t W, int64_t C, const float *x,
                                float *y)
{
    static const char fn[] = "vnn_global_avgpool2d";
    if (H < 1 || W < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s = %lld < 1", fn, H < 1 ? "H" : "W",
                         (long long)(H < 1 ? H : W));
    if (!tensors_ok(fn, N, H, W, C, x, 1, 1, y))
        return VNN_ERR_INVALID_ARG;
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    struct vnn_pool_job j = {
        .ukernel = t->pool.avg, .avg = 1, .x = x, .y = y,
        .N = (size_t)N, .H = (size_t)H, .W = (size_t)W, .C = (size_t)C, .OH = 1, .OW = 1,
        .KH = (size_t)H, .KW = (size_t)W, .sh = 1, .sw = 1,
    };
    vnn_pool_execute(&j, (size_t)vnn_get_num_threads());
    return VNN_OK;
}
