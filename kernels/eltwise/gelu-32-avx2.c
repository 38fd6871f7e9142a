/* GELU, erf and tanh forms, AVX2 (the formulas: gelu-constants.h),
 * and erf itself over an array, for the tests. */
#include "eltwise-avx2.inc"
#include "kernels/eltwise/gelu-constants.h"
#include "kernels/simd/erf-avx2.h"
#include "kernels/simd/math-avx2.h"

static inline __m256 gelu_erf(__m256 x)
{
    const __m256 half = _mm256_set1_ps(0.5f);
    __m256 e = vnn_erf_f32x8(_mm256_mul_ps(x, _mm256_set1_ps(VNN_GELU_RSQRT2)));
    return _mm256_mul_ps(x, _mm256_fmadd_ps(e, half, half));
}

/* x * sigmoid(2z): the shared sigmoid (kernels/simd) avoids the
 * cancellation of 1 + tanh and divides by reciprocal + Newton step. */
static inline __m256 gelu_tanh(__m256 x)
{
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 z2 = _mm256_mul_ps(x, _mm256_fmadd_ps(x2, _mm256_set1_ps(VNN_GELU_TANH_K3),
                                                 _mm256_set1_ps(VNN_GELU_TANH_K1)));
    return _mm256_mul_ps(x, vnn_sigmoid_f32x8(z2));
}

VNN_UNARY_AVX2(vnn_gelu_erf_ukernel_32__avx2, gelu_erf)
VNN_UNARY_AVX2(vnn_gelu_tanh_ukernel_32__avx2, gelu_tanh)
VNN_UNARY_AVX2(vnn_erf_ukernel_32__avx2, vnn_erf_f32x8)
