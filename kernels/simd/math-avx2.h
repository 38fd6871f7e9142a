/* AVX2+FMA exp, sigmoid and tanh over 8 floats: the algorithm and the error
 * bounds of kernels/simd/math-constants.h. Include from AVX2 files only. */
#ifndef VNN_SIMD_MATH_AVX2_H
#define VNN_SIMD_MATH_AVX2_H

#include <immintrin.h>

#include "kernels/simd/math-constants.h"

/* p = 1 + r (c1 + r (c2 + r (c3 + r (c4 + r c5)))) for n vectors, stage by
 * stage: the polynomial of exp and of exp2_nonpos (math-constants.h). */
VNN_MATH_INLINE void vnn_poly5_n_f32x8(const __m256 *r, __m256 *p, int n, float c1,
                                       float c2, float c3, float c4, float c5)
{
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm256_fmadd_ps(_mm256_set1_ps(c5), r[q], _mm256_set1_ps(c4));
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm256_fmadd_ps(p[q], r[q], _mm256_set1_ps(c3));
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm256_fmadd_ps(p[q], r[q], _mm256_set1_ps(c2));
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm256_fmadd_ps(p[q], r[q], _mm256_set1_ps(c1));
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm256_fmadd_ps(p[q], r[q], _mm256_set1_ps(1.0f));
}

/* exp for x in [VNN_EXP_LO, VNN_EXP_HI] or NaN (which stays NaN): no
 * clamps, no fixes, for callers whose argument is in range by construction
 * (sigmoid, tanh). The _n forms below take n <= VNN_MATH_MAX_N vectors in
 * place (see math-constants.h); the one-vector forms are n = 1. */
VNN_MATH_INLINE void vnn_exp_inrange_n_f32x8(__m256 *v, int n)
{
    __m256 k[VNN_MATH_MAX_N], r[VNN_MATH_MAX_N], p[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n)
        k[q] = _mm256_round_ps(_mm256_mul_ps(v[q], _mm256_set1_ps(VNN_LOG2E)),
                               _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    VNN_MATH_FOR_N(q, n)
        r[q] = _mm256_fnmadd_ps(k[q], _mm256_set1_ps(VNN_LN2_HI), v[q]);
    VNN_MATH_FOR_N(q, n)
        r[q] = _mm256_fnmadd_ps(k[q], _mm256_set1_ps(VNN_LN2_LO), r[q]);
    vnn_poly5_n_f32x8(r, p, n, VNN_EXP_C1, VNN_EXP_C2, VNN_EXP_C3, VNN_EXP_C4, VNN_EXP_C5);
    /* 2^k with k in [-126, 128]: two normal factors 2^(k>>1) and 2^(k-(k>>1)). */
    const __m256i bias = _mm256_set1_epi32(127);
    VNN_MATH_FOR_N(q, n) {
        __m256i ki = _mm256_cvtps_epi32(k[q]);
        __m256i k1 = _mm256_srai_epi32(ki, 1);
        __m256i k2 = _mm256_sub_epi32(ki, k1);
        __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k1, bias), 23));
        __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k2, bias), 23));
        v[q] = _mm256_mul_ps(_mm256_mul_ps(p[q], s1), s2);
    }
}

VNN_MATH_DEFINE_ONE_VECTOR(exp_inrange, __m256, f32x8)

/* 2^x for x <= 0, -inf or NaN (math-constants.h). max returns its second
 * operand when it is NaN, so NaN stays NaN (2^k is junk there, times a NaN
 * p). */
VNN_MATH_INLINE void vnn_exp2_nonpos_n_f32x8(__m256 *v, int n)
{
    __m256 k[VNN_MATH_MAX_N], r[VNN_MATH_MAX_N], p[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n)
        v[q] = _mm256_max_ps(_mm256_set1_ps(VNN_EXP2_FLOOR), v[q]);
    VNN_MATH_FOR_N(q, n)
        k[q] = _mm256_round_ps(v[q], _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    VNN_MATH_FOR_N(q, n)
        r[q] = _mm256_sub_ps(v[q], k[q]);
    vnn_poly5_n_f32x8(r, p, n, VNN_EXP2_C1, VNN_EXP2_C2, VNN_EXP2_C3, VNN_EXP2_C4, VNN_EXP2_C5);
    /* 2^k for k in [-127, 0], built in the exponent field (0 at -127). */
    VNN_MATH_FOR_N(q, n) {
        __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(k[q]), _mm256_set1_epi32(127));
        v[q] = _mm256_mul_ps(p[q], _mm256_castsi256_ps(_mm256_slli_epi32(e, 23)));
    }
}

VNN_MATH_DEFINE_ONE_VECTOR(exp2_nonpos, __m256, f32x8)

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
VNN_MATH_INLINE void vnn_recip_n_f32x8(__m256 *d, int n)
{
    __m256 r[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n)
        r[q] = _mm256_rcp_ps(d[q]);
    VNN_MATH_FOR_N(q, n)
        d[q] = _mm256_fmadd_ps(r[q], _mm256_fnmadd_ps(d[q], r[q], _mm256_set1_ps(1.0f)), r[q]);
}

VNN_MATH_INLINE void vnn_sigmoid_n_f32x8(__m256 *v, int n)
{
    /* -x capped so 1 + exp stays finite and its reciprocal normal, and
     * raised to VNN_EXP_LO (1 + exp(LO) is 1, as 1 + 0 was); min and max
     * return their second operand, so NaN passes through. */
    VNN_MATH_FOR_N(q, n)
        v[q] = _mm256_max_ps(_mm256_set1_ps(VNN_EXP_LO),
                             _mm256_min_ps(_mm256_set1_ps(VNN_SIGMOID_CAP),
                                           _mm256_sub_ps(_mm256_setzero_ps(), v[q])));
    vnn_exp_inrange_n_f32x8(v, n);
    VNN_MATH_FOR_N(q, n)
        v[q] = _mm256_add_ps(_mm256_set1_ps(1.0f), v[q]);
    vnn_recip_n_f32x8(v, n);
}

VNN_MATH_INLINE void vnn_tanh_n_f32x8(__m256 *v, int n)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 e[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n) {
        __m256 a = _mm256_min_ps(_mm256_set1_ps(VNN_TANH_SAT), _mm256_andnot_ps(sign, v[q]));
        e[q] = _mm256_add_ps(a, a); /* in [0, 18] */
    }
    vnn_exp_inrange_n_f32x8(e, n);
    VNN_MATH_FOR_N(q, n)
        e[q] = _mm256_add_ps(e[q], _mm256_set1_ps(1.0f));
    vnn_recip_n_f32x8(e, n);
    VNN_MATH_FOR_N(q, n) {
        __m256 t = _mm256_fnmadd_ps(_mm256_set1_ps(2.0f), e[q], _mm256_set1_ps(1.0f));
        v[q] = _mm256_or_ps(t, _mm256_and_ps(sign, v[q]));
    }
}

VNN_MATH_DEFINE_ONE_VECTOR(recip, __m256, f32x8)
VNN_MATH_DEFINE_ONE_VECTOR(sigmoid, __m256, f32x8)
VNN_MATH_DEFINE_ONE_VECTOR(tanh, __m256, f32x8)

#endif
