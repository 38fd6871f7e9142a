/* GELU, erf and tanh forms, AVX-512 (the formulas: gelu-constants.h),
 * and erf itself over an array, for the tests. */
#include "eltwise-avx512.inc"
#include "kernels/eltwise/gelu-constants.h"
#include "kernels/simd/erf-avx512.h"
#include "kernels/simd/math-avx512.h"

static inline __m512 gelu_erf(__m512 x)
{
    const __m512 half = _mm512_set1_ps(0.5f);
    __m512 e = vnn_erf_f32x16(_mm512_mul_ps(x, _mm512_set1_ps(VNN_GELU_RSQRT2)));
    return _mm512_mul_ps(x, _mm512_fmadd_ps(e, half, half));
}

/* x * sigmoid(2z): the shared sigmoid (kernels/simd) avoids the
 * cancellation of 1 + tanh and divides by reciprocal + Newton step. */
static inline __m512 gelu_tanh(__m512 x)
{
    __m512 x2 = _mm512_mul_ps(x, x);
    __m512 z2 = _mm512_mul_ps(x, _mm512_fmadd_ps(x2, _mm512_set1_ps(VNN_GELU_TANH_K3),
                                                 _mm512_set1_ps(VNN_GELU_TANH_K1)));
    return _mm512_mul_ps(x, vnn_sigmoid_f32x16(z2));
}

VNN_UNARY_AVX512(vnn_gelu_erf_ukernel_64__avx512, gelu_erf)
VNN_UNARY_AVX512(vnn_gelu_tanh_ukernel_64__avx512, gelu_tanh)
VNN_UNARY_AVX512(vnn_erf_ukernel_64__avx512, vnn_erf_f32x16)
