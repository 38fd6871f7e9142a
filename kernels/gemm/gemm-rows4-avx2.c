/* AVX2 GEMM of 1-4 rows with B read in place (row-major, not packed): a
 * dense layer on one sample. acc[m][j] = sum_k a[m][k] * B[k][j] for
 * m < M, j < N (acc rows round_up(N, 8) floats apart; the last columns
 * through masked loads; the driver applies the epilogue). Each sum is one
 * FMA chain in k order from +0, as in the 6x16 and 4x16 kernels, so the
 * result is bitwise that of the blocked path over the same K block. Four rows of B per step, each
 * streamed left to right, so the prefetchers see sequential reads; the
 * blocked path packed B into 16-column panels first, reading it down its
 * columns (rows 4 KiB apart at N = 1024) and ran GEMV at a fifth of
 * oneDNN's speed. */
#include <immintrin.h>

#include "kernels/gemm/gemm-ukernels.h"
#include "kernels/simd/reduce-avx2.h"

/* Rows m < MR (a constant once inlined) over k steps [k0, k0 + 4). */
static inline __attribute__((always_inline)) void step4(int MR, size_t N, const float *a,
                                                        size_t lda, size_t k0, const float *b,
                                                        size_t ldb, float *acc, int first)
{
    __m256 x[4][4];
    for (int m = 0; m < MR; m++)
        for (int t = 0; t < 4; t++)
            x[m][t] = _mm256_broadcast_ss(a + (size_t)m * lda + k0 + (size_t)t);
    const float *b0 = b + k0 * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
    const size_t np = (N + 7) & ~(size_t)7;
    const __m256i tail = vnn_tail_mask_avx2(N % 8 ? N % 8 : 8);
    for (size_t j = 0; j < N; j += 8) {
        __m256 v0, v1, v2, v3;
        if (j + 8 <= N) {
            v0 = _mm256_loadu_ps(b0 + j), v1 = _mm256_loadu_ps(b1 + j);
            v2 = _mm256_loadu_ps(b2 + j), v3 = _mm256_loadu_ps(b3 + j);
        } else {
            v0 = _mm256_maskload_ps(b0 + j, tail), v1 = _mm256_maskload_ps(b1 + j, tail);
            v2 = _mm256_maskload_ps(b2 + j, tail), v3 = _mm256_maskload_ps(b3 + j, tail);
        }
        for (int m = 0; m < MR; m++) {
            float *o = acc + (size_t)m * np + j;
            __m256 s = _mm256_fmadd_ps(x[m][0], v0,
                                       first ? _mm256_setzero_ps() : _mm256_load_ps(o));
            s = _mm256_fmadd_ps(x[m][1], v1, s);
            s = _mm256_fmadd_ps(x[m][2], v2, s);
            s = _mm256_fmadd_ps(x[m][3], v3, s);
            _mm256_store_ps(o, s);
        }
    }
}

/* Rows m < MR over one k step (K's last K mod 4). */
static inline __attribute__((always_inline)) void step1(int MR, size_t N, const float *a,
                                                        size_t lda, size_t k, const float *b,
                                                        size_t ldb, float *acc, int first)
{
    const float *bk = b + k * ldb;
    const size_t np = (N + 7) & ~(size_t)7;
    const __m256i tail = vnn_tail_mask_avx2(N % 8 ? N % 8 : 8);
    for (int m = 0; m < MR; m++) {
        const __m256 x = _mm256_broadcast_ss(a + (size_t)m * lda + k);
        float *o = acc + (size_t)m * np;
        for (size_t j = 0; j < N; j += 8) {
            __m256 v = j + 8 <= N ? _mm256_loadu_ps(bk + j) : _mm256_maskload_ps(bk + j, tail);
            _mm256_store_ps(o + j, _mm256_fmadd_ps(x, v, first ? _mm256_setzero_ps()
                                                               : _mm256_load_ps(o + j)));
        }
    }
}

static inline __attribute__((always_inline)) void rows(int MR, size_t K, size_t N,
                                                       const float *a, size_t lda,
                                                       const float *b, size_t ldb, float *acc)
{
    size_t k = 0;
    for (; k + 4 <= K; k += 4)
        step4(MR, N, a, lda, k, b, ldb, acc, k == 0);
    for (; k < K; k++)
        step1(MR, N, a, lda, k, b, ldb, acc, k == 0);
}

void vnn_gemm_ukernel_rows4__avx2(size_t M, size_t K, size_t N, const float *a, size_t lda,
                                  const float *b, size_t ldb, float *acc)
{
    switch (M) {
    case 1: rows(1, K, N, a, lda, b, ldb, acc); break;
    case 2: rows(2, K, N, a, lda, b, ldb, acc); break;
    case 3: rows(3, K, N, a, lda, b, ldb, acc); break;
    default: rows(4, K, N, a, lda, b, ldb, acc); break;
    }
}
