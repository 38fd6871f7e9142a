/* AVX2+FMA exp, sigmoid and tanh over 8 floats: the algorithm and the error
 * bounds of kernels/simd/math-constants.h. Include from AVX2 files only. */
#ifndef VNN_SIMD_MATH_AVX2_H
#define VNN_SIMD_MATH_AVX2_H

#include <immintrin.h>

#include "kernels/simd/math-constants.h"

/* exp for x in [VNN_EXP_LO, VNN_EXP_HI] or NaN (which stays NaN): no
 * clamps, no fixes, for callers whose argument is in range by construction
 * (sigmoid, tanh). */
static inline __m256 vnn_exp_inrange_f32x8(__m256 xc)
{
    __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(VNN_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(VNN_LN2_HI), xc);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(VNN_LN2_LO), r);
    __m256 p = _mm256_set1_ps(VNN_EXP_P0);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VNN_EXP_P1));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VNN_EXP_P2));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VNN_EXP_P3));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VNN_EXP_P4));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(VNN_EXP_P5));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
    /* 2^n with n in [-126, 128]: two normal factors 2^(n>>1) and 2^(n-(n>>1)). */
    __m256i ni = _mm256_cvtps_epi32(n);
    __m256i n1 = _mm256_srai_epi32(ni, 1);
    __m256i n2 = _mm256_sub_epi32(ni, n1);
    const __m256i bias = _mm256_set1_epi32(127);
    __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
    __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

static inline __m256 vnn_exp_f32x8(__m256 x)
{
    /* Clamp for the arithmetic (min/max return their second operand, x,
     * when it is NaN); out-of-range lanes are fixed at the end. */
    __m256 xc = _mm256_min_ps(_mm256_set1_ps(VNN_EXP_HI), x);
    xc = _mm256_max_ps(_mm256_set1_ps(VNN_EXP_LO), xc);
    __m256 y = vnn_exp_inrange_f32x8(xc);
    y = _mm256_blendv_ps(y, _mm256_setzero_ps(),
                         _mm256_cmp_ps(x, _mm256_set1_ps(VNN_EXP_LO), _CMP_LT_OQ));
    y = _mm256_blendv_ps(y, _mm256_set1_ps(VNN_INF_F32),
                         _mm256_cmp_ps(x, _mm256_set1_ps(VNN_EXP_HI), _CMP_GT_OQ));
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

/* 1 / d for finite normal d: a 12-bit reciprocal and one Newton step
 * (relative error about 2^-23), several times cheaper than a divide. */
static inline __m256 vnn_recip_f32x8(__m256 d)
{
    __m256 r = _mm256_rcp_ps(d);
    return _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, _mm256_set1_ps(1.0f)), r);
}

static inline __m256 vnn_sigmoid_f32x8(__m256 x)
{
    /* -x capped so 1 + exp stays finite and its reciprocal normal, and
     * raised to VNN_EXP_LO (1 + exp(LO) is 1, as 1 + 0 was); min and max
     * return their second operand, so NaN passes through. */
    __m256 nx = _mm256_sub_ps(_mm256_setzero_ps(), x);
    nx = _mm256_max_ps(_mm256_set1_ps(VNN_EXP_LO),
                       _mm256_min_ps(_mm256_set1_ps(VNN_SIGMOID_CAP), nx));
    __m256 e = vnn_exp_inrange_f32x8(nx);
    return vnn_recip_f32x8(_mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

static inline __m256 vnn_tanh_f32x8(__m256 x)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 a = _mm256_andnot_ps(sign, x);
    a = _mm256_min_ps(_mm256_set1_ps(VNN_TANH_SAT), a);
    __m256 e = vnn_exp_inrange_f32x8(_mm256_add_ps(a, a)); /* 2a in [0, 18] */
    __m256 r = vnn_recip_f32x8(_mm256_add_ps(e, _mm256_set1_ps(1.0f)));
    __m256 t = _mm256_fnmadd_ps(_mm256_set1_ps(2.0f), r, _mm256_set1_ps(1.0f));
    return _mm256_or_ps(t, _mm256_and_ps(sign, x));
}

#endif
