/* GELU, erf and tanh forms, NEON (the formulas: gelu-constants.h),
 * and erf itself over an array, for the tests. */
#include "eltwise-neon.inc"
#include "kernels/eltwise/gelu-constants.h"
#include "kernels/simd/erf-neon.h"
#include "kernels/simd/math-neon.h"

static inline float32x4_t gelu_erf(float32x4_t x)
{
    const float32x4_t half = vdupq_n_f32(0.5f);
    float32x4_t e = vnn_erf_f32x4(vmulq_n_f32(x, VNN_GELU_RSQRT2));
    return vmulq_f32(x, vfmaq_f32(half, e, half));
}

static inline float32x4_t gelu_tanh(float32x4_t x)
{
    float32x4_t x2 = vmulq_f32(x, x);
    float32x4_t z2 = vmulq_f32(
        x, vfmaq_f32(vdupq_n_f32(VNN_GELU_TANH_K1), x2, vdupq_n_f32(VNN_GELU_TANH_K3)));
    return vmulq_f32(x, vnn_sigmoid_f32x4(z2));
}

VNN_UNARY_NEON(vnn_gelu_erf_ukernel_16__neon, gelu_erf)
VNN_UNARY_NEON(vnn_gelu_tanh_ukernel_16__neon, gelu_tanh)
VNN_UNARY_NEON(vnn_erf_ukernel_16__neon, vnn_erf_f32x4)
