/* AVX2 + FMA microkernel: 6 x 16 tile in 12 ymm accumulators; per k step two
 * B vectors are loaded and each A element is broadcast once. */
#include <immintrin.h>

#include "kernels/gemm/gemm-ukernels.h"

#define MR 6

static inline __m256 finish(__m256 acc, const float *c, __m256 alpha, __m256 beta,
                            const struct vnn_gemm_ukernel_params *p, const float *bias)
{
    acc = _mm256_mul_ps(acc, alpha);
    if (p->beta != 0.0f)
        acc = _mm256_fmadd_ps(beta, _mm256_loadu_ps(c), acc);
    if (bias)
        acc = _mm256_add_ps(acc, _mm256_loadu_ps(bias));
    if (p->relu)
        acc = _mm256_max_ps(acc, _mm256_setzero_ps());
    return acc;
}

void vnn_gemm_ukernel_6x16__avx2(size_t kc, const float *restrict a, size_t a_stride,
                                 const float *restrict b, float *restrict c, size_t ldc,
                                 const struct vnn_gemm_ukernel_params *params)
{
    __m256 acc[MR][2];
    for (int i = 0; i < MR; i++)
        acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    const float *ar[MR];
    for (int i = 0; i < MR; i++)
        ar[i] = a + i * a_stride;

    for (size_t k = 0; k < kc; k++) {
        __m256 b0 = _mm256_load_ps(b + k * 16);
        __m256 b1 = _mm256_load_ps(b + k * 16 + 8);
        for (int i = 0; i < MR; i++) {
            __m256 ai = _mm256_broadcast_ss(ar[i] + k);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }

    __m256 alpha = _mm256_set1_ps(params->alpha), beta = _mm256_set1_ps(params->beta);
    for (int i = 0; i < MR; i++) {
        float *ci = c + i * ldc;
        const float *bias = params->bias;
        _mm256_storeu_ps(ci, finish(acc[i][0], ci, alpha, beta, params, bias));
        _mm256_storeu_ps(ci + 8, finish(acc[i][1], ci + 8, alpha, beta, params,
                                        bias ? bias + 8 : NULL));
    }
}
