/* Layer normalization of one row, AVX2: two accumulators (16 floats) per
 * step for the two reductions, the tail through maskload (zeros). */
#include <math.h>

#include "kernels/simd/reduce-avx2.h"
#include "kernels/norm/norm-ukernels.h"

void vnn_layernorm_ukernel_16__avx2(size_t n, const float *x, const float *gamma,
                                    const float *beta, float eps, float *y)
{
    const size_t body = n & ~(size_t)7;
    const __m256i tail = vnn_tail_mask_avx2(n - body);
    const int has_tail = body < n;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
        s1 = _mm256_add_ps(s1, _mm256_loadu_ps(x + i + 8));
    }
    if (i < body)
        s0 = _mm256_add_ps(s0, _mm256_loadu_ps(x + i));
    if (has_tail)
        s1 = _mm256_add_ps(s1, _mm256_maskload_ps(x + body, tail));
    const float mean = vnn_hsum_avx2(_mm256_add_ps(s0, s1)) / (float)n;
    const __m256 vmean = _mm256_set1_ps(mean);

    s0 = s1 = _mm256_setzero_ps();
    for (i = 0; i + 16 <= n; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmean);
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), vmean);
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
    }
    if (i < body) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), vmean);
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    if (has_tail) {
        __m256 d = _mm256_and_ps(_mm256_sub_ps(_mm256_maskload_ps(x + body, tail), vmean),
                                 _mm256_castsi256_ps(tail));
        s1 = _mm256_fmadd_ps(d, d, s1);
    }
    const float var = vnn_hsum_avx2(_mm256_add_ps(s0, s1)) / (float)n;
    const __m256 rstd = _mm256_set1_ps(1.0f / sqrtf(var + eps));

    /* Fetch the driver's next row during the last pass (see the AVX-512
     * kernel); a prefetch past the tensor's end is harmless. */
    for (i = 0; i < body; i += 8) {
        if (i % 16 == 0)
            _mm_prefetch((const char *)(x + n + i), _MM_HINT_T0);
        __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), vmean), rstd);
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(d, _mm256_loadu_ps(gamma + i),
                                                _mm256_loadu_ps(beta + i)));
    }
    if (has_tail) {
        __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(x + body, tail), vmean), rstd);
        _mm256_maskstore_ps(y + body, tail,
                            _mm256_fmadd_ps(d, _mm256_maskload_ps(gamma + body, tail),
                                            _mm256_maskload_ps(beta + body, tail)));
    }
}
