/* The scalar row kernels: the reference every ISA is held to (the same
 * passes, the same exp). */
#include <math.h>

#include "kernels/norm/norm-ukernels.h"
#include "kernels/simd/math-scalar.h"

void vnn_layernorm_ukernel_1__scalar(size_t n, const float *x, const float *gamma,
                                     const float *beta, float eps, float *y)
{
    float sum = 0.0f;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    const float mean = sum / (float)n;
    float sq = 0.0f;
    for (size_t i = 0; i < n; i++)
        sq += (x[i] - mean) * (x[i] - mean);
    const float rstd = 1.0f / sqrtf(sq / (float)n + eps);
    for (size_t i = 0; i < n; i++)
        y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
}

void vnn_softmax_ukernel_1__scalar(size_t n, const float *x, float *y)
{
    /* The comparison skips NaN, but exp(NaN - max) then makes the sum and
     * the row NaN, as in the SIMD kernels. */
    float max = -INFINITY;
    for (size_t i = 0; i < n; i++)
        max = x[i] > max ? x[i] : max;
    float sum = 0.0f;
    for (size_t i = 0; i < n; i++) {
        y[i] = vnn_exp_f32(x[i] - max);
        sum += y[i];
    }
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < n; i++)
        y[i] *= inv;
}
