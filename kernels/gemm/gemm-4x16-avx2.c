/* AVX2 row-tail microkernel: 4 x 16, for the last rows of M that do not
 * fill a 6-row strip and for GEMMs of 1-4 rows (a dense layer on one
 * sample): 8 accumulators, as many as cover the FMA latency at two FMAs a
 * cycle, where the 6x16 kernel on a zero-padded strip spent 6/M of its
 * FMAs on padding. Same contract as vnn_gemm_ukernel_6x16__avx2. */
#include <immintrin.h>

#include "kernels/gemm/gemm-ukernels.h"

#define MR 4

void vnn_gemm_ukernel_4x16__avx2(size_t kc, const float *restrict a, size_t a_stride,
                                 const float *restrict b, float *restrict c, size_t ldc,
                                 const struct vnn_gemm_ukernel_params *params)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00;
    __m256 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    const float *a0 = a, *a1 = a0 + a_stride, *a2 = a1 + a_stride, *a3 = a2 + a_stride;
    for (size_t k = 0; k < kc; k++) {
        __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        b += 16;
        __m256 x = _mm256_broadcast_ss(a0 + k);
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
    }
    /* The 6x16 kernel's epilogue: x*1 is exact and fma(1, c, acc) ==
     * acc + c, so skipping a unit alpha and adding C for a unit beta
     * changes no result. */
    __m256 acc[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
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
    if (params->bias) {
        const __m256 bias0 = _mm256_loadu_ps(params->bias), bias1 = _mm256_loadu_ps(params->bias + 8);
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
