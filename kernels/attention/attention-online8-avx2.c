/* Online-softmax update, AVX2: 8 keys a step, the tail through a masked
 * load (contract in attention-config.h: scores in log2 units). */
#include <immintrin.h>
#include <math.h>

#include "kernels/attention/attention-ukernels.h"
#include "kernels/simd/math-scalar.h"
#include "kernels/simd/math-avx2.h"
#include "kernels/simd/reduce-avx2.h"

void vnn_attention_ukernel_online8__avx2(const struct vnn_attention_online_args *a)
{
    const __m256 ninf = _mm256_set1_ps(-INFINITY), log2e = _mm256_set1_ps(VNN_LOG2E);
    const __m256 scale = _mm256_set1_ps(a->scale);
    /* With a mask, the max pass leaves x itself in s. */
    const float s_scale = a->mask ? 1.0f : a->scale;
    const __m256 vs_scale = _mm256_set1_ps(s_scale);
    for (size_t r = 0; r < a->rows; r++) {
        float *s = a->s + r * a->s_stride;
        const float *mk = a->mask ? a->mask[r] : NULL;
        const size_t n = a->valid[r];
        __m256 vmax = ninf;
        size_t j = 0;
        for (; j + 8 <= n; j += 8) {
            __m256 x = _mm256_loadu_ps(s + j);
            if (mk) {
                x = _mm256_fmadd_ps(_mm256_loadu_ps(mk + j), log2e, _mm256_mul_ps(x, scale));
                _mm256_storeu_ps(s + j, x);
            }
            vmax = _mm256_max_ps(vmax, x);
        }
        if (j < n) {
            __m256i t = vnn_tail_mask_avx2(n - j);
            __m256 x = _mm256_maskload_ps(s + j, t);
            if (mk) {
                x = _mm256_fmadd_ps(_mm256_maskload_ps(mk + j, t), log2e,
                                    _mm256_mul_ps(x, scale));
                _mm256_maskstore_ps(s + j, t, x);
            }
            vmax = _mm256_max_ps(vmax, _mm256_blendv_ps(ninf, x, _mm256_castsi256_ps(t)));
        }
        float mx = s_scale * vnn_hmax_avx2(vmax);
        mx = a->m[r] > mx ? a->m[r] : mx;
        if (mx == -INFINITY) { /* nothing visible yet: P = 0, state kept */
            for (size_t z = 0; z < a->cols; z++)
                s[z] = 0.0f;
            continue;
        }
        const __m256 vm = _mm256_set1_ps(mx);
        __m256 acc = _mm256_setzero_ps();
        for (j = 0; j + 8 <= n; j += 8) {
            __m256 p = vnn_exp2_nonpos_f32x8(_mm256_fmsub_ps(_mm256_loadu_ps(s + j), vs_scale, vm));
            _mm256_storeu_ps(s + j, p);
            acc = _mm256_add_ps(acc, p);
        }
        if (j < n) {
            __m256i t = vnn_tail_mask_avx2(n - j);
            __m256 p = vnn_exp2_nonpos_f32x8(
                _mm256_fmsub_ps(_mm256_maskload_ps(s + j, t), vs_scale, vm));
            p = _mm256_and_ps(p, _mm256_castsi256_ps(t));
            _mm256_storeu_ps(s + j, p); /* within the row: cols <= s_stride - 16 */
            acc = _mm256_add_ps(acc, p);
            j += 8;
        }
        for (; j < a->cols; j += 8)
            _mm256_storeu_ps(s + j, _mm256_setzero_ps());
        /* 0 if m was -inf (o: nothing to rescale); exactly 1 (no rescale)
         * while the max holds. */
        const int first = a->m[r] == -INFINITY;
        float alpha = mx == a->m[r] ? 1.0f : vnn_exp2_nonpos_f32(a->m[r] - mx);
        a->l[r] = a->l[r] * alpha + vnn_hsum_avx2(acc);
        a->m[r] = mx;
        if (alpha != 1.0f && !first) {
            float *o = a->o + r * a->o_stride;
            const __m256 va = _mm256_set1_ps(alpha);
            for (size_t d = 0; d < a->o_cols; d += 8) /* o_cols: a multiple of 8 */
                _mm256_storeu_ps(o + d, _mm256_mul_ps(va, _mm256_loadu_ps(o + d)));
        }
    }
}
