/* Declarations of the row-normalization microkernels; each ISA's live in
 * their own files, compiled with that ISA's flags only. */
#ifndef VNN_NORM_UKERNELS_H
#define VNN_NORM_UKERNELS_H

#include "kernels/norm/norm-config.h"

#define VNN_NORM_DECLARE(W, ISA)                                                      \
    void vnn_layernorm_ukernel_##W##__##ISA(size_t n, const float *x, const float *gamma, \
                                            const float *beta, float eps, float *y);  \
    void vnn_softmax_ukernel_##W##__##ISA(size_t n, const float *x, float *y);

VNN_NORM_DECLARE(1, scalar)
VNN_NORM_DECLARE(16, avx2)
VNN_NORM_DECLARE(32, avx512)
VNN_NORM_DECLARE(8, neon)

#endif
