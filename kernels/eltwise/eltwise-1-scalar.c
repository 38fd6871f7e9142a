/* The scalar elementwise kernels: the reference every ISA is held to (the
 * same formulas as gelu-constants.h, the same exp/erf algorithms). */
#include <math.h>

#include "kernels/eltwise/eltwise-ukernels.h"
#include "kernels/eltwise/gelu-constants.h"
#include "kernels/simd/erf-scalar.h"
#include "kernels/simd/math-scalar.h"

void vnn_relu_ukernel_1__scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f || x[i] != x[i] ? x[i] : 0.0f;
}

void vnn_gelu_erf_ukernel_1__scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * fmaf(vnn_erf_f32(x[i] * VNN_GELU_RSQRT2), 0.5f, 0.5f);
}

void vnn_gelu_tanh_ukernel_1__scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        y[i] = v * vnn_sigmoid_f32(v * fmaf(v * v, VNN_GELU_TANH_K3, VNN_GELU_TANH_K1));
    }
}

void vnn_erf_ukernel_1__scalar(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = vnn_erf_f32(x[i]);
}

void vnn_add_ukernel_1__scalar(size_t n, const float *a, const float *b, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = a[i] + b[i];
}
