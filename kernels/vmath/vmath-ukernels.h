/* Every ISA's array math kernels (see vmath-config.h). */
#ifndef VNN_VMATH_UKERNELS_H
#define VNN_VMATH_UKERNELS_H

#include <stddef.h>

#define VNN_DECLARE_VMATH(W, ISA)                                                     \
    void vnn_vexp_ukernel_##W##__##ISA(size_t n, const float *x, float *y);           \
    void vnn_vsigmoid_ukernel_##W##__##ISA(size_t n, const float *x, float *y);       \
    void vnn_vtanh_ukernel_##W##__##ISA(size_t n, const float *x, float *y);         \
    void vnn_vexp2_nonpos_ukernel_##W##__##ISA(size_t n, const float *x, float *y);

VNN_DECLARE_VMATH(1, scalar)
VNN_DECLARE_VMATH(8, avx2)
VNN_DECLARE_VMATH(16, avx512)
VNN_DECLARE_VMATH(4, neon)

#endif
