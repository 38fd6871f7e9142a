#include <string.h>

#include "kernels/simd/math-avx2.h"
#include "kernels/vmath/vmath-ukernels.h"

/* The tail goes through an 8-float buffer: no access past x[n) or y[n). */
#define DEFINE(F)                                                                 \
    void vnn_v##F##_ukernel_8__avx2(size_t n, const float *x, float *y)           \
    {                                                                             \
        size_t i = 0;                                                             \
        for (; i + 8 <= n; i += 8)                                                \
            _mm256_storeu_ps(y + i, vnn_##F##_f32x8(_mm256_loadu_ps(x + i)));     \
        if (i < n) {                                                              \
            float buf[8] = {0};                                                   \
            memcpy(buf, x + i, (n - i) * sizeof *x);                              \
            _mm256_storeu_ps(buf, vnn_##F##_f32x8(_mm256_loadu_ps(buf)));         \
            memcpy(y + i, buf, (n - i) * sizeof *y);                              \
        }                                                                         \
    }

DEFINE(exp)
DEFINE(sigmoid)
DEFINE(tanh)
