/* AVX-512 exp, sigmoid and tanh over 16 floats: the algorithm and the error
 * bounds of kernels/simd/math-constants.h. Include from AVX-512 files only. */
#ifndef VNN_SIMD_MATH_AVX512_H
#define VNN_SIMD_MATH_AVX512_H

#include <immintrin.h>

#include "kernels/simd/math-constants.h"

/* exp for x in [VNN_EXP_LO, VNN_EXP_HI] or NaN (which stays NaN): no
 * clamps, no fixes, for callers whose argument is in range by construction
 * (sigmoid, tanh: 8 of the 23 instructions of vnn_exp_f32x16 saved). */
static inline __m512 vnn_exp_inrange_f32x16(__m512 xc)
{
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(VNN_LOG2E)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(VNN_LN2_HI), xc);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(VNN_LN2_LO), r);
    __m512 p = _mm512_set1_ps(VNN_EXP_P0);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VNN_EXP_P1));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VNN_EXP_P2));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VNN_EXP_P3));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VNN_EXP_P4));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(VNN_EXP_P5));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, n); /* p * 2^n, exact for n up to 128 */
}

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

/* 1 / d for finite normal d: a 14-bit reciprocal and one Newton step
 * (relative error about 2^-27), several times cheaper than a divide. */
static inline __m512 vnn_recip_f32x16(__m512 d)
{
    __m512 r = _mm512_rcp14_ps(d);
    return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(1.0f)), r);
}

static inline __m512 vnn_sigmoid_f32x16(__m512 x)
{
    /* -x capped so 1 + exp stays finite and its reciprocal normal, and
     * raised to VNN_EXP_LO (1 + exp(LO) is 1, as 1 + 0 was); min and max
     * return their second operand, so NaN passes through. */
    __m512 nx = _mm512_sub_ps(_mm512_setzero_ps(), x);
    nx = _mm512_max_ps(_mm512_set1_ps(VNN_EXP_LO),
                       _mm512_min_ps(_mm512_set1_ps(VNN_SIGMOID_CAP), nx));
    __m512 e = vnn_exp_inrange_f32x16(nx);
    return vnn_recip_f32x16(_mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

static inline __m512 vnn_tanh_f32x16(__m512 x)
{
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    __m512 a = _mm512_castsi512_ps(_mm512_andnot_si512(sign, _mm512_castps_si512(x)));
    a = _mm512_min_ps(_mm512_set1_ps(VNN_TANH_SAT), a);
    __m512 e = vnn_exp_inrange_f32x16(_mm512_add_ps(a, a)); /* 2a in [0, 18] */
    __m512 r = vnn_recip_f32x16(_mm512_add_ps(e, _mm512_set1_ps(1.0f)));
    __m512 t = _mm512_fnmadd_ps(_mm512_set1_ps(2.0f), r, _mm512_set1_ps(1.0f));
    return _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(t), _mm512_and_si512(sign, _mm512_castps_si512(x))));
}

#endif
