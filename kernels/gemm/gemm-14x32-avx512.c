/* AVX-512 microkernel: 14 x 32 tile in 28 zmm accumulators; per k step two
 * B vectors are loaded and each A element is broadcast straight into the FMA
 * (embedded broadcast), leaving 2 of 32 registers for B. */
#include <immintrin.h>

#include "kernels/gemm/gemm-ukernels.h"

#define MR 14
#ifndef BPF
#define BPF 8
#endif

static inline __m512 finish(__m512 acc, const float *c, __m512 alpha, __m512 beta,
                            const struct vnn_gemm_ukernel_params *p, const float *bias)
{
    acc = _mm512_mul_ps(acc, alpha);
    if (p->beta != 0.0f)
        acc = _mm512_fmadd_ps(beta, _mm512_loadu_ps(c), acc);
    if (bias)
        acc = _mm512_add_ps(acc, _mm512_loadu_ps(bias));
    if (p->relu)
        acc = _mm512_max_ps(acc, _mm512_setzero_ps());
    return acc;
}

void vnn_gemm_ukernel_14x32__avx512(size_t kc, const float *restrict a, size_t a_stride,
                                    const float *restrict b, float *restrict c, size_t ldc,
                                    const struct vnn_gemm_ukernel_params *params)
{
    __m512 acc[MR][2];
    for (int i = 0; i < MR; i++)
        acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    const float *ar[MR];
    for (int i = 0; i < MR; i++)
        ar[i] = a + i * a_stride;

    /* C is touched only at the end: start fetching its lines now. */
    for (int i = 0; i < MR; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);
    }
    const float *pf = params->a_next;
    size_t pf_stride = params->a_next_stride;
    for (size_t k = 0; k < kc; k++) {
        /* k % MR picks the row, k / MR the line: MR <= 16 covers the strip. */
        if (pf)
            _mm_prefetch((const char *)(pf + (k % MR) * pf_stride + (k / MR) * 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + (k + BPF) * 32), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + (k + BPF) * 32 + 16), _MM_HINT_T0);
        __m512 b0 = _mm512_load_ps(b + k * 32);
        __m512 b1 = _mm512_load_ps(b + k * 32 + 16);
        for (int i = 0; i < MR; i++) {
            __m512 ai = _mm512_set1_ps(ar[i][k]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
    }

    __m512 alpha = _mm512_set1_ps(params->alpha), beta = _mm512_set1_ps(params->beta);
    for (int i = 0; i < MR; i++) {
        float *ci = c + i * ldc;
        const float *bias = params->bias;
        _mm512_storeu_ps(ci, finish(acc[i][0], ci, alpha, beta, params, bias));
        _mm512_storeu_ps(ci + 16, finish(acc[i][1], ci + 16, alpha, beta, params,
                                         bias ? bias + 16 : NULL));
    }
}
