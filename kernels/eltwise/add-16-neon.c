/* Elementwise add, NEON: 16 floats per step, the last 1-3 in scalar (one
 * rounding either way, so the tail matches the body). */
#include <arm_neon.h>

#include "kernels/eltwise/eltwise-ukernels.h"

void vnn_add_ukernel_16__neon(size_t n, const float *a, const float *b, float *y)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int v = 0; v < 16; v += 4)
            vst1q_f32(y + i + v, vaddq_f32(vld1q_f32(a + i + v), vld1q_f32(b + i + v)));
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)));
    for (; i < n; i++)
        y[i] = a[i] + b[i];
}
