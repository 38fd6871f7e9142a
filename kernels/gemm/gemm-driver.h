/* The blocked, threaded GEMM loop nest (BLIS's five loops) shared by every
 * ISA; callers have validated all arguments. */
#ifndef VNN_GEMM_DRIVER_H
#define VNN_GEMM_DRIVER_H

#include <stddef.h>

#include "vnn/gemm.h"
#include "kernels/gemm/gemm-config.h"

struct vnn_gemm_args {
    const struct vnn_gemm_config *cfg;
    size_t M, N, K;
    float alpha, beta;
    vnn_transpose trans_a;
    const float *A;
    size_t lda;
    /* B either raw (trans_b, B, ldb) or prepacked by vnn_gemm_prepack_b(). */
    vnn_transpose trans_b;
    const float *B;
    size_t ldb;
    const float *b_packed;
    float *C;
    size_t ldc;
    const float *bias;
    int relu;
    int threads;
};

/* Floats needed by a prepacked B of K x N for this config. False on overflow. */
int vnn_gemm_prepacked_size(const struct vnn_gemm_config *cfg, size_t K, size_t N,
                            size_t *floats);

/* Prepacked layout: K blocks of cfg->kc rows, each holding every NR-column
 * panel (kc x NR, zero-padded) in column order. */
void vnn_gemm_prepack_b(const struct vnn_gemm_config *cfg, vnn_transpose trans, size_t K,
                        size_t N, const float *B, size_t ldb, float *dst);

/* VNN_OK or VNN_ERR_OUT_OF_MEMORY (then C is untouched). */
vnn_status vnn_gemm_run(const struct vnn_gemm_args *g);

#endif
