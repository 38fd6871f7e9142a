/* Declarations of the row-normalization microkernels; each ISA's live in
 * their own files, compiled with that ISA's flags only. */
#ifndef VNN_NORM_UKERNELS_H
#define VNN_NORM_UKERNELS_H

#include "kernels/norm/norm-config.h"

/* LW, SW: the elements per step of the layer norm and softmax kernels. */
#define VNN_NORM_DECLARE(LW, SW, ISA)                                                 \
    void vnn_layernorm_ukernel_##LW##__##ISA(size_t n, const float *x, const float *gamma, \
                                             const float *beta, float eps, float *y); \
    void vnn_softmax_ukernel_##SW##__##ISA(size_t n, const float *x, float *y);

VNN_NORM_DECLARE(1, 1, scalar)
VNN_NORM_DECLARE(16, 16, avx2)
VNN_NORM_DECLARE(64, 32, avx512)
VNN_NORM_DECLARE(8, 8, neon)

#endif
