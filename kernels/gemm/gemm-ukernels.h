/* Declarations of every GEMM microkernel; each lives in its own file,
 * compiled with its ISA's flags only. */
#ifndef VNN_GEMM_UKERNELS_H
#define VNN_GEMM_UKERNELS_H

#include "kernels/gemm/gemm-config.h"

#define VNN_DECLARE_GEMM_UKERNEL(name)                                                  \
    void name(size_t kc, const float *restrict a, size_t a_stride,                      \
              const float *restrict b,                                                  \
              float *restrict c, size_t ldc, const struct vnn_gemm_ukernel_params *params)

VNN_DECLARE_GEMM_UKERNEL(vnn_gemm_ukernel_4x8__scalar);
VNN_DECLARE_GEMM_UKERNEL(vnn_gemm_ukernel_6x16__avx2);
VNN_DECLARE_GEMM_UKERNEL(vnn_gemm_ukernel_4x16__avx2);
VNN_DECLARE_GEMM_UKERNEL(vnn_gemm_ukernel_14x32__avx512);
VNN_DECLARE_GEMM_UKERNEL(vnn_gemm_ukernel_4x32__avx512);
VNN_DECLARE_GEMM_UKERNEL(vnn_gemm_ukernel_14x16__avx512);
VNN_DECLARE_GEMM_UKERNEL(vnn_gemm_ukernel_8x12__neon);

void vnn_gemm_ukernel_rows4__avx2(size_t M, size_t K, size_t N, const float *a, size_t lda,
                                  const float *b, size_t ldb, float *acc);

#endif
