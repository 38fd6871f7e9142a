/* The reference SGEMM the GEMM suite compares against: oneDNN's dnnl_sgemm
 * when the build has it (VT_HAVE_DNNL), otherwise vnn's own scalar kernels
 * (the aarch64 cross build has no oneDNN; the native run checks scalar
 * against oneDNN, so the chain of comparisons still ends at oneDNN). */
#ifndef GEMM_REFERENCE_H
#define GEMM_REFERENCE_H

#include <stdint.h>

#include "vnn/gemm.h"

/* "oneDNN dnnl_sgemm" or "vnn scalar kernels". */
const char *gemm_ref_name(void);

/* Row-major C = alpha * op(A) * op(B) + beta * C, same argument meaning as
 * vnn_sgemm; C is not read when beta == 0. Sizes must be positive. Returns
 * 0 on success, nonzero if the reference itself failed. */
int gemm_ref_sgemm(vnn_transpose trans_a, vnn_transpose trans_b, int64_t M, int64_t N,
                   int64_t K, float alpha, const float *A, int64_t lda, const float *B,
                   int64_t ldb, float beta, float *C, int64_t ldc);

#endif
