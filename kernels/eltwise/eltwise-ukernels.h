/* Declarations of the elementwise microkernels; each ISA's live in their own
 * files, compiled with that ISA's flags only. */
#ifndef VNN_ELTWISE_UKERNELS_H
#define VNN_ELTWISE_UKERNELS_H

#include "kernels/eltwise/eltwise-config.h"

#define VNN_ELTWISE_DECLARE(W, ISA)                                                  \
    void vnn_relu_ukernel_##W##__##ISA(size_t n, const float *x, float *y);          \
    void vnn_gelu_erf_ukernel_##W##__##ISA(size_t n, const float *x, float *y);      \
    void vnn_gelu_tanh_ukernel_##W##__##ISA(size_t n, const float *x, float *y);     \
    void vnn_erf_ukernel_##W##__##ISA(size_t n, const float *x, float *y);           \
    void vnn_add_ukernel_##W##__##ISA(size_t n, const float *a, const float *b, float *y);

VNN_ELTWISE_DECLARE(1, scalar)
VNN_ELTWISE_DECLARE(32, avx2)
VNN_ELTWISE_DECLARE(64, avx512)
VNN_ELTWISE_DECLARE(16, neon)

#endif
