#include <string.h>

#include "kernels/simd/math-neon.h"
#include "kernels/vmath/vmath-ukernels.h"

/* The tail goes through a 4-float buffer: no access past x[n) or y[n). */
#define DEFINE(F)                                                                 \
    void vnn_v##F##_ukernel_4__neon(size_t n, const float *x, float *y)           \
    {                                                                             \
        size_t i = 0;                                                             \
        for (; i + 4 <= n; i += 4)                                                \
            vst1q_f32(y + i, vnn_##F##_f32x4(vld1q_f32(x + i)));                  \
        if (i < n) {                                                              \
            float buf[4] = {0};                                                   \
            memcpy(buf, x + i, (n - i) * sizeof *x);                              \
            vst1q_f32(buf, vnn_##F##_f32x4(vld1q_f32(buf)));                      \
            memcpy(y + i, buf, (n - i) * sizeof *y);                              \
        }                                                                         \
    }

DEFINE(exp)
DEFINE(sigmoid)
DEFINE(tanh)
