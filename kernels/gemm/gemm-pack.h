/* Packing for the GEMM driver: shared by every ISA. */
#ifndef VNN_GEMM_PACK_H
#define VNN_GEMM_PACK_H

#include <stddef.h>

#include "vnn/gemm.h"

/* B panel: kc x nr (k-major, nr contiguous) from op(B) rows [k0, k0+kc) and
 * columns [j0, j0+cols); columns cols..nr-1 are zero. */
void vnn_gemm_pack_b_panel(vnn_transpose trans, const float *B, size_t ldb, size_t k0,
                           size_t j0, size_t kc, size_t cols, size_t nr, float *dst);

/* A strip: mr rows of kc floats, `stride` apart, from op(A) rows
 * [i0, i0+rows) and columns [k0, k0+kc); rows rows..mr-1 are zero. */
void vnn_gemm_pack_a_strip(vnn_transpose trans, const float *A, size_t lda, size_t i0,
                           size_t k0, size_t rows, size_t kc, size_t mr, size_t stride,
                           float *dst);

/* Row stride for packed A strips: kc rounded to a cache line plus one line,
 * so rows never sit a multiple of 4 KiB apart (L1 set aliasing). */
static inline size_t vnn_gemm_a_strip_stride(size_t kc) { return (kc + 15) / 16 * 16 + 16; }

#endif
