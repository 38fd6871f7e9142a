/* Softmax of one row, AVX-512: max, then exp(x - max) stored and summed,
 * then a scale by 1 / sum; two accumulators (32 floats) per step for the
 * reductions, the tail under a mask. */
#include <immintrin.h>

#include "kernels/norm/norm-ukernels.h"
#include "kernels/simd/mask-avx512.h"
#include "kernels/simd/math-avx512.h"

void vnn_softmax_ukernel_32__avx512(size_t n, const float *x, float *y)
{
    const size_t body = n & ~(size_t)15;
    const __mmask16 tail = vnn_tail_mask_avx512(n - body);
    __m512 m0 = _mm512_set1_ps(-__builtin_inff()), m1 = m0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x + i));
        m1 = _mm512_max_ps(m1, _mm512_loadu_ps(x + i + 16));
    }
    if (i < body)
        m0 = _mm512_max_ps(m0, _mm512_loadu_ps(x + i));
    if (tail)
        m1 = _mm512_mask_max_ps(m1, tail, m1, _mm512_maskz_loadu_ps(tail, x + body));
    const __m512 vmax = _mm512_set1_ps(_mm512_reduce_max_ps(_mm512_max_ps(m0, m1)));

    /* A NaN or +inf anywhere makes some exp NaN, and so the sum: the row
     * becomes NaN, as documented. */
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    for (i = 0; i + 32 <= n; i += 32) {
        __m512 e0 = vnn_exp_f32x16(_mm512_sub_ps(_mm512_loadu_ps(x + i), vmax));
        __m512 e1 = vnn_exp_f32x16(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vmax));
        _mm512_storeu_ps(y + i, e0);
        _mm512_storeu_ps(y + i + 16, e1);
        s0 = _mm512_add_ps(s0, e0);
        s1 = _mm512_add_ps(s1, e1);
    }
    if (i < body) {
        __m512 e = vnn_exp_f32x16(_mm512_sub_ps(_mm512_loadu_ps(x + i), vmax));
        _mm512_storeu_ps(y + i, e);
        s0 = _mm512_add_ps(s0, e);
    }
    if (tail) {
        __m512 e = vnn_exp_f32x16(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + body), vmax));
        _mm512_mask_storeu_ps(y + body, tail, e);
        s1 = _mm512_mask_add_ps(s1, tail, s1, e);
    }
    const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(_mm512_add_ps(s0, s1)));

    for (i = 0; i < body; i += 16)
        _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_loadu_ps(y + i), inv));
    if (tail)
        _mm512_mask_storeu_ps(y + body, tail,
                              _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, y + body), inv));
}
