/* Public SGEMM entry points: validate everything, then run the driver. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dispatch/dispatch.h"
#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "kernels/gemm/gemm-driver.h"
#include "vnn/gemm.h"

struct vnn_packed_b {
    struct vnn_gemm_config cfg; /* kernels it was packed for */
    size_t K, N;
    float *data;
};

/* A rows x cols matrix stored with leading dimension ld: ld >= cols, and its
 * byte extent must be representable. A null pointer is fine if it is empty.
 * On failure, vnn_last_error() names the matrix and the value. */
static int matrix_ok(const char *fn, char name, const void *p, int64_t rows, int64_t cols,
                     int64_t ld)
{
    if (ld < 1 || ld < cols) {
        vnn_error(VNN_ERR_INVALID_ARG, "%s: ld%c = %lld, less than max(1, %lld) (the columns "
                  "of %c as stored)", fn, name + 32, (long long)ld, (long long)cols, name);
        return 0;
    }
    if (rows == 0 || cols == 0)
        return 1;
    size_t span, elems, bytes;
    if (!vnn_mul_size((size_t)(rows - 1), (size_t)ld, &span) ||
        !vnn_add_size(span, (size_t)cols, &elems) ||
        !vnn_mul_size(elems, sizeof(float), &bytes) || bytes > (size_t)PTRDIFF_MAX) {
        vnn_error(VNN_ERR_INVALID_ARG, "%s: %c (%lld x %lld, ld%c = %lld) is larger than "
                  "PTRDIFF_MAX bytes", fn, name, (long long)rows, (long long)cols, name + 32,
                  (long long)ld);
        return 0;
    }
    if (!p)
        vnn_error(VNN_ERR_INVALID_ARG, "%s: %c is NULL", fn, name);
    return p != NULL;
}

static int trans_ok(const char *fn, const char *name, vnn_transpose t)
{
    if (t == VNN_NO_TRANS || t == VNN_TRANS)
        return 1;
    vnn_error(VNN_ERR_INVALID_ARG, "%s: %s = %d, not VNN_NO_TRANS or VNN_TRANS", fn, name,
              (int)t);
    return 0;
}

/* M, N, K (names[i] the size's name) must be >= 0. */
static int sizes_ok(const char *fn, int n, const int64_t *v, const char *names)
{
    for (int i = 0; i < n; i++)
        if (v[i] < 0) {
            vnn_error(VNN_ERR_INVALID_ARG, "%s: %c = %lld < 0", fn, names[i], (long long)v[i]);
            return 0;
        }
    return 1;
}

static int epilogue_ok(const char *fn, const vnn_gemm_epilogue *ep)
{
    if (!ep || ep->act == VNN_ACT_NONE || ep->act == VNN_ACT_RELU)
        return 1;
    vnn_error(VNN_ERR_INVALID_ARG, "%s: epilogue->act = %d, not VNN_ACT_NONE or VNN_ACT_RELU",
              fn, (int)ep->act);
    return 0;
}

static void fill_epilogue(struct vnn_gemm_args *g, const vnn_gemm_epilogue *ep)
{
    g->bias = ep ? ep->bias : NULL;
    g->relu = ep && ep->act == VNN_ACT_RELU;
    g->threads = vnn_get_num_threads();
}

vnn_status vnn_sgemm_ex(vnn_transpose trans_a, vnn_transpose trans_b, int64_t M, int64_t N,
                        int64_t K, float alpha, const float *A, int64_t lda, const float *B,
                        int64_t ldb, float beta, float *C, int64_t ldc,
                        const vnn_gemm_epilogue *epilogue)
{
    static const char fn[] = "vnn_sgemm";
    if (!trans_ok(fn, "trans_a", trans_a) || !trans_ok(fn, "trans_b", trans_b) ||
        !sizes_ok(fn, 3, (int64_t[]){M, N, K}, "MNK"))
        return VNN_ERR_INVALID_ARG;
    int64_t a_rows = trans_a ? K : M, a_cols = trans_a ? M : K;
    int64_t b_rows = trans_b ? N : K, b_cols = trans_b ? K : N;
    /* A and B are only read when there is something to multiply. */
    int reads = M > 0 && N > 0 && K > 0 && alpha != 0.0f;
    if (!matrix_ok(fn, 'A', reads ? A : (const void *)1, a_rows, a_cols, lda) ||
        !matrix_ok(fn, 'B', reads ? B : (const void *)1, b_rows, b_cols, ldb) ||
        !matrix_ok(fn, 'C', C, M, N, ldc) || !epilogue_ok(fn, epilogue))
        return VNN_ERR_INVALID_ARG;
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;

    struct vnn_gemm_args g = {
        .cfg = &t->gemm, .M = (size_t)M, .N = (size_t)N, .K = (size_t)K,
        .alpha = alpha, .beta = beta, .trans_a = trans_a, .A = A, .lda = (size_t)lda,
        .trans_b = trans_b, .B = B, .ldb = (size_t)ldb, .C = C, .ldc = (size_t)ldc,
    };
    fill_epilogue(&g, epilogue);
    return vnn_gemm_run(&g);
}

