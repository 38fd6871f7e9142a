#include "gemm-reference.h"

#include <stddef.h>

#ifdef VT_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#else
#include "vt.h"
#endif

/* BLAS leaves C unread when beta == 0; do not rely on the reference for it
 * (the suite hands vnn a NaN-filled C): start from zeros instead. */
static void zero_c(int64_t M, int64_t N, float *C, int64_t ldc)
{
    for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++)
            C[i * ldc + j] = 0.0f;
}

#ifdef VT_HAVE_DNNL

const char *gemm_ref_name(void) { return "oneDNN dnnl_sgemm"; }

int gemm_ref_sgemm(vnn_transpose trans_a, vnn_transpose trans_b, int64_t M, int64_t N,
                   int64_t K, float alpha, const float *A, int64_t lda, const float *B,
                   int64_t ldb, float beta, float *C, int64_t ldc)
{
    if (beta == 0.0f)
        zero_c(M, N, C, ldc);
    dnnl_status_t st = dnnl_sgemm(trans_a == VNN_TRANS ? 'T' : 'N',
                                  trans_b == VNN_TRANS ? 'T' : 'N', M, N, K, alpha, A, lda,
                                  B, ldb, beta, C, ldc);
    return st == dnnl_success ? 0 : 1;
}

#else

const char *gemm_ref_name(void) { return "vnn scalar kernels"; }

int gemm_ref_sgemm(vnn_transpose trans_a, vnn_transpose trans_b, int64_t M, int64_t N,
                   int64_t K, float alpha, const float *A, int64_t lda, const float *B,
                   int64_t ldb, float beta, float *C, int64_t ldc)
{
    if (beta == 0.0f)
        zero_c(M, N, C, ldc);
    VT_RETURN_ON_SCALAR(
        vnn_sgemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc));
}

#endif
