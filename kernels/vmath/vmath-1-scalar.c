#include "kernels/simd/math-scalar.h"
#include "kernels/vmath/vmath-ukernels.h"

#define DEFINE(F)                                                                 \
    void vnn_v##F##_ukernel_1__scalar(size_t n, const float *x, float *y)         \
    {                                                                             \
        for (size_t i = 0; i < n; i++)                                            \
            y[i] = vnn_##F##_f32(x[i]);                                           \
    }

DEFINE(exp)
DEFINE(sigmoid)
DEFINE(tanh)
DEFINE(exp2_nonpos)
