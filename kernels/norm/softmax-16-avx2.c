/* Softmax of one row, AVX2: max, then exp(x - max) stored and summed, then
 * a scale by 1 / sum; two accumulators (16 floats) per step for the
 * reductions, the tail through maskload/maskstore. */
#include "kernels/simd/reduce-avx2.h"
#include "kernels/norm/norm-ukernels.h"
#include "kernels/simd/math-avx2.h"

void vnn_softmax_ukernel_16__avx2(size_t n, const float *x, float *y)
{
    const size_t body = n & ~(size_t)7;
    const __m256i tail = vnn_tail_mask_avx2(n - body);
    const __m256 tailf = _mm256_castsi256_ps(tail);
    const int has_tail = body < n;
    const __m256 ninf = _mm256_set1_ps(-__builtin_inff());
    __m256 m0 = ninf, m1 = ninf;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
        m1 = _mm256_max_ps(m1, _mm256_loadu_ps(x + i + 8));
    }
    if (i < body)
        m0 = _mm256_max_ps(m0, _mm256_loadu_ps(x + i));
    if (has_tail) /* off lanes read as -inf */
        m1 = _mm256_max_ps(m1, _mm256_blendv_ps(ninf, _mm256_maskload_ps(x + body, tail), tailf));
    const __m256 vmax = _mm256_set1_ps(vnn_hmax_avx2(_mm256_max_ps(m0, m1)));

    /* A NaN or +inf anywhere makes some exp NaN, and so the sum: the row
     * becomes NaN, as documented. */
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    for (i = 0; i + 16 <= n; i += 16) {
        __m256 e0 = vnn_exp_f32x8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        __m256 e1 = vnn_exp_f32x8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vmax));
        _mm256_storeu_ps(y + i, e0);
        _mm256_storeu_ps(y + i + 8, e1);
        s0 = _mm256_add_ps(s0, e0);
        s1 = _mm256_add_ps(s1, e1);
    }
    if (i < body) {
        __m256 e = vnn_exp_f32x8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmax));
        _mm256_storeu_ps(y + i, e);
        s0 = _mm256_add_ps(s0, e);
    }
    if (has_tail) {
        __m256 e = vnn_exp_f32x8(_mm256_sub_ps(_mm256_maskload_ps(x + body, tail), vmax));
        e = _mm256_and_ps(e, tailf);
        _mm256_maskstore_ps(y + body, tail, e);
        s1 = _mm256_add_ps(s1, e);
    }
    const __m256 inv = _mm256_set1_ps(1.0f / vnn_hsum_avx2(_mm256_add_ps(s0, s1)));

    for (i = 0; i < body; i += 8)
        _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), inv));
    if (has_tail)
        _mm256_maskstore_ps(y + body, tail, _mm256_mul_ps(_mm256_maskload_ps(y + body, tail), inv));
}
