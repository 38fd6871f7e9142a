/* Online-softmax update, AVX-512: 16 keys a step, the tail under a mask
 * (contract in attention-config.h). */
#include <immintrin.h>
#include <math.h>

#include "kernels/attention/attention-ukernels.h"
#include "kernels/simd/math-scalar.h"
#include "kernels/simd/math-avx512.h"

static inline __mmask16 tail_mask(size_t n) { return (__mmask16)((1u << n) - 1u); }

void vnn_attention_ukernel_online16__avx512(const struct vnn_attention_online_args *a)
{
    const __m512 ninf = _mm512_set1_ps(-INFINITY);
    for (size_t r = 0; r < a->rows; r++) {
        float *s = a->s + r * a->s_stride;
        const float *mk = a->mask ? a->mask[r] : NULL;
        const size_t n = a->valid[r];
        /* Pass 1: add the mask, take the max. */
        __m512 vmax = ninf;
        size_t j = 0;
        for (; j + 16 <= n; j += 16) {
            __m512 x = _mm512_loadu_ps(s + j);
            if (mk) {
                x = _mm512_add_ps(x, _mm512_loadu_ps(mk + j));
                _mm512_storeu_ps(s + j, x);
            }
            vmax = _mm512_max_ps(vmax, x);
        }
        if (j < n) {
            __mmask16 t = tail_mask(n - j);
            __m512 x = _mm512_mask_loadu_ps(ninf, t, s + j);
            if (mk) {
                x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(t, mk + j));
                _mm512_mask_storeu_ps(s + j, t, x);
            }
            vmax = _mm512_max_ps(vmax, x);
        }
        float mx = _mm512_reduce_max_ps(vmax);
        mx = a->m[r] > mx ? a->m[r] : mx;
        if (mx == -INFINITY) { /* nothing visible yet: P = 0, state kept */
            for (size_t z = 0; z < a->cols; z++)
                s[z] = 0.0f;
            continue;
        }
        /* Pass 2: P = exp(s - max), its sum; zeros past the visible keys. */
        const __m512 vm = _mm512_set1_ps(mx);
        __m512 acc = _mm512_setzero_ps();
        for (j = 0; j + 16 <= n; j += 16) {
            __m512 p = vnn_exp_nonpos_f32x16(_mm512_sub_ps(_mm512_loadu_ps(s + j), vm));
            _mm512_storeu_ps(s + j, p);
            acc = _mm512_add_ps(acc, p);
        }
        if (j < n) {
            __mmask16 t = tail_mask(n - j);
            __m512 p = vnn_exp_nonpos_f32x16(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, t, s + j), vm));
            p = _mm512_maskz_mov_ps(t, p);
            _mm512_storeu_ps(s + j, p); /* within the row: cols <= s_stride - 16 */
            acc = _mm512_add_ps(acc, p);
            j += 16;
        }
        for (; j < a->cols; j += 16)
            _mm512_storeu_ps(s + j, _mm512_setzero_ps());
        /* 0 if m was -inf; exactly 1 (no rescale) while the max holds. */
        float alpha = mx == a->m[r] ? 1.0f : vnn_exp_f32(a->m[r] - mx);
        a->l[r] = a->l[r] * alpha + _mm512_reduce_add_ps(acc);
        a->m[r] = mx;
        if (alpha != 1.0f) {
            float *o = a->o + r * a->o_stride;
            const __m512 va = _mm512_set1_ps(alpha);
            for (size_t d = 0; d < a->o_cols; d += 16) /* o_cols: a multiple of 16 */
                _mm512_storeu_ps(o + d, _mm512_mul_ps(va, _mm512_loadu_ps(o + d)));
        }
    }
}