vnn_status vnn_sgemm(vnn_transpose trans_a, vnn_transpose trans_b, int64_t M, int64_t N,
                     int64_t K, float alpha, const float *A, int64_t lda, const float *B,
                     int64_t ldb, float beta, float *C, int64_t ldc)
{
    return vnn_sgemm_ex(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL);
}

vnn_status vnn_sgemm_pack_b(vnn_transpose trans_b, int64_t K, int64_t N, const float *B,
                            int64_t ldb, vnn_packed_b **out)
{
    static const char fn[] = "vnn_sgemm_pack_b";
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: out is NULL", fn);
    *out = NULL;
    if (!trans_ok(fn, "trans_b", trans_b) || !sizes_ok(fn, 2, (int64_t[]){K, N}, "KN") ||
        !matrix_ok(fn, 'B', B, trans_b ? N : K, trans_b ? K : N, ldb))
        return VNN_ERR_INVALID_ARG;
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    size_t floats, bytes;
    if (!vnn_gemm_prepacked_size(&t->gemm, (size_t)K, (size_t)N, &floats) ||
        !vnn_mul_size(floats, sizeof(float), &bytes))
        return VNN_ERR_INVALID_ARG;
    vnn_packed_b *p = malloc(sizeof *p);
    float *data = vnn_aligned_alloc(bytes);
    if (!p || !data) {
        free(p);
        vnn_aligned_free(data);
        return VNN_ERR_OUT_OF_MEMORY;
    }
    *p = (vnn_packed_b){.cfg = t->gemm, .K = (size_t)K, .N = (size_t)N, .data = data};
    vnn_gemm_prepack_b(&p->cfg, trans_b, p->K, p->N, B, (size_t)ldb, data);
    *out = p;
    return VNN_OK;
}

vnn_status vnn_packed_b_dims(const vnn_packed_b *packed, int64_t *K, int64_t *N)
{
    if (!packed || !K || !N)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_packed_b_dims: NULL %s",
                         !packed ? "packed" : !K ? "K" : "N");
    *K = (int64_t)packed->K;
    *N = (int64_t)packed->N;
    return VNN_OK;
}

vnn_status vnn_packed_b_destroy(vnn_packed_b *packed)
{
    if (packed) {
        vnn_aligned_free(packed->data);
        free(packed);
    }
    return VNN_OK;
}

vnn_status vnn_sgemm_packed(vnn_transpose trans_a, int64_t M, float alpha, const float *A,
                            int64_t lda, const vnn_packed_b *B, float beta, float *C,
                            int64_t ldc, const vnn_gemm_epilogue *epilogue)
{
    static const char fn[] = "vnn_sgemm_packed";
    if (!B)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: B (the packed matrix) is NULL", fn);
    if (!trans_ok(fn, "trans_a", trans_a) || !sizes_ok(fn, 1, &M, "M"))
        return VNN_ERR_INVALID_ARG;
    int64_t K = (int64_t)B->K, N = (int64_t)B->N;
    int reads = M > 0 && N > 0 && K > 0 && alpha != 0.0f;
    if (!matrix_ok(fn, 'A', reads ? A : (const void *)1, trans_a ? K : M, trans_a ? M : K,
                   lda) ||
        !matrix_ok(fn, 'C', C, M, N, ldc) || !epilogue_ok(fn, epilogue))
        return VNN_ERR_INVALID_ARG;
    if (!vnn_kernels())
        return VNN_ERR_UNSUPPORTED_ISA;
    struct vnn_gemm_args g = {
        .cfg = &B->cfg, .M = (size_t)M, .N = (size_t)N, .K = (size_t)K, .alpha = alpha,
        .beta = beta, .trans_a = trans_a, .A = A, .lda = (size_t)lda, .b_packed = B->data,
        .C = C, .ldc = (size_t)ldc,
    };
    fill_epilogue(&g, epilogue);
    return vnn_gemm_run(&g);
}
