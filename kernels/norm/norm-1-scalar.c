/* The scalar row kernels: the same passes and the same exp as the SIMD
 * kernels, but the row sums run in double. A plain float loop adds up to
 * thousands of terms one after another (error growing with n, where the
 * SIMD kernels' many lanes keep the chains short), and these kernels are
 * also the reference when oneDNN is absent, so they should be the more
 * accurate side. */
#include <math.h>

#include "kernels/norm/norm-ukernels.h"
#include "kernels/simd/math-scalar.h"

void vnn_layernorm_ukernel_1__scalar(size_t n, const float *x, const float *gamma,
                                     const float *beta, float eps, float *y)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    const float mean = (float)(sum / (double)n);
    double sq = 0.0;
    for (size_t i = 0; i < n; i++) {
        float d = x[i] - mean;
        sq += (double)d * d;
    }
    const float rstd = 1.0f / sqrtf((float)(sq / (double)n) + eps);
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
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        y[i] = vnn_exp_f32(x[i] - max);
        sum += y[i];
    }
    const float inv = (float)(1.0 / sum);
    for (size_t i = 0; i < n; i++)
        y[i] *= inv;
}
