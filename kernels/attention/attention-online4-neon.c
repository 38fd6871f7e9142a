/* Online-softmax update, NEON: 4 keys a step, the scalar tail through a
 * padded copy (contract in attention-config.h). */
#include <arm_neon.h>
#include <math.h>

#include "kernels/attention/attention-ukernels.h"
#include "kernels/simd/math-scalar.h"
#include "kernels/simd/math-neon.h"

void vnn_attention_ukernel_online4__neon(const struct vnn_attention_online_args *a)
{
    for (size_t r = 0; r < a->rows; r++) {
        float *s = a->s + r * a->s_stride;
        const float *mk = a->mask ? a->mask[r] : NULL;
        const size_t n = a->valid[r];
        float32x4_t vmax = vdupq_n_f32(-INFINITY);
        size_t j = 0;
        for (; j + 4 <= n; j += 4) {
            float32x4_t x = vld1q_f32(s + j);
            if (mk) {
                x = vaddq_f32(x, vld1q_f32(mk + j));
                vst1q_f32(s + j, x);
            }
            vmax = vmaxq_f32(vmax, x);
        }
        float mx = vmaxvq_f32(vmax);
        for (; j < n; j++) {
            if (mk)
                s[j] += mk[j];
            mx = s[j] > mx ? s[j] : mx;
        }
        mx = a->m[r] > mx ? a->m[r] : mx;
        if (mx == -INFINITY) { /* nothing visible yet: P = 0, state kept */
            for (size_t z = 0; z < a->cols; z++)
                s[z] = 0.0f;
            continue;
        }
        const float32x4_t vm = vdupq_n_f32(mx);
        float32x4_t acc = vdupq_n_f32(0.0f);
        for (j = 0; j + 4 <= n; j += 4) {
            float32x4_t p = vnn_exp_f32x4(vsubq_f32(vld1q_f32(s + j), vm));
            vst1q_f32(s + j, p);
            acc = vaddq_f32(acc, p);
        }
        if (j < n) {
            float t[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
            for (size_t z = j; z < n; z++)
                t[z - j] = s[z];
            float32x4_t p = vnn_exp_f32x4(vsubq_f32(vld1q_f32(t), vm));
            vst1q_f32(s + j, p); /* exp(-inf) = 0 past n; within the row */
            acc = vaddq_f32(acc, p);
            j += 4;
        }
        for (; j < a->cols; j++)
            s[j] = 0.0f;
        /* 0 if m was -inf; exactly 1 (no rescale) while the max holds. */
        float alpha = mx == a->m[r] ? 1.0f : vnn_exp_f32(a->m[r] - mx);
        a->l[r] = a->l[r] * alpha + vaddvq_f32(acc);
        a->m[r] = mx;
        if (alpha != 1.0f) {
            float *o = a->o + r * a->o_stride;
            const float32x4_t va = vdupq_n_f32(alpha);
            for (size_t d = 0; d < a->o_cols; d += 4) /* o_cols: a multiple of 4 */
                vst1q_f32(o + d, vmulq_f32(va, vld1q_f32(o + d)));
        }
    }
}
