/* Elementwise add, AVX-512: 64 floats per step, the tail under a mask. */
#include <immintrin.h>

#include "kernels/eltwise/eltwise-ukernels.h"
#include "kernels/simd/mask-avx512.h"

void vnn_add_ukernel_64__avx512(size_t n, const float *a, const float *b, float *y)
{
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
        for (int v = 0; v < 64; v += 16)
            _mm512_storeu_ps(y + i + v, _mm512_add_ps(_mm512_loadu_ps(a + i + v),
                                                      _mm512_loadu_ps(b + i + v)));
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));
    if (i < n) {
        __mmask16 m = vnn_tail_mask_avx512(n - i);
        _mm512_mask_storeu_ps(y + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, a + i),
                                                      _mm512_maskz_loadu_ps(m, b + i)));
    }
}
