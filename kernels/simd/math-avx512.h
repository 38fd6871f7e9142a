/* AVX-512 exp, sigmoid and tanh over 16 floats: the algorithm and the error
 * bounds of kernels/simd/math-constants.h. Include from AVX-512 files only. */
#ifndef VNN_SIMD_MATH_AVX512_H
#define VNN_SIMD_MATH_AVX512_H

#include <immintrin.h>

#include "kernels/simd/math-constants.h"

/* p = 1 + r (c1 + r (c2 + r (c3 + r (c4 + r c5)))) for n vectors, stage by
 * stage: the polynomial of exp and of exp2_nonpos (math-constants.h). */
VNN_MATH_INLINE void vnn_poly5_n_f32x16(const __m512 *r, __m512 *p, int n, float c1,
                                        float c2, float c3, float c4, float c5)
{
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm512_fmadd_ps(_mm512_set1_ps(c5), r[q], _mm512_set1_ps(c4));
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm512_fmadd_ps(p[q], r[q], _mm512_set1_ps(c3));
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm512_fmadd_ps(p[q], r[q], _mm512_set1_ps(c2));
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm512_fmadd_ps(p[q], r[q], _mm512_set1_ps(c1));
    VNN_MATH_FOR_N(q, n)
        p[q] = _mm512_fmadd_ps(p[q], r[q], _mm512_set1_ps(1.0f));
}

/* exp for x in [VNN_EXP_LO, VNN_EXP_HI] or NaN (which stays NaN): no
 * clamps, no fixes, for callers whose argument is in range by construction
 * (sigmoid, tanh, softmax scores: vnn_exp_f32x16's clamps and fix-ups saved).
 * The _n forms below take n <= VNN_MATH_MAX_N vectors in place (see
 * math-constants.h); the one-vector forms are n = 1. */
VNN_MATH_INLINE void vnn_exp_inrange_n_f32x16(__m512 *v, int n)
{
    __m512 k[VNN_MATH_MAX_N], r[VNN_MATH_MAX_N], p[VNN_MATH_MAX_N];
    /* k = round(v log2 e): adding 1.5 * 2^23 leaves the integer part in the
     * mantissa (one FMA and a subtract: roundscale alone is two uops). */
    VNN_MATH_FOR_N(q, n)
        k[q] = _mm512_fmadd_ps(v[q], _mm512_set1_ps(VNN_LOG2E), _mm512_set1_ps(VNN_ROUND_MAGIC));
    VNN_MATH_FOR_N(q, n)
        k[q] = _mm512_sub_ps(k[q], _mm512_set1_ps(VNN_ROUND_MAGIC));
    VNN_MATH_FOR_N(q, n)
        r[q] = _mm512_fnmadd_ps(k[q], _mm512_set1_ps(VNN_LN2_HI), v[q]);
    VNN_MATH_FOR_N(q, n)
        r[q] = _mm512_fnmadd_ps(k[q], _mm512_set1_ps(VNN_LN2_LO), r[q]);
    vnn_poly5_n_f32x16(r, p, n, VNN_EXP_C1, VNN_EXP_C2, VNN_EXP_C3, VNN_EXP_C4, VNN_EXP_C5);
    VNN_MATH_FOR_N(q, n)
        v[q] = _mm512_scalef_ps(p[q], k[q]); /* p * 2^k, exact for k up to 128 */
}

VNN_MATH_DEFINE_ONE_VECTOR(exp_inrange, __m512, f32x16)

static inline __m512 vnn_exp_f32x16(__m512 x)
{
    /* Clamp for the arithmetic (min/max return their second operand, x,
     * when it is NaN); out-of-range lanes are fixed at the end. */
    __m512 xc = _mm512_min_ps(_mm512_set1_ps(VNN_EXP_HI), x);
    xc = _mm512_max_ps(_mm512_set1_ps(VNN_EXP_LO), xc);
    __m512 y = vnn_exp_inrange_f32x16(xc);
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_set1_ps(VNN_EXP_LO), _CMP_LT_OQ),
                           _mm512_setzero_ps());
    y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, _mm512_set1_ps(VNN_EXP_HI), _CMP_GT_OQ),
                           _mm512_set1_ps(VNN_INF_F32));
    return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}

