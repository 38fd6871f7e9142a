/* 2-D max and average pooling, NHWC, single precision, with the semantics
 * of PyTorch's nn.MaxPool2d, nn.AvgPool2d and nn.AdaptiveAvgPool2d(1)
 * (dilation 1, no divisor_override).
 *
 * Layouts (row-major, the last index contiguous):
 *   x  input   [N][H][W][C]    (NHWC; PyTorch's channels_last memory format)
 *   y  output  [N][OH][OW][C]  ([N][C] for the global average pool)
 *
 * Window of output pixel (oh, ow): input rows ih = oh * stride_h - pad_top
 * + [0, kernel_h), columns iw = ow * stride_w - pad_left + [0, kernel_w).
 * The padding is implicit: padded positions are never read.
 *
 * Output size (per dimension; shown for H, W likewise):
 *   floor mode: OH = floor((H + pad_top + pad_bottom - kernel_h) / stride_h) + 1
 *   ceil mode:  OH = ceil((H + pad_top + pad_bottom - kernel_h) / stride_h) + 1,
 *               then minus 1 if the last window would start at or past
 *               H + pad_top, i.e. inside the bottom padding ((OH - 1) * stride_h
 *               >= H + pad_top): the last window must start inside the input
 *               or the top padding (PyTorch's pooling_output_shape). An
 *               OH < 1 is an error.
 * With each padding below the kernel size (below), every window, the
 * ceil-mode ones included, holds at least one input element.
 *
 * Max: the largest input element of the window; padding is ignored (never
 * compared). NaN inputs: whether a NaN in a window propagates is
 * unspecified.
 *
 * Average: the sum of the window's input elements (added in window order,
 * row by row, from 0) divided by a divisor, as PyTorch computes it:
 *   count_include_pad = false: the number of input elements in the window;
 *   count_include_pad = true:  the window clipped to the padded input
 *       [-pad_top, H + pad_bottom) x [-pad_left, W + pad_right), i.e. the
 *       padding counts but the part of a ceil-mode window that hangs past
 *       the bottom/right padding does not (oneDNN's avg_include_padding
 *       counts the whole kernel there; PyTorch does not, and nor does vnn).
 *
 * Global average: y[n][c] = (sum over h, w of x[n][h][w][c], added in
 * row-major pixel order from 0) / (H * W); AdaptiveAvgPool2d(1), with the
 * [N][C] result being [N][1][1][C] in NHWC.
 *
 * Every function validates all of its arguments and, on error, returns
 * VNN_ERR_INVALID_ARG without writing to any output: a NULL pointer, a size
 * below 1, a zero or negative stride, a negative padding or one as large as
 * its kernel (pad <= kernel - 1, as ONNX allows; PyTorch's own limit,
 * pad <= kernel / 2, is stricter),
 * an output size below 1 or different from the OH, OW passed in, sizes
 * whose arithmetic or byte counts overflow (a tensor must fit in PTRDIFF_MAX
 * bytes), or x and y overlapping. The ops return VNN_ERR_UNSUPPORTED_ISA,
 * also without writing, while VNN_ISA names an ISA this machine cannot run
 * (see vnn_isa_env_error()). Nothing is allocated. Results do not depend on
 * the thread count (vnn_set_num_threads()) or, with small-integer inputs,
 * on the ISA. */
#ifndef VNN_POOL_H
#define VNN_POOL_H

#include <stdbool.h>
#include <stdint.h>

#include "vnn/export.h"
#include "vnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* PyTorch's nn.MaxPool2d(kernel_size, stride, padding, ceil_mode=...) maps to
 * kernel_h/w = kernel_size, stride_h/w = stride (PyTorch's default stride is
 * the kernel size), all four paddings = padding. */
typedef struct vnn_pool2d_params {
    int64_t kernel_h, kernel_w; /* >= 1 */
    int64_t stride_h, stride_w; /* >= 1 */
    /* 0 <= pad <= kernel - 1 of its dimension; top and bottom (left and
     * right) may differ, as in ONNX. */
    int64_t pad_top, pad_bottom, pad_left, pad_right;
    bool ceil_mode;         /* output size rounded up (see above) */
    bool count_include_pad; /* average only: divisor counts the padding */
} vnn_pool2d_params;

/* The output size for an H x W input (rules above). Validates params, H, W. */
VNN_API vnn_status vnn_pool2d_output_size(const vnn_pool2d_params *params, int64_t H,
                                          int64_t W, int64_t *OH, int64_t *OW);

/* y [N][OH][OW][C] = max pooling of x [N][H][W][C]. OH, OW must be what
 * vnn_pool2d_output_size() gives. params->count_include_pad is ignored.
 * x and y must not overlap. */
VNN_API vnn_status vnn_maxpool2d(const vnn_pool2d_params *params, int64_t N, int64_t H,
                                 int64_t W, int64_t C, const float *x, int64_t OH, int64_t OW,
                                 float *y);

/* y [N][OH][OW][C] = average pooling of x [N][H][W][C]; as vnn_maxpool2d. */
VNN_API vnn_status vnn_avgpool2d(const vnn_pool2d_params *params, int64_t N, int64_t H,
                                 int64_t W, int64_t C, const float *x, int64_t OH, int64_t OW,
                                 float *y);

/* y [N][C] = mean over H x W of x [N][H][W][C]. x and y must not overlap. */
VNN_API vnn_status vnn_global_avgpool2d(int64_t N, int64_t H, int64_t W, int64_t C,
                                        const float *x, float *y);

#ifdef __cplusplus
}
#endif

#endif
