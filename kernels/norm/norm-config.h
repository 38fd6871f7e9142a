/* The row-normalization slot of the kernel table: layer normalization and
 * softmax of one contiguous row, one microkernel each per ISA. The driver
 * (norm.c) hands rows to threads; a kernel vectorizes along the row and
 * masks the tail, needing no alignment. */
#ifndef VNN_NORM_CONFIG_H
#define VNN_NORM_CONFIG_H

#include <stddef.h>

#include "vnn/cpu.h"

/* One row of n >= 1 floats: mean, then the biased variance of x - mean
 * (two passes, no cancellation), then y = (x - mean) * rstd * gamma + beta
 * with rstd = 1 / sqrt(var + eps). y may equal x. */
typedef void (*vnn_layernorm_ukernel_fn)(size_t n, const float *x, const float *gamma,
                                         const float *beta, float eps, float *y);
/* One row of n >= 1 floats: y = exp(x - max) / sum. y may equal x. */
typedef void (*vnn_softmax_ukernel_fn)(size_t n, const float *x, float *y);

struct vnn_norm_config {
    vnn_isa isa;
    const char *layernorm_name, *softmax_name; /* vnn_<op>_ukernel_<step>__<isa> */
    vnn_layernorm_ukernel_fn layernorm;
    vnn_softmax_ukernel_fn softmax;
};

void vnn_norm_config_init(vnn_isa isa, struct vnn_norm_config *cfg);

/* `vnn info` rows ("layernorm", "softmax"); fn is a vnn_kernel_visitor. */
void vnn_norm_config_visit(const struct vnn_norm_config *cfg,
                           void (*fn)(const char *op, const char *ukernel, void *ctx),
                           void *ctx);

#endif
