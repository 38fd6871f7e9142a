/* NEON exp, sigmoid and tanh over 4 floats: the algorithm and the error
 * bounds of kernels/simd/math-constants.h. Include from NEON files only. */
#ifndef VNN_SIMD_MATH_NEON_H
#define VNN_SIMD_MATH_NEON_H

#include <arm_neon.h>

#include "kernels/simd/math-constants.h"

/* exp for x in [VNN_EXP_LO, VNN_EXP_HI] or NaN (which stays NaN: the
 * polynomial is NaN whatever 2^n becomes): no clamps, no fixes, for callers
 * whose argument is in range by construction (sigmoid, tanh). */
static inline float32x4_t vnn_exp_inrange_f32x4(float32x4_t xc)
{
    float32x4_t n = vrndnq_f32(vmulq_n_f32(xc, VNN_LOG2E));
    float32x4_t r = vfmsq_f32(xc, n, vdupq_n_f32(VNN_LN2_HI));
    r = vfmsq_f32(r, n, vdupq_n_f32(VNN_LN2_LO));
    float32x4_t p = vdupq_n_f32(VNN_EXP_P0);
    p = vfmaq_f32(vdupq_n_f32(VNN_EXP_P1), p, r);
    p = vfmaq_f32(vdupq_n_f32(VNN_EXP_P2), p, r);
    p = vfmaq_f32(vdupq_n_f32(VNN_EXP_P3), p, r);
    p = vfmaq_f32(vdupq_n_f32(VNN_EXP_P4), p, r);
    p = vfmaq_f32(vdupq_n_f32(VNN_EXP_P5), p, r);
    p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), p, vmulq_f32(r, r));
    /* 2^n with n in [-126, 128]: two normal factors (NaN lanes give junk
     * here, times a NaN p). */
    int32x4_t ni = vcvtq_s32_f32(n);
    int32x4_t n1 = vshrq_n_s32(ni, 1);
    int32x4_t n2 = vsubq_s32(ni, n1);
    const int32x4_t bias = vdupq_n_s32(127);
    float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n1, bias), 23));
    float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n2, bias), 23));
    return vmulq_f32(vmulq_f32(p, s1), s2);
}

static inline float32x4_t vnn_exp_f32x4(float32x4_t x)
{
    /* vminq/vmaxq propagate NaN, so NaN lanes stay NaN through the clamp;
     * they and the out-of-range lanes are fixed at the end. */
    float32x4_t xc = vminq_f32(x, vdupq_n_f32(VNN_EXP_HI));
    xc = vmaxq_f32(xc, vdupq_n_f32(VNN_EXP_LO));
    float32x4_t y = vnn_exp_inrange_f32x4(xc);
    y = vbslq_f32(vcltq_f32(x, vdupq_n_f32(VNN_EXP_LO)), vdupq_n_f32(0.0f), y);
    y = vbslq_f32(vcgtq_f32(x, vdupq_n_f32(VNN_EXP_HI)), vdupq_n_f32(VNN_INF_F32), y);
    return vbslq_f32(vceqq_f32(x, x), y, x);
}

/* 1 / d for finite normal d: an 8-bit estimate and two Newton steps
 * (relative error about 2^-23), cheaper than a divide on most cores. */
static inline float32x4_t vnn_recip_f32x4(float32x4_t d)
{
    float32x4_t r = vrecpeq_f32(d);
    r = vmulq_f32(r, vrecpsq_f32(d, r));
    return vmulq_f32(r, vrecpsq_f32(d, r));
}

static inline float32x4_t vnn_sigmoid_f32x4(float32x4_t x)
{
    /* -x capped so 1 + exp stays finite and its reciprocal normal, and
     * raised to VNN_EXP_LO (1 + exp(LO) is 1, as 1 + 0 was); vminq and
     * vmaxq keep NaN. */
    float32x4_t nx = vminq_f32(vnegq_f32(x), vdupq_n_f32(VNN_SIGMOID_CAP));
    float32x4_t e = vnn_exp_inrange_f32x4(vmaxq_f32(nx, vdupq_n_f32(VNN_EXP_LO)));
    return vnn_recip_f32x4(vaddq_f32(vdupq_n_f32(1.0f), e));
}

static inline float32x4_t vnn_tanh_f32x4(float32x4_t x)
{
    float32x4_t a = vminq_f32(vabsq_f32(x), vdupq_n_f32(VNN_TANH_SAT));
    float32x4_t e = vnn_exp_inrange_f32x4(vaddq_f32(a, a)); /* 2a in [0, 18] */
    float32x4_t r = vnn_recip_f32x4(vaddq_f32(e, vdupq_n_f32(1.0f)));
    float32x4_t t = vfmsq_f32(vdupq_n_f32(1.0f), vdupq_n_f32(2.0f), r);
    /* copy x's sign onto t */
    const uint32x4_t sign = vdupq_n_u32(0x80000000u);
    return vbslq_f32(sign, x, t);
}

#endif
