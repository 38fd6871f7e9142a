/* Online-softmax update, AVX-512 (contract in attention-config.h): 16 keys
 * a step, the tail under a mask. Rows go in groups of 16 so that their row
 * maxima and sums come out of one transpose and 15 lane-wise steps, and the
 * state (m, l, the rescale factors) is updated as one vector: a row of 256
 * keys is only 16 vectors of work, so per-row horizontal reductions and
 * scalar exps would cost a third of it. Scores are in log2 units, so the
 * exp is vnn_exp2_nonpos: no reduction by ln 2. */
#include <immintrin.h>
#include <math.h>

#include "kernels/attention/attention-ukernels.h"
#include "kernels/simd/mask-avx512.h"
#include "kernels/simd/math-avx512.h"
#include "kernels/simd/transpose-avx512.h"

/* The lane-wise max of s[0, n). With a mask row, x = scale s + log2(e) mk
 * is formed, stored back and maxed instead. Without one, four running
 * maxima: one chain of dependent maxes would take four cycles a vector. */
static inline __m512 row_max(float *s, const float *mk, size_t n, __m512 scale)
{
    const __m512 ninf = _mm512_set1_ps(-INFINITY), log2e = _mm512_set1_ps(VNN_LOG2E);
    __m512 m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
    size_t j = 0;
    if (!mk)
        for (; j + 64 <= n; j += 64) {
            m0 = _mm512_max_ps(m0, _mm512_loadu_ps(s + j));
            m1 = _mm512_max_ps(m1, _mm512_loadu_ps(s + j + 16));
            m2 = _mm512_max_ps(m2, _mm512_loadu_ps(s + j + 32));
            m3 = _mm512_max_ps(m3, _mm512_loadu_ps(s + j + 48));
        }
    for (; j + 16 <= n; j += 16) {
        __m512 x = _mm512_loadu_ps(s + j);
        if (mk) {
            x = _mm512_fmadd_ps(_mm512_loadu_ps(mk + j), log2e, _mm512_mul_ps(x, scale));
            _mm512_storeu_ps(s + j, x);
        }
        m0 = _mm512_max_ps(m0, x);
    }
    if (j < n) {
        __mmask16 t = vnn_tail_mask_avx512(n - j);
        __m512 x = _mm512_mask_loadu_ps(ninf, t, s + j);
        if (mk) {
            x = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(t, mk + j), log2e, _mm512_mul_ps(x, scale));
            _mm512_mask_storeu_ps(s + j, t, x);
        }
        m0 = _mm512_max_ps(m0, x);
    }
    return _mm512_max_ps(_mm512_max_ps(m0, m1), _mm512_max_ps(m2, m3));
}

/* s[j] = 2^(scale s[j] - m) for j < n, 0 up to cols; returns the
 * lane-wise sum. Four vectors at a time, stage by stage (math-constants.h:
 * one vector's chain of some 12 dependent instructions would fill the
 * scheduler). */
static inline __m512 row_exp(float *s, size_t n, size_t cols, float m, __m512 scale)
{
    const __m512 vm = _mm512_set1_ps(m);
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                     _mm512_setzero_ps()};
    size_t j = 0;
    for (; j + 64 <= n; j += 64) {
        __m512 p[4];
        for (int q = 0; q < 4; q++)
            p[q] = _mm512_fmsub_ps(_mm512_loadu_ps(s + j + 16 * q), scale, vm);
        vnn_exp2_nonpos_n_f32x16(p, 4);
        for (int q = 0; q < 4; q++) {
            _mm512_storeu_ps(s + j + 16 * q, p[q]);
            acc[q] = _mm512_add_ps(acc[q], p[q]);
        }
    }
    for (; j + 16 <= n; j += 16) {
        __m512 p = vnn_exp2_nonpos_f32x16(_mm512_fmsub_ps(_mm512_loadu_ps(s + j), scale, vm));
        _mm512_storeu_ps(s + j, p);
        acc[0] = _mm512_add_ps(acc[0], p);
    }
    if (j < n) {
        __mmask16 t = vnn_tail_mask_avx512(n - j);
        __m512 p = vnn_exp2_nonpos_f32x16(
            _mm512_maskz_fmsub_ps(t, _mm512_loadu_ps(s + j), scale, vm));
        p = _mm512_maskz_mov_ps(t, p);
        _mm512_storeu_ps(s + j, p); /* within the row: cols <= s_stride - 16 */
        acc[0] = _mm512_add_ps(acc[0], p);
        j += 16;
    }
    for (; j < cols; j += 16)
        _mm512_storeu_ps(s + j, _mm512_setzero_ps());
    return _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3]));
}

