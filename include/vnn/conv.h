/* 2-D convolution, NHWC, single precision.
 *
 *   y[n][oh][ow][co] = act(bias[co] + sum over kh, kw, ci of
 *       x[n][oh*stride_h - pad_top + kh*dilation_h]
 *        [ow*stride_w - pad_left + kw*dilation_w][g*Cg + ci] * w[kh][kw][ci][co])
 *
 * where g = co / (C_out / groups) is the group of output channel co and
 * Cg = C_in / groups; input pixels outside the image count as zero.
 *
 * Layouts (row-major, the last index contiguous):
 *   x  input   [N][H][W][C_in]                                   (NHWC)
 *   y  output  [N][OH][OW][C_out]                                (NHWC)
 *   w  weights [KH][KW][C_in / groups][C_out]                    (HWIO, as Keras
 *      stores Conv2D kernels; with groups the output channels of group g are
 *      g*C_out/groups ... (g+1)*C_out/groups - 1, so a depthwise kernel with
 *      channel multiplier m is Keras' DepthwiseConv2D [KH][KW][C_in][m])
 *   bias [C_out], or NULL
 * PyTorch and ONNX store OIHW, [C_out][C_in / groups][KH][KW]:
 * vnn_conv2d_weights_from_oihw() converts.
 *
 * A plan holds the weights transformed and packed once for the kernels
 * selected when it is created (it keeps using them if vnn_set_isa()
 * changes); run it any number of times, from any number of threads at once.
 * vnn_conv2d() is create + run + destroy in one call.
 *
 * Every function validates all of its arguments and, on error, returns a
 * status without writing to any output. Results do not depend on the thread
 * count. */
#ifndef VNN_CONV_H
#define VNN_CONV_H

#include <stddef.h>
#include <stdint.h>

#include "vnn/export.h"
#include "vnn/gemm.h" /* vnn_activation */
#include "vnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vnn_conv2d_desc {
    int64_t N, H, W;         /* batch and input height, width (>= 1) */
    int64_t C_in, C_out;     /* channels (>= 1, multiples of groups) */
    int64_t kernel_h, kernel_w;     /* KH, KW (>= 1) */
    int64_t stride_h, stride_w;     /* >= 1 */
    int64_t dilation_h, dilation_w; /* >= 1 (1: dense; Keras dilation_rate) */
    /* Zero padding (>= 0), each less than the effective kernel extent
     * (kernel - 1) * dilation + 1 of its dimension. */
    int64_t pad_top, pad_bottom, pad_left, pad_right;
    int64_t groups;          /* >= 1; groups == C_in == C_out is depthwise */
    vnn_activation act;      /* applied after the bias */
} vnn_conv2d_desc;

typedef enum vnn_padding {
    VNN_PADDING_VALID = 0, /* no padding */
    VNN_PADDING_SAME = 1,  /* TF/Keras: OH = ceil(H / stride); the total padding
                              is split with the extra row/column at the
                              bottom/right */
} vnn_padding;

/* Sets the four paddings of desc for VALID or SAME from its H, W, kernel,
 * stride and dilation (which must be valid; nothing else is read). */
VNN_API vnn_status vnn_conv2d_set_padding(vnn_conv2d_desc *desc, vnn_padding padding);

/* OH = (H + pad_top + pad_bottom - ((KH - 1) * dilation_h + 1)) / stride_h + 1,
 * likewise OW. Validates the whole descriptor (an image smaller than the
 * kernel window is an error). */
VNN_API vnn_status vnn_conv2d_output_size(const vnn_conv2d_desc *desc, int64_t *OH,
                                          int64_t *OW);

/* OIHW [C_out][C_in_per_group][KH][KW] -> HWIO [KH][KW][C_in_per_group][C_out].
 * The buffers must not overlap. */
VNN_API vnn_status vnn_conv2d_weights_from_oihw(int64_t C_out, int64_t C_in_per_group,
                                                int64_t KH, int64_t KW, const float *oihw,
                                                float *hwio);

typedef struct vnn_conv2d_plan vnn_conv2d_plan;

/* Validates desc, packs weights (HWIO, see above) and copies bias (C_out
 * floats or NULL). *out is NULL on failure. */
VNN_API vnn_status vnn_conv2d_plan_create(const vnn_conv2d_desc *desc,
                                          const float *weights_hwio, const float *bias,
                                          vnn_conv2d_plan **out);

/* The plan's descriptor and output size. */
VNN_API vnn_status vnn_conv2d_plan_desc(const vnn_conv2d_plan *plan, vnn_conv2d_desc *desc,
                                        int64_t *OH, int64_t *OW);

/* Bytes of workspace a run uses at the current thread count
 * (vnn_get_num_threads()); 0 if it needs none. */
VNN_API vnn_status vnn_conv2d_plan_workspace_size(const vnn_conv2d_plan *plan,
                                                  size_t *bytes);

/* y = conv(x). workspace: NULL (vnn uses its own per-thread scratch, grown
 * on first use and kept) or a buffer of workspace_bytes, any alignment; a
 * buffer smaller than vnn_conv2d_plan_workspace_size() runs on fewer
 * threads (same result), one too small for a single thread is an error.
 * x and y must not overlap. */
VNN_API vnn_status vnn_conv2d_plan_run(const vnn_conv2d_plan *plan, const float *x, float *y,
                                       void *workspace, size_t workspace_bytes);

/* vnn_conv2d_plan_run on a batch of N >= 1 images instead of the N of the
 * plan's descriptor (the packed weights do not depend on the batch), with
 * x [N][H][W][C_in] and y [N][OH][OW][C_out]: one plan serves every batch
 * size. The workspace it needs does not depend on N. */
VNN_API vnn_status vnn_conv2d_plan_run_batch(const vnn_conv2d_plan *plan, int64_t N,
                                             const float *x, float *y, void *workspace,
                                             size_t workspace_bytes);
/* NULL is fine. */
VNN_API vnn_status vnn_conv2d_plan_destroy(vnn_conv2d_plan *plan);

/* One call: plan, run, destroy. */
VNN_API vnn_status vnn_conv2d(const vnn_conv2d_desc *desc, const float *x,
                              const float *weights_hwio, const float *bias, float *y);

#ifdef __cplusplus
}
#endif

#endif
