/* Layer normalization of one row, NEON: two accumulators (8 floats) per
 * step for the two reductions; the last 1-3 floats in scalar. */
#include <arm_neon.h>
#include <math.h>

#include "kernels/norm/norm-ukernels.h"

void vnn_layernorm_ukernel_8__neon(size_t n, const float *x, const float *gamma,
                                   const float *beta, float eps, float *y)
{
    const size_t body = n & ~(size_t)3;
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        s0 = vaddq_f32(s0, vld1q_f32(x + i));
        s1 = vaddq_f32(s1, vld1q_f32(x + i + 4));
    }
    if (i < body)
        s0 = vaddq_f32(s0, vld1q_f32(x + i));
    float sum = vaddvq_f32(vaddq_f32(s0, s1));
    for (i = body; i < n; i++)
        sum += x[i];
    const float mean = sum / (float)n;
    const float32x4_t vmean = vdupq_n_f32(mean);

    s0 = s1 = vdupq_n_f32(0.0f);
    for (i = 0; i + 8 <= n; i += 8) {
        float32x4_t d0 = vsubq_f32(vld1q_f32(x + i), vmean);
        float32x4_t d1 = vsubq_f32(vld1q_f32(x + i + 4), vmean);
        s0 = vfmaq_f32(s0, d0, d0);
        s1 = vfmaq_f32(s1, d1, d1);
    }
    if (i < body) {
        float32x4_t d = vsubq_f32(vld1q_f32(x + i), vmean);
        s0 = vfmaq_f32(s0, d, d);
    }
    float sq = vaddvq_f32(vaddq_f32(s0, s1));
    for (i = body; i < n; i++)
        sq = fmaf(x[i] - mean, x[i] - mean, sq);
    const float rstd = 1.0f / sqrtf(sq / (float)n + eps);
    const float32x4_t vrstd = vdupq_n_f32(rstd);

    /* Fetch the driver's next row during the last pass (see the AVX-512
     * kernel); a prefetch past the tensor's end is harmless. */
    for (i = 0; i < body; i += 4) {
        if (i % 16 == 0)
            __builtin_prefetch(x + n + i);
        float32x4_t d = vmulq_f32(vsubq_f32(vld1q_f32(x + i), vmean), vrstd);
        vst1q_f32(y + i, vfmaq_f32(vld1q_f32(beta + i), d, vld1q_f32(gamma + i)));
    }
    for (i = body; i < n; i++)
        y[i] = fmaf((x[i] - mean) * rstd, gamma[i], beta[i]);
}
