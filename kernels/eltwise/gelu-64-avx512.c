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

/* x * sigmoid(2z) = x / (1 + exp(-2z)), the division as a 14-bit reciprocal
 * and one Newton step (relative error about 2^-27, below float rounding;
 * Zen 4's 512-bit divide costs as much as the exp). -2z is capped at 80 so
 * 1 + exp stays finite and normal after the reciprocal (the result, x e^-80,
 * is 0 to float precision anyway); min keeps NaN (second operand). */
static inline __m512 gelu_tanh(__m512 x)
{
    const __m512 one = _mm512_set1_ps(1.0f);
    __m512 x2 = _mm512_mul_ps(x, x);
    __m512 nz2 = _mm512_mul_ps(x, _mm512_fnmadd_ps(x2, _mm512_set1_ps(VNN_GELU_TANH_K3),
                                                   _mm512_set1_ps(-VNN_GELU_TANH_K1)));
    __m512 d = _mm512_add_ps(one, vnn_exp_f32x16(_mm512_min_ps(_mm512_set1_ps(80.0f), nz2)));
    __m512 r = _mm512_rcp14_ps(d);
    r = _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, one), r); /* r + r (1 - d r) */
    return _mm512_mul_ps(x, r);
}

VNN_UNARY_AVX512(vnn_gelu_erf_ukernel_64__avx512, gelu_erf)
VNN_UNARY_AVX512(vnn_gelu_tanh_ukernel_64__avx512, gelu_tanh)
VNN_UNARY_AVX512(vnn_erf_ukernel_64__avx512, vnn_erf_f32x16)