/* 2^x for x <= 0, -inf or NaN (math-constants.h): r = x - floor(x) in one
 * instruction (vreduceps), and scalef applies 2^floor(x) itself. No clamp:
 * reduce gives r = 0 for -inf and for x too large to have a fraction, and
 * scalef then gives 0 (2^-inf, or far below the subnormals); NaN stays
 * NaN through both. */
VNN_MATH_INLINE void vnn_exp2_nonpos_n_f32x16(__m512 *v, int n)
{
    __m512 r[VNN_MATH_MAX_N], p[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n)
        r[q] = _mm512_reduce_ps(v[q], _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    vnn_poly5_n_f32x16(r, p, n, VNN_EXP2_C1, VNN_EXP2_C2, VNN_EXP2_C3, VNN_EXP2_C4, VNN_EXP2_C5);
    VNN_MATH_FOR_N(q, n)
        v[q] = _mm512_scalef_ps(p[q], v[q]);
}

VNN_MATH_DEFINE_ONE_VECTOR(exp2_nonpos, __m512, f32x16)

/* 1 / d for finite normal d: a 14-bit reciprocal and one Newton step
 * (relative error about 2^-27), several times cheaper than a divide. */
VNN_MATH_INLINE void vnn_recip_n_f32x16(__m512 *d, int n)
{
    __m512 r[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n)
        r[q] = _mm512_rcp14_ps(d[q]);
    VNN_MATH_FOR_N(q, n)
        d[q] = _mm512_fmadd_ps(r[q], _mm512_fnmadd_ps(d[q], r[q], _mm512_set1_ps(1.0f)), r[q]);
}

VNN_MATH_INLINE void vnn_sigmoid_n_f32x16(__m512 *v, int n)
{
    /* -x capped so 1 + exp stays finite and its reciprocal normal, and
     * raised to VNN_EXP_LO (1 + exp(LO) is 1, as 1 + 0 was); min and max
     * return their second operand, so NaN passes through. */
    VNN_MATH_FOR_N(q, n)
        v[q] = _mm512_max_ps(_mm512_set1_ps(VNN_EXP_LO),
                             _mm512_min_ps(_mm512_set1_ps(VNN_SIGMOID_CAP),
                                           _mm512_sub_ps(_mm512_setzero_ps(), v[q])));
    vnn_exp_inrange_n_f32x16(v, n);
    VNN_MATH_FOR_N(q, n)
        v[q] = _mm512_add_ps(_mm512_set1_ps(1.0f), v[q]);
    vnn_recip_n_f32x16(v, n);
}

VNN_MATH_INLINE void vnn_tanh_n_f32x16(__m512 *v, int n)
{
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    __m512 e[VNN_MATH_MAX_N];
    VNN_MATH_FOR_N(q, n) {
        __m512 a = _mm512_castsi512_ps(_mm512_andnot_si512(sign, _mm512_castps_si512(v[q])));
        a = _mm512_min_ps(_mm512_set1_ps(VNN_TANH_SAT), a);
        e[q] = _mm512_add_ps(a, a); /* in [0, 18] */
    }
    vnn_exp_inrange_n_f32x16(e, n);
    VNN_MATH_FOR_N(q, n)
        e[q] = _mm512_add_ps(e[q], _mm512_set1_ps(1.0f));
    vnn_recip_n_f32x16(e, n);
    VNN_MATH_FOR_N(q, n) {
        __m512 t = _mm512_fnmadd_ps(_mm512_set1_ps(2.0f), e[q], _mm512_set1_ps(1.0f));
        v[q] = _mm512_castsi512_ps(_mm512_or_si512(
            _mm512_castps_si512(t), _mm512_and_si512(sign, _mm512_castps_si512(v[q]))));
    }
}

VNN_MATH_DEFINE_ONE_VECTOR(recip, __m512, f32x16)
VNN_MATH_DEFINE_ONE_VECTOR(sigmoid, __m512, f32x16)
VNN_MATH_DEFINE_ONE_VECTOR(tanh, __m512, f32x16)

#endif
