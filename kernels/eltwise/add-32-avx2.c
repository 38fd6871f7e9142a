/* Elementwise add, AVX2: 32 floats per step, the tail through maskload. */
#include "eltwise-avx2.inc"

void vnn_add_ukernel_32__avx2(size_t n, const float *a, const float *b, float *y)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int v = 0; v < 32; v += 8)
            _mm256_storeu_ps(y + i + v, _mm256_add_ps(_mm256_loadu_ps(a + i + v),
                                                      _mm256_loadu_ps(b + i + v)));
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
    if (i < n) {
        __m256i m = vnn_tail_mask_avx2(n - i);
        _mm256_maskstore_ps(y + i, m, _mm256_add_ps(_mm256_maskload_ps(a + i, m),
                                                    _mm256_maskload_ps(b + i, m)));
    }
}
