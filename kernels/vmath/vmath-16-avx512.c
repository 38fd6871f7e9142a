#include "kernels/simd/math-avx512.h"
#include "kernels/vmath/vmath-ukernels.h"

#define DEFINE(F)                                                                 \
    void vnn_v##F##_ukernel_16__avx512(size_t n, const float *x, float *y)        \
    {                                                                             \
        size_t i = 0;                                                             \
        for (; i + 16 <= n; i += 16)                                              \
            _mm512_storeu_ps(y + i, vnn_##F##_f32x16(_mm512_loadu_ps(x + i)));    \
        if (i < n) {                                                              \
            __mmask16 m = (__mmask16)((1u << (n - i)) - 1);                       \
            _mm512_mask_storeu_ps(y + i, m,                                       \
                                  vnn_##F##_f32x16(_mm512_maskz_loadu_ps(m, x + i))); \
        }                                                                         \
    }

DEFINE(exp)
DEFINE(sigmoid)
DEFINE(tanh)
