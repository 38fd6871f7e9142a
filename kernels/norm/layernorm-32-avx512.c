/* Layer normalization of one row, AVX-512: two accumulators (32 floats) per
 * step for the two reductions, the tail under a mask. */
#include <immintrin.h>
#include <math.h>

#include "kernels/norm/norm-ukernels.h"

void vnn_layernorm_ukernel_32__avx512(size_t n, const float *x, const float *gamma,
                                      const float *beta, float eps, float *y)
{
    const size_t body = n & ~(size_t)15;
    const __mmask16 tail = (__mmask16)((1u << (n - body)) - 1);
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + i));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps(x + i + 16));
    }
    if (i < body)
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(x + i));
    if (tail)
        s1 = _mm512_add_ps(s1, _mm512_maskz_loadu_ps(tail, x + body));
    const float mean = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1)) / (float)n;
    const __m512 vmean = _mm512_set1_ps(mean);

    s0 = s1 = _mm512_setzero_ps();
    for (i = 0; i + 32 <= n; i += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), vmean);
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vmean);
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
    }
    if (i < body) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + i), vmean);
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    if (tail) {
        __m512 d = _mm512_maskz_sub_ps(tail, _mm512_maskz_loadu_ps(tail, x + body), vmean);
        s1 = _mm512_fmadd_ps(d, d, s1);
    }
    const float var = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1)) / (float)n;
    const __m512 rstd = _mm512_set1_ps(1.0f / sqrtf(var + eps));

    for (i = 0; i < body; i += 16) {
        __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), vmean), rstd);
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(d, _mm512_loadu_ps(gamma + i),
                                                _mm512_loadu_ps(beta + i)));
    }
    if (tail) {
        __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + body), vmean),
                                 rstd);
        _mm512_mask_storeu_ps(y + body, tail,
                              _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(tail, gamma + body),
                                              _mm512_maskz_loadu_ps(tail, beta + body)));
    }
}
