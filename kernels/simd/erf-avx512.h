/* AVX-512 erf over 16 floats: the rational form and bound of
 * erf-constants.h. Include from AVX-512 files only. */
#ifndef VNN_SIMD_ERF_AVX512_H
#define VNN_SIMD_ERF_AVX512_H

#include <immintrin.h>

#include "kernels/simd/erf-constants.h"

static inline __m512 vnn_erf_f32x16(__m512 x)
{
    /* min/max return the second operand (x) for NaN: NaN propagates. */
    __m512 c = _mm512_min_ps(_mm512_set1_ps(VNN_ERF_CLAMP), x);
    c = _mm512_max_ps(_mm512_set1_ps(-VNN_ERF_CLAMP), c);
    __m512 x2 = _mm512_mul_ps(c, c);
    __m512 p = _mm512_set1_ps(VNN_ERF_P0);
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(VNN_ERF_P1));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(VNN_ERF_P2));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(VNN_ERF_P3));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(VNN_ERF_P4));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(VNN_ERF_P5));
    p = _mm512_fmadd_ps(p, x2, _mm512_set1_ps(VNN_ERF_P6));
    __m512 q = _mm512_set1_ps(VNN_ERF_Q0);
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(VNN_ERF_Q1));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(VNN_ERF_Q2));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(VNN_ERF_Q3));
    q = _mm512_fmadd_ps(q, x2, _mm512_set1_ps(VNN_ERF_Q4));
    return _mm512_div_ps(_mm512_mul_ps(c, p), q);
}

#endif
