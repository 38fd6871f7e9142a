/* The elementwise slot of the kernel table: ReLU, add and the two GELU forms
 * over an array, one microkernel each per ISA. The driver (eltwise.c) cuts
 * arrays into per-thread chunks; a kernel vectorizes its chunk and masks the
 * tail, needing no alignment. */
#ifndef VNN_ELTWISE_CONFIG_H
#define VNN_ELTWISE_CONFIG_H

#include <stddef.h>

#include "vnn/cpu.h"

/* y[i] = f(x[i]) for i < n (n >= 1); y may equal x. */
typedef void (*vnn_unary_ukernel_fn)(size_t n, const float *x, float *y);
/* y[i] = a[i] + b[i] for i < n (n >= 1); y may equal a or b. */
typedef void (*vnn_binary_ukernel_fn)(size_t n, const float *a, const float *b, float *y);

struct vnn_eltwise_config {
    vnn_isa isa;
    /* vnn_<op>_ukernel_<elements per step>__<isa> */
    const char *relu_name, *add_name, *gelu_erf_name, *gelu_tanh_name;
    vnn_unary_ukernel_fn relu, gelu_erf, gelu_tanh;
    /* erf over an array (kernels/simd/erf-<isa>.h): internal, so the tests
     * hold every ISA's erf to its stated bound. */
    const char *erf_name;
    vnn_unary_ukernel_fn erf;
    vnn_binary_ukernel_fn add;
};

void vnn_eltwise_config_init(vnn_isa isa, struct vnn_eltwise_config *cfg);

/* `vnn info` rows ("relu", "add", "gelu_erf", "gelu_tanh"); fn is a
 * vnn_kernel_visitor. */
void vnn_eltwise_config_visit(const struct vnn_eltwise_config *cfg,
                              void (*fn)(const char *op, const char *ukernel, void *ctx),
                              void *ctx);

#endif
