/* AVX2 erf over 8 floats: the rational form and bound of erf-constants.h.
 * Include from AVX2 files only. */
#ifndef VNN_SIMD_ERF_AVX2_H
#define VNN_SIMD_ERF_AVX2_H

#include <immintrin.h>

#include "kernels/simd/erf-constants.h"

static inline __m256 vnn_erf_f32x8(__m256 x)
{
    /* min/max return the second operand (x) for NaN: NaN propagates. */
    __m256 c = _mm256_min_ps(_mm256_set1_ps(VNN_ERF_CLAMP), x);
    c = _mm256_max_ps(_mm256_set1_ps(-VNN_ERF_CLAMP), c);
    __m256 x2 = _mm256_mul_ps(c, c);
    __m256 p = _mm256_set1_ps(VNN_ERF_P0);
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(VNN_ERF_P1));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(VNN_ERF_P2));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(VNN_ERF_P3));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(VNN_ERF_P4));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(VNN_ERF_P5));
    p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(VNN_ERF_P6));
    __m256 q = _mm256_set1_ps(VNN_ERF_Q0);
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(VNN_ERF_Q1));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(VNN_ERF_Q2));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(VNN_ERF_Q3));
    q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(VNN_ERF_Q4));
    return _mm256_div_ps(_mm256_mul_ps(c, p), q);
}

#endif
