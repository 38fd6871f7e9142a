/* The vector-math slot of the kernel table: exp, sigmoid and tanh over an
 * array, one per ISA, built on kernels/simd/math-<isa>.h. They give the
 * tests one way to hold every ISA's math to its stated bound, and ops that
 * transform whole arrays a ready kernel. */
#ifndef VNN_VMATH_CONFIG_H
#define VNN_VMATH_CONFIG_H

#include <stddef.h>

#include "vnn/cpu.h"

/* y[i] = f(x[i]) for i < n; y may equal x. */
typedef void (*vnn_vmath_ukernel_fn)(size_t n, const float *x, float *y);

struct vnn_vmath_config {
    vnn_isa isa;
    /* vnn_v<f>_ukernel_<w>__<isa> */
    const char *exp_name, *sigmoid_name, *tanh_name, *exp2_nonpos_name;
    vnn_vmath_ukernel_fn exp, sigmoid, tanh;
    vnn_vmath_ukernel_fn exp2_nonpos; /* 2^x for x <= 0: the attention softmax's */
};

void vnn_vmath_config_init(vnn_isa isa, struct vnn_vmath_config *cfg);

/* `vnn info` rows ("exp", "sigmoid", "tanh", "exp2_nonpos"); fn is a vnn_kernel_visitor. */
void vnn_vmath_config_visit(const struct vnn_vmath_config *cfg,
                            void (*fn)(const char *op, const char *ukernel, void *ctx),
                            void *ctx);

#endif
