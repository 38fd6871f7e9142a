/* AVX-512 tail mask, shared by every kernel that finishes a row or a run of
 * channels under a mask. */
#ifndef VNN_SIMD_MASK_AVX512_H
#define VNN_SIMD_MASK_AVX512_H

#include <immintrin.h>
#include <stddef.h>

/* Lanes [0, n) on, n in [0, 16]; callers with longer runs test for a full
 * tile first (a shift by 32 or more is undefined). */
static inline __mmask16 vnn_tail_mask_avx512(size_t n)
{
    return (__mmask16)((1u << n) - 1u);
}

#endif
