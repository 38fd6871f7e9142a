/* Portable reference microkernel: 4 x 8 register tile in plain C. */
#include "kernels/gemm/gemm-epilogue.h"
#include "kernels/gemm/gemm-ukernels.h"

#define MR 4
#define NR 8

void vnn_gemm_ukernel_4x8__scalar(size_t kc, const float *restrict a, size_t a_stride,
                                  const float *restrict b, float *restrict c, size_t ldc,
                                  const struct vnn_gemm_ukernel_params *params)
{
    float acc[MR][NR] = {{0}};
    for (size_t k = 0; k < kc; k++) {
        const float *bk = b + k * NR;
        for (int i = 0; i < MR; i++) {
            float ai = a[i * a_stride + k];
            for (int j = 0; j < NR; j++)
                acc[i][j] += ai * bk[j];
        }
    }
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++)
            c[i * ldc + j] = vnn_gemm_epilogue1(acc[i][j], &c[i * ldc + j], (size_t)j, params);
}
