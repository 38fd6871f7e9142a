/* AVX-512 microkernel: 14 x 32 tile in 28 zmm accumulators; per k step two
 * B vectors are loaded and each A element is broadcast straight into the FMA
 * (embedded broadcast), leaving 2 of 32 registers for B. */
#include <immintrin.h>

#include "kernels/gemm/gemm-ukernels.h"

#define MR 14

static inline __m512 finish(__m512 acc, const float *c, __m512 alpha, __m512 beta,
                            const struct vnn_gemm_ukernel_params *p, const float *bias)
{
    acc = _mm512_mul_ps(acc, alpha);
    if (p->beta != 0.0f)
        acc = _mm512_fmadd_ps(beta, _mm512_loadu_ps(c), acc);
    if (bias)
        acc = _mm512_add_ps(acc, _mm512_loadu_ps(bias));
    if (p->relu)
        acc = _mm512_max_ps(acc, _mm512_setzero_ps());
    return acc;
}

void vnn_gemm_ukernel_14x32__avx512(size_t kc, const float *restrict a, size_t a_stride,
                                    const float *restrict b, float *restrict c, size_t ldc,
                                    const struct vnn_gemm_ukernel_params *params)
{
    /* Named accumulators keep all 28 in registers (an array invites spills). */
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define DECLARE(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps(); \
    const float *a##i = a + (i) * a_stride;
    ROWS(DECLARE)

    /* C is touched only at the end: start fetching its lines now. */
    for (int i = 0; i < MR; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);
    }
    /* One line of the next A strip per k step, row by row then line by
     * line: MR <= 16 rows per 16 k steps covers the strip in time. */
    const float *pf = params->a_next, *pf_line = pf;
    size_t pf_stride = params->a_next_stride, pf_row = 0;
    for (size_t k = 0; k < kc; k++) {
        if (pf) {
            _mm_prefetch((const char *)(pf_line + pf_row * pf_stride), _MM_HINT_T0);
            if (++pf_row == MR) {
                pf_row = 0;
                pf_line += 16;
            }
        }
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
        b += 32;
#define FMA(i) { __m512 x = _mm512_set1_ps(a##i[k]); \
        c##i##0 = _mm512_fmadd_ps(x, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(x, b1, c##i##1); }
        ROWS(FMA)
    }

    __m512 alpha = _mm512_set1_ps(params->alpha), beta = _mm512_set1_ps(params->beta);
    const float *bias = params->bias;
#define STORE(i) { float *ci = c + (i) * ldc; \
        _mm512_storeu_ps(ci, finish(c##i##0, ci, alpha, beta, params, bias)); \
        _mm512_storeu_ps(ci + 16, finish(c##i##1, ci + 16, alpha, beta, params, \
                                         bias ? bias + 16 : NULL)); }
    ROWS(STORE)
#undef ROWS
#undef DECLARE
#undef FMA
#undef STORE
}
