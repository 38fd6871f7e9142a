/* Single-precision GEMM: C = act(alpha * op(A) * op(B) + beta * C + bias).
 *
 * Row-major. op(A) is M x K, op(B) is K x N, C is M x N. lda/ldb/ldc are the
 * distances in elements between consecutive rows of the matrices as stored
 * (A stored K x M when transposed, and so on). With beta == 0, C is not read,
 * so it may hold NaN or garbage. Sizes may be zero (nothing is computed,
 * C is left alone when M or N is zero). With K == 0 or alpha == 0, A and B
 * are not read (they may be NULL) and C becomes act(beta * C + bias), as in
 * BLAS.
 *
 * Numerics: each element is a sum of K products accumulated in float in
 * k-order per micro-tile, as in any blocked GEMM; results are independent of
 * the thread count (threads split rows and columns, never K). */
#ifndef VNN_GEMM_H
#define VNN_GEMM_H

#include <stdint.h>

#include "vnn/export.h"
#include "vnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vnn_transpose { VNN_NO_TRANS = 0, VNN_TRANS = 1 } vnn_transpose;

typedef enum vnn_activation {
    VNN_ACT_NONE = 0,
    VNN_ACT_RELU = 1,
} vnn_activation;

/* Applied once per output element after alpha/beta: C = act(C + bias[j]). */
typedef struct vnn_gemm_epilogue {
    const float *bias; /* N floats, one per column of C, or NULL */
    vnn_activation act;
} vnn_gemm_epilogue;

VNN_API vnn_status vnn_sgemm(vnn_transpose trans_a, vnn_transpose trans_b,
                             int64_t M, int64_t N, int64_t K, float alpha,
                             const float *A, int64_t lda, const float *B,
                             int64_t ldb, float beta, float *C, int64_t ldc);

/* vnn_sgemm with a fused epilogue (epilogue may be NULL). */
VNN_API vnn_status vnn_sgemm_ex(vnn_transpose trans_a, vnn_transpose trans_b,
                                int64_t M, int64_t N, int64_t K, float alpha,
                                const float *A, int64_t lda, const float *B,
                                int64_t ldb, float beta, float *C, int64_t ldc,
                                const vnn_gemm_epilogue *epilogue);

/* Weights packed once into the layout of the kernels selected at packing
 * time; a packed B keeps using those kernels even if vnn_set_isa() changes. */
typedef struct vnn_packed_b vnn_packed_b;

VNN_API vnn_status vnn_sgemm_pack_b(vnn_transpose trans_b, int64_t K, int64_t N,
                                    const float *B, int64_t ldb,
                                    vnn_packed_b **out);
VNN_API vnn_status vnn_packed_b_dims(const vnn_packed_b *packed, int64_t *K,
                                     int64_t *N);
VNN_API vnn_status vnn_packed_b_destroy(vnn_packed_b *packed);

VNN_API vnn_status vnn_sgemm_packed(vnn_transpose trans_a, int64_t M, float alpha,
                                    const float *A, int64_t lda,
                                    const vnn_packed_b *B, float beta, float *C,
                                    int64_t ldc, const vnn_gemm_epilogue *epilogue);

#ifdef __cplusplus
}
#endif

#endif
