/* AVX2 helpers shared by the row, elementwise, attention, depthwise and
 * pooling kernels: horizontal sum and max of 8 floats, the tail mask. */
#ifndef VNN_SIMD_REDUCE_AVX2_H
#define VNN_SIMD_REDUCE_AVX2_H

#include <immintrin.h>
#include <stddef.h>

static inline float vnn_hsum_avx2(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

static inline float vnn_hmax_avx2(__m256 v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_max_ss(s, _mm_movehdup_ps(s)));
}

/* Lanes [0, k) on, k in [0, 8]. */
static inline __m256i vnn_tail_mask_avx2(size_t k)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)k), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#endif
