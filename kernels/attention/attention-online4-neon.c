/* Online-softmax update, NEON: 4 keys a step, the scalar tail through a
 * padded copy (contract in attention-config.h: scores in log2 units). */
#include <arm_neon.h>
#include <math.h>

#include "kernels/attention/attention-ukernels.h"
#include "kernels/simd/math-scalar.h"
#include "kernels/simd/math-neon.h"

void vnn_attention_ukernel_online4__neon(const struct vnn_attention_online_args *a)
{
    /* With a mask, the max pass leaves x itself in s. */
    const float s_scale = a->mask ? 1.0f : a->scale;
    for (size_t r = 0; r < a->rows; r++) {
        float *s = a->s + r * a->s_stride;
        const float *mk = a->mask ? a->mask[r] : NULL;
        const size_t n = a->valid[r];
        float32x4_t vmax = vdupq_n_f32(-INFINITY);
        size_t j = 0;
        for (; j + 4 <= n; j += 4) {
            float32x4_t x = vld1q_f32(s + j);
            if (mk) {
                x = vfmaq_n_f32(vmulq_n_f32(x, a->scale), vld1q_f32(mk + j), VNN_LOG2E);
                vst1q_f32(s + j, x);
            }
            vmax = vmaxq_f32(vmax, x);
        }
        float mx = vmaxvq_f32(vmax);
        for (; j < n; j++) {
            if (mk)
                s[j] = a->scale * s[j] + VNN_LOG2E * mk[j];
            mx = s[j] > mx ? s[j] : mx;
        }
        mx *= s_scale;
        mx = a->m[r] > mx ? a->m[r] : mx;
        if (mx == -INFINITY) { /* nothing visible yet: P = 0, state kept */
            for (size_t z = 0; z < a->cols; z++)
                s[z] = 0.0f;
            continue;
        }
        const float32x4_t vm = vdupq_n_f32(mx), vs = vdupq_n_f32(s_scale);
        float32x4_t acc = vdupq_n_f32(0.0f);
        for (j = 0; j + 4 <= n; j += 4) {
            float32x4_t p = vnn_exp2_nonpos_f32x4(vsubq_f32(vmulq_f32(vld1q_f32(s + j), vs), vm));
            vst1q_f32(s + j, p);
            acc = vaddq_f32(acc, p);
        }
        if (j < n) {
            float t[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
            for (size_t z = j; z < n; z++)
                t[z - j] = s[z];
            float32x4_t p = vnn_exp2_nonpos_f32x4(vsubq_f32(vmulq_f32(vld1q_f32(t), vs), vm));
            vst1q_f32(s + j, p); /* 2^-inf = 0 past n; within the row */
            acc = vaddq_f32(acc, p);
            j += 4;
        }
        for (; j < a->cols; j++)
            s[j] = 0.0f;
        /* 0 if m was -inf (o: nothing to rescale); exactly 1 (no rescale)
         * while the max holds. */
        const int first = a->m[r] == -INFINITY;
        float alpha = mx == a->m[r] ? 1.0f : vnn_exp2_nonpos_f32(a->m[r] - mx);
        a->l[r] = a->l[r] * alpha + vaddvq_f32(acc);
        a->m[r] = mx;
        if (alpha != 1.0f && !first) {
            float *o = a->o + r * a->o_stride;
            const float32x4_t va = vdupq_n_f32(alpha);
            for (size_t d = 0; d < a->o_cols; d += 4) /* o_cols: a multiple of 4 */
                vst1q_f32(o + d, vmulq_f32(va, vld1q_f32(o + d)));
        }
    }
}
