/* AVX2 + FMA microkernel: 6 x 16 tile in 12 ymm accumulators; per k step two
 * B vectors are loaded and each A element is broadcast once. */
#include <immintrin.h>

#include "kernels/gemm/gemm-ukernels.h"

#define MR 6

void vnn_gemm_ukernel_6x16__avx2(size_t kc, const float *restrict a, size_t a_stride,
                                 const float *restrict b, float *restrict c, size_t ldc,
                                 const struct vnn_gemm_ukernel_params *params)
{
    /* Named accumulators, not an array: with only 16 ymm registers GCC
     * otherwise keeps some of them on the stack. */
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    const float *a0 = a, *a1 = a0 + a_stride, *a2 = a1 + a_stride, *a3 = a2 + a_stride;
    const float *a4 = a3 + a_stride, *a5 = a4 + a_stride;

    for (int i = 0; i < MR; i++)
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
    /* One line of the next A strip every other k step, row by row then
     * line by line: MR = 6 rows per 16 k steps covers the strip in time. */
    const float *pf = params->a_next, *pf_line = pf;
    size_t pf_stride = params->a_next_stride, pf_row = 0;
    for (size_t k = 0; k < kc; k++) {
        if (pf && (k & 1) == 0) {
            _mm_prefetch((const char *)(pf_line + pf_row * pf_stride), _MM_HINT_T0);
            if (++pf_row == MR) {
                pf_row = 0;
                pf_line += 16;
            }
        }
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        b += 16;
        __m256 x;
        x = _mm256_broadcast_ss(a0 + k);
        c00 = _mm256_fmadd_ps(x, b0, c00);
        c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a1 + k);
        c10 = _mm256_fmadd_ps(x, b0, c10);
        c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a2 + k);
        c20 = _mm256_fmadd_ps(x, b0, c20);
        c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a3 + k);
        c30 = _mm256_fmadd_ps(x, b0, c30);
        c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(a4 + k);
        c40 = _mm256_fmadd_ps(x, b0, c40);
        c41 = _mm256_fmadd_ps(x, b1, c41);
        x = _mm256_broadcast_ss(a5 + k);
        c50 = _mm256_fmadd_ps(x, b0, c50);
        c51 = _mm256_fmadd_ps(x, b1, c51);
    }

    /* Epilogue straight-line, one pass per step over the tile (as the
     * AVX-512 kernel): x*1 is exact and fma(1, c, acc) == acc + c, so skipping
     * the unit alpha and adding C for unit beta changes no result. */
    __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                         {c30, c31}, {c40, c41}, {c50, c51}};
    if (params->alpha != 1.0f) {
        const __m256 alpha = _mm256_set1_ps(params->alpha);
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 2; v++)
                acc[i][v] = _mm256_mul_ps(acc[i][v], alpha);
    }
    if (params->beta == 1.0f) {
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 2; v++)
                acc[i][v] = _mm256_add_ps(acc[i][v], _mm256_loadu_ps(c + i * ldc + 8 * v));
    } else if (params->beta != 0.0f) {
        const __m256 beta = _mm256_set1_ps(params->beta);
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 2; v++)
                acc[i][v] = _mm256_fmadd_ps(beta, _mm256_loadu_ps(c + i * ldc + 8 * v), acc[i][v]);
    }
    const float *bias = params->bias;
    if (bias) {
        const __m256 bias0 = _mm256_loadu_ps(bias), bias1 = _mm256_loadu_ps(bias + 8);
        for (int i = 0; i < MR; i++) {
            acc[i][0] = _mm256_add_ps(acc[i][0], bias0);
            acc[i][1] = _mm256_add_ps(acc[i][1], bias1);
        }
    }
    if (params->relu) {
        const __m256 zero = _mm256_setzero_ps();
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 2; v++)
                acc[i][v] = _mm256_max_ps(acc[i][v], zero);
    }
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < 2; v++)
            _mm256_storeu_ps(c + i * ldc + 8 * v, acc[i][v]);
}
