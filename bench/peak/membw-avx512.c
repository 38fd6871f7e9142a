/* peak/membw's loops with AVX-512 loads and stores (built with only the
 * AVX-512 flags), so the reference reads as wide as the kernels it is the
 * reference for. n is a multiple of 32 floats, p 64-byte aligned. */
#include <immintrin.h>
#include <stddef.h>

#include "peak/peak.h"

float vb_membw_read_avx512(const float *p, size_t n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < n; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_load_ps(p + i));
        s1 = _mm512_add_ps(s1, _mm512_load_ps(p + i + 16));
        if (i + 32 < n) {
            s2 = _mm512_add_ps(s2, _mm512_load_ps(p + i + 32));
            s3 = _mm512_add_ps(s3, _mm512_load_ps(p + i + 48));
        }
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

void vb_membw_copy_avx512(float *restrict dst, const float *restrict src, size_t n)
{
    for (size_t i = 0; i < n; i += 32) {
        __m512 v0 = _mm512_load_ps(src + i), v1 = _mm512_load_ps(src + i + 16);
        _mm512_store_ps(dst + i, v0);
        _mm512_store_ps(dst + i + 16, v1);
    }
}
