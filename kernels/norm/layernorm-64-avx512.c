/* Layer normalization of one row, AVX-512: four accumulators (64 floats)
 * per step for the two reductions -- a 768-float row is 48 registers, and
 * with fewer chains the adds' latency, not the loads, would set the pace --
 * then single registers, the tail under a mask. */
#include <immintrin.h>
#include <math.h>

#include "kernels/norm/norm-ukernels.h"
#include "kernels/simd/mask-avx512.h"

/* sum over the row of f(x) (f: x itself, or (x - mean)^2 when SQ). */
static inline float row_sum(size_t n, const float *x, __m512 mean, int sq)
{
    const size_t body = n & ~(size_t)15;
    const __mmask16 tail = vnn_tail_mask_avx512(n - body);
    __m512 s[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                   _mm512_setzero_ps()};
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
        for (int k = 0; k < 4; k++) {
            __m512 v = _mm512_loadu_ps(x + i + 16 * k);
            if (sq) {
                v = _mm512_sub_ps(v, mean);
                s[k] = _mm512_fmadd_ps(v, v, s[k]);
            } else {
                s[k] = _mm512_add_ps(s[k], v);
            }
        }
    for (int k = 0; i < body; i += 16, k++) {
        __m512 v = _mm512_loadu_ps(x + i);
        if (sq) {
            v = _mm512_sub_ps(v, mean);
            s[k] = _mm512_fmadd_ps(v, v, s[k]);
        } else {
            s[k] = _mm512_add_ps(s[k], v);
        }
    }
    if (tail) {
        /* maskz_sub: the off lanes stay 0, not -mean. */
        __m512 v = _mm512_maskz_loadu_ps(tail, x + body);
        if (sq) {
            v = _mm512_maskz_sub_ps(tail, v, mean);
            s[3] = _mm512_fmadd_ps(v, v, s[3]);
        } else {
            s[3] = _mm512_add_ps(s[3], v);
        }
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s[0], s[1]),
                                              _mm512_add_ps(s[2], s[3])));
}

void vnn_layernorm_ukernel_64__avx512(size_t n, const float *x, const float *gamma,
                                      const float *beta, float eps, float *y)
{
    const float mean = row_sum(n, x, _mm512_setzero_ps(), 0) / (float)n;
    const __m512 vmean = _mm512_set1_ps(mean);
    const float var = row_sum(n, x, vmean, 1) / (float)n;
    const __m512 rstd = _mm512_set1_ps(1.0f / sqrtf(var + eps));

    const size_t body = n & ~(size_t)15;
    const __mmask16 tail = vnn_tail_mask_avx512(n - body);
    /* The driver's next row follows this one: fetch it during the last
     * pass, which has no reduction to wait for (rows of a 512 x 768 tensor
     * come from L3, and the first pass would otherwise stall on them; a
     * prefetch past the tensor's end is harmless). */
    for (size_t i = 0; i < body; i += 16) {
        _mm_prefetch((const char *)(x + n + i), _MM_HINT_T0);
        __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), vmean), rstd);
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(d, _mm512_loadu_ps(gamma + i),
                                                _mm512_loadu_ps(beta + i)));
    }
    if (tail) {
        __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, x + body), vmean),
                                 rstd);
        _mm512_mask_storeu_ps(y + body, tail,
                              _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(tail, gamma + body),
                                              _mm512_maskz_loadu_ps(tail, beta + body)));
    }
}
