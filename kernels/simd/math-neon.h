/* NEON exp, sigmoid and tanh over 4 floats: the algorithm and the error
 * bounds of kernels/simd/math-constants.h. Include from NEON files only. */
#ifndef VNN_SIMD_MATH_NEON_H
#define VNN_SIMD_MATH_NEON_H

#include <arm_neon.h>

#include "kernels/simd/math-constants.h"

/* p = 1 + r (c1 + r (c2 + r (c3 + r (c4 + r c5)))) for n vectors, stage by
 * stage: the polynomial of exp and of exp2_nonpos (math-constants.h). */
VNN_MATH_INLINE void vnn_poly5_n_f32x4(const float32x4_t *r, float32x4_t *p, int n, float c1,
                                       float c2, float c3, float c4, float c5)
{
    VNN_MATH_FOR_N(q, n)
        p[q] = vfmaq_f32(vdupq_n_f32(c4), vdupq_n_f32(c5), r[q]);
    VNN_MATH_FOR_N(q, n)
        p[q] = vfmaq_f32(vdupq_n_f32(c3), p[q], r[q]);
    VNN_MATH_FOR_N(q, n)
        p[q] = vfmaq_f32(vdupq_n_f32(c2), p[q], r[q]);
    VNN_MATH_FOR_N(q, n)
        p[q] = vfmaq_f32(vdupq_n_f32(c1), p[q], r[q]);
    VNN_MATH_FOR_N(q, n)
        p[q] = vfmaq_f32(vdupq_n_f32(1.0f), p[q], r[q]);
}

/* exp for x in [VNN_EXP_LO, VNN_EXP_HI] or NaN (which stays NaN: the
 * polynomial is NaN whatever 2^k becomes): no clamps, no fixes, for callers
 * whose argument is in range by construction (sigmoid, tanh). The _n forms
 * below take n <= VNN_MATH_MAX_N vectors in place (see math-constants.h);
 * the one-vector forms are n = 1. */
VNN_MATH_INLINE void vnn_exp_inrange_n_f32x4(float32x4_t *v, int n)
{
    float32x4_t k[VNN_MATH_MAX_N], r[VNN_MATH_MAX_N], p[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n)
        k[q] = vrndnq_f32(vmulq_n_f32(v[q], VNN_LOG2E));
    VNN_MATH_FOR_N(q, n)
        r[q] = vfmsq_f32(v[q], k[q], vdupq_n_f32(VNN_LN2_HI));
    VNN_MATH_FOR_N(q, n)
        r[q] = vfmsq_f32(r[q], k[q], vdupq_n_f32(VNN_LN2_LO));
    vnn_poly5_n_f32x4(r, p, n, VNN_EXP_C1, VNN_EXP_C2, VNN_EXP_C3, VNN_EXP_C4, VNN_EXP_C5);
    /* 2^k with k in [-126, 128]: two normal factors (NaN lanes give junk
     * here, times a NaN p). */
    const int32x4_t bias = vdupq_n_s32(127);
    VNN_MATH_FOR_N(q, n) {
        int32x4_t ki = vcvtq_s32_f32(k[q]);
        int32x4_t k1 = vshrq_n_s32(ki, 1);
        int32x4_t k2 = vsubq_s32(ki, k1);
        float32x4_t s1 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k1, bias), 23));
        float32x4_t s2 = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(k2, bias), 23));
        v[q] = vmulq_f32(vmulq_f32(p[q], s1), s2);
    }
}

VNN_MATH_DEFINE_ONE_VECTOR(exp_inrange, float32x4_t, f32x4)

/* 2^x for x <= 0, -inf or NaN (math-constants.h). vmaxq propagates NaN,
 * so NaN stays NaN (2^k is junk there, times a NaN p). */
VNN_MATH_INLINE void vnn_exp2_nonpos_n_f32x4(float32x4_t *v, int n)
{
    float32x4_t k[VNN_MATH_MAX_N], r[VNN_MATH_MAX_N], p[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n)
        v[q] = vmaxq_f32(v[q], vdupq_n_f32(VNN_EXP2_FLOOR));
    VNN_MATH_FOR_N(q, n)
        k[q] = vrndmq_f32(v[q]);
    VNN_MATH_FOR_N(q, n)
        r[q] = vsubq_f32(v[q], k[q]);
    vnn_poly5_n_f32x4(r, p, n, VNN_EXP2_C1, VNN_EXP2_C2, VNN_EXP2_C3, VNN_EXP2_C4, VNN_EXP2_C5);
    /* 2^k for k in [-127, 0], built in the exponent field (0 at -127). */
    VNN_MATH_FOR_N(q, n) {
        int32x4_t e = vaddq_s32(vcvtq_s32_f32(k[q]), vdupq_n_s32(127));
        v[q] = vmulq_f32(p[q], vreinterpretq_f32_s32(vshlq_n_s32(e, 23)));
    }
}

VNN_MATH_DEFINE_ONE_VECTOR(exp2_nonpos, float32x4_t, f32x4)

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
VNN_MATH_INLINE void vnn_recip_n_f32x4(float32x4_t *d, int n)
{
    float32x4_t r[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n)
        r[q] = vrecpeq_f32(d[q]);
    VNN_MATH_FOR_N(q, n)
        r[q] = vmulq_f32(r[q], vrecpsq_f32(d[q], r[q]));
    VNN_MATH_FOR_N(q, n)
        d[q] = vmulq_f32(r[q], vrecpsq_f32(d[q], r[q]));
}

VNN_MATH_INLINE void vnn_sigmoid_n_f32x4(float32x4_t *v, int n)
{
    /* -x capped so 1 + exp stays finite and its reciprocal normal, and
     * raised to VNN_EXP_LO (1 + exp(LO) is 1, as 1 + 0 was); vminq and
     * vmaxq keep NaN. */
    VNN_MATH_FOR_N(q, n)
        v[q] = vmaxq_f32(vminq_f32(vnegq_f32(v[q]), vdupq_n_f32(VNN_SIGMOID_CAP)),
                         vdupq_n_f32(VNN_EXP_LO));
    vnn_exp_inrange_n_f32x4(v, n);
    VNN_MATH_FOR_N(q, n)
        v[q] = vaddq_f32(vdupq_n_f32(1.0f), v[q]);
    vnn_recip_n_f32x4(v, n);
}

VNN_MATH_INLINE void vnn_tanh_n_f32x4(float32x4_t *v, int n)
{
    float32x4_t e[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n) {
        float32x4_t a = vminq_f32(vabsq_f32(v[q]), vdupq_n_f32(VNN_TANH_SAT));
        e[q] = vaddq_f32(a, a); /* in [0, 18] */
    }
    vnn_exp_inrange_n_f32x4(e, n);
    VNN_MATH_FOR_N(q, n)
        e[q] = vaddq_f32(e[q], vdupq_n_f32(1.0f));
    vnn_recip_n_f32x4(e, n);
    /* 1 - 2 r, with x's sign copied on */
    const uint32x4_t sign = vdupq_n_u32(0x80000000u);
    VNN_MATH_FOR_N(q, n)
        v[q] = vbslq_f32(sign, v[q], vfmsq_f32(vdupq_n_f32(1.0f), vdupq_n_f32(2.0f), e[q]));
}

VNN_MATH_DEFINE_ONE_VECTOR(recip, float32x4_t, f32x4)
VNN_MATH_DEFINE_ONE_VECTOR(sigmoid, float32x4_t, f32x4)
VNN_MATH_DEFINE_ONE_VECTOR(tanh, float32x4_t, f32x4)

#endif
