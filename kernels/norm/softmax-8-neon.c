/* Softmax of one row, NEON: max, then exp(x - max) stored and summed, then
 * a scale by 1 / sum; two accumulators (8 floats) per step for the
 * reductions. The last 1-3 floats go through a register padded with -inf
 * (exp gives 0 there), so they use the same exp as the body. */
#include <arm_neon.h>
#include <string.h>

#include "kernels/norm/norm-ukernels.h"
#include "kernels/simd/math-neon.h"

void vnn_softmax_ukernel_8__neon(size_t n, const float *x, float *y)
{
    const size_t body = n & ~(size_t)3, rest = n - body;
    float t[4] = {-__builtin_inff(), -__builtin_inff(), -__builtin_inff(), -__builtin_inff()};
    memcpy(t, x + body, rest * sizeof *t);
    const float32x4_t xt = vld1q_f32(t);

    float32x4_t m0 = xt, m1 = vdupq_n_f32(-__builtin_inff());
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        m0 = vmaxq_f32(m0, vld1q_f32(x + i));
        m1 = vmaxq_f32(m1, vld1q_f32(x + i + 4));
    }
    if (i < body)
        m0 = vmaxq_f32(m0, vld1q_f32(x + i));
    const float32x4_t vmax = vdupq_n_f32(vmaxvq_f32(vmaxq_f32(m0, m1)));

    /* A NaN or +inf anywhere makes some exp NaN, and so the sum: the row
     * becomes NaN, as documented. Padding lanes: exp(-inf - max) = 0 for a
     * finite max. */
    float32x4_t et = rest ? vnn_exp_f32x4(vsubq_f32(xt, vmax)) : vdupq_n_f32(0.0f);
    float32x4_t s0 = et, s1 = vdupq_n_f32(0.0f);
    for (i = 0; i + 8 <= n; i += 8) {
        float32x4_t e0 = vnn_exp_f32x4(vsubq_f32(vld1q_f32(x + i), vmax));
        float32x4_t e1 = vnn_exp_f32x4(vsubq_f32(vld1q_f32(x + i + 4), vmax));
        vst1q_f32(y + i, e0);
        vst1q_f32(y + i + 4, e1);
        s0 = vaddq_f32(s0, e0);
        s1 = vaddq_f32(s1, e1);
    }
    if (i < body) {
        float32x4_t e = vnn_exp_f32x4(vsubq_f32(vld1q_f32(x + i), vmax));
        vst1q_f32(y + i, e);
        s0 = vaddq_f32(s0, e);
    }
    const float inv = 1.0f / vaddvq_f32(vaddq_f32(s0, s1));

    for (i = 0; i < body; i += 4)
        vst1q_f32(y + i, vmulq_n_f32(vld1q_f32(y + i), inv));
    vst1q_f32(t, vmulq_n_f32(et, inv));
    memcpy(y + body, t, rest * sizeof *t);
}
