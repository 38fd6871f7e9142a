#include "kernels/gemm/gemm-pack.h"

#include <string.h>

void vnn_gemm_pack_b_panel(vnn_transpose trans, const float *B, size_t ldb, size_t k0,
                           size_t j0, size_t kc, size_t cols, size_t nr, float *dst)
{
    if (trans == VNN_NO_TRANS) {
        /* Full panels of each ISA's width: a constant-size copy compiles to
         * a few vector moves, not a library call per row. */
#define COPY_ROWS(W)                                                                   \
    case W:                                                                            \
        for (size_t k = 0; k < kc; k++)                                                \
            memcpy(dst + k * (W), B + (k0 + k) * ldb + j0, (W) * sizeof *dst);         \
        return;
        if (cols == nr)
            switch (nr) {
                COPY_ROWS(32)
                COPY_ROWS(16)
                COPY_ROWS(12)
                COPY_ROWS(8)
            default:
                break;
            }
#undef COPY_ROWS
        for (size_t k = 0; k < kc; k++) {
            const float *src = B + (k0 + k) * ldb + j0;
            float *d = dst + k * nr;
            memcpy(d, src, cols * sizeof *d);
            for (size_t c = cols; c < nr; c++)
                d[c] = 0.0f;
        }
        return;
    }
    /* B stored N x K: column j of op(B) is row j of storage. Eight storage
     * rows at a time, so each store run fills part of one line (a scatter
     * one row at a time costs several cycles an element). */
    size_t c = 0;
    for (; c + 8 <= cols; c += 8) {
        const float *src = B + (j0 + c) * ldb + k0;
        for (size_t k = 0; k < kc; k++) {
            float *d = dst + k * nr + c;
            for (size_t e = 0; e < 8; e++)
                d[e] = src[e * ldb + k];
        }
    }
    for (; c < cols; c++) {
        const float *src = B + (j0 + c) * ldb + k0;
        for (size_t k = 0; k < kc; k++)
            dst[k * nr + c] = src[k];
    }
    for (size_t c = cols; c < nr; c++)
        for (size_t k = 0; k < kc; k++)
            dst[k * nr + c] = 0.0f;
}

void vnn_gemm_pack_a_strip(vnn_transpose trans, const float *A, size_t lda, size_t i0,
                           size_t k0, size_t rows, size_t kc, size_t mr, size_t stride,
                           float *dst)
{
    if (trans == VNN_NO_TRANS) {
        for (size_t r = 0; r < rows; r++)
            memcpy(dst + r * stride, A + (i0 + r) * lda + k0, kc * sizeof *dst);
    } else {
        /* A stored K x M: gather each op(A) row from a column of storage,
         * walking storage rows so reads stay sequential. */
        for (size_t k = 0; k < kc; k++) {
            const float *src = A + (k0 + k) * lda + i0;
            for (size_t r = 0; r < rows; r++)
                dst[r * stride + k] = src[r];
        }
    }
    for (size_t r = rows; r < mr; r++)
        memset(dst + r * stride, 0, kc * sizeof *dst);
}