/* Lane e of the result: the max (or the sum) of v[e]'s 16 lanes. */
static inline __m512 reduce16(__m512 v[16], int take_max)
{
    vnn_transpose16x16_f32(v);
    for (int w = 8; w >= 1; w /= 2)
        for (int i = 0; i < w; i++)
            v[i] = take_max ? _mm512_max_ps(v[i], v[i + w]) : _mm512_add_ps(v[i], v[i + w]);
    return v[0];
}

void vnn_attention_ukernel_online16__avx512(const struct vnn_attention_online_args *a)
{
    const __m512 ninf = _mm512_set1_ps(-INFINITY), one = _mm512_set1_ps(1.0f);
    /* With a mask, row_max leaves x itself in s. */
    const __m512 scale = _mm512_set1_ps(a->scale), s_scale = a->mask ? one : scale;
    for (size_t g = 0; g < a->rows; g += 16) {
        const size_t nrows = a->rows - g < 16 ? a->rows - g : 16;
        const __mmask16 lanes = vnn_tail_mask_avx512(nrows);
        __m512 v[16];
        for (size_t e = 0; e < 16; e++)
            v[e] = e < nrows ? row_max(a->s + (g + e) * a->s_stride,
                                       a->mask ? a->mask[g + e] : NULL, a->valid[g + e], scale)
                             : ninf;
        const __m512 m_old = _mm512_mask_loadu_ps(ninf, lanes, a->m + g);
        const __m512 m_new = _mm512_max_ps(m_old, _mm512_mul_ps(s_scale, reduce16(v, 1)));
        /* Rows with nothing visible yet (m_new = -inf) keep their state and
         * get P = 0; elsewhere alpha = 2^(m_old - m_new): 0 when m_old was
         * -inf, exactly 1 while the max holds. */
        const __mmask16 live = _mm512_mask_cmp_ps_mask(lanes, m_new, ninf, _CMP_NEQ_OQ);
        const __m512 alpha = vnn_exp2_nonpos_f32x16(_mm512_maskz_sub_ps(live, m_old, m_new));
        float mrow[16], arow[16];
        _mm512_storeu_ps(mrow, m_new);
        _mm512_storeu_ps(arow, alpha);
        for (size_t e = 0; e < 16; e++) {
            float *s = a->s + (g + e) * a->s_stride;
            if (e >= nrows) {
                v[e] = _mm512_setzero_ps();
            } else if (!(live >> e & 1)) {
                for (size_t z = 0; z < a->cols; z++)
                    s[z] = 0.0f;
                v[e] = _mm512_setzero_ps();
            } else {
                v[e] = row_exp(s, a->valid[g + e], a->cols, mrow[e], s_scale);
            }
        }
        const __m512 sums = reduce16(v, 0);
        const __m512 l_old = _mm512_maskz_loadu_ps(live, a->l + g);
        _mm512_mask_storeu_ps(a->l + g, live, _mm512_fmadd_ps(l_old, alpha, sums));
        _mm512_mask_storeu_ps(a->m + g, live, m_new);
        /* The accumulator rows whose max moved from a finite one. */
        __mmask16 moved = _mm512_mask_cmp_ps_mask(live, alpha, one, _CMP_NEQ_OQ) &
                          _mm512_cmp_ps_mask(m_old, ninf, _CMP_NEQ_OQ);
        for (size_t e = 0; moved; e++, moved >>= 1) {
            if (!(moved & 1))
                continue;
            float *o = a->o + (g + e) * a->o_stride;
            const __m512 va = _mm512_set1_ps(arow[e]);
            for (size_t d = 0; d < a->o_cols; d += 16) /* o_cols: a multiple of 16 */
                _mm512_storeu_ps(o + d, _mm512_mul_ps(va, _mm512_loadu_ps(o + d)));
        }
    }
}
