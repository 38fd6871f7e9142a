/* The pooling slot of the kernel table: one max and one average
 * microkernel, both reducing a run of output pixels over the channels. */
#ifndef VNN_POOL_CONFIG_H
#define VNN_POOL_CONFIG_H

#include <stddef.h>

#include "vnn/cpu.h"

/* A run of output pixels whose windows have the same valid part. In NHWC
 * the valid part of a window is a rows x cols grid of input pixels, so the
 * run describes every pixel's input pointers by arithmetic instead of an
 * indirection buffer: pixel p (p < pixels) reads the `channels` floats at
 *     x + p * x_step + i * row_stride + k * cstride + [0, channels)
 * for i < rows, k < cols (rows, cols >= 1; added in that order, i outer),
 * and writes channels floats at y + p * cstride. cstride is the channel
 * count of the tensor (pixel to pixel), channels the part of it this call
 * computes (a thread may take a channel slice). */
struct vnn_pool_run {
    size_t pixels, channels, cstride;
    const float *x;
    size_t x_step, row_stride, rows, cols;
    float divisor; /* average only: the sum is divided by it */
    float *y;
};

/* max: y = the largest tap; avg: y = (0 + tap 0 + tap 1 + ...) / divisor,
 * in float, taps in the order above. Channels are vectorized, the tail
 * masked; no alignment is required. */
typedef void (*vnn_pool_ukernel_fn)(const struct vnn_pool_run *r);

struct vnn_pool_config {
    vnn_isa isa;
    const char *max_name; /* vnn_maxpool_ukernel_<C>c__<isa> */
    const char *avg_name; /* vnn_avgpool_ukernel_<C>c__<isa> */
    vnn_pool_ukernel_fn max, avg;
};

void vnn_pool_config_init(vnn_isa isa, struct vnn_pool_config *cfg);

/* `vnn info` rows ("maxpool", "avgpool"); fn is a vnn_kernel_visitor. */
void vnn_pool_config_visit(const struct vnn_pool_config *cfg,
                           void (*fn)(const char *op, const char *ukernel, void *ctx),
                           void *ctx);

#endif
