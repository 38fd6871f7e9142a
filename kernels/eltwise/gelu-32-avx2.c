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

/* x / (1 + exp(-2z)) with the division as a 12-bit reciprocal and one
 * Newton step (relative error about 2^-23, one ulp), as the AVX-512 kernel
 * does; -2z capped at 80 keeps 1 + exp finite and its reciprocal normal. */
static inline __m256 gelu_tanh(__m256 x)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    __m256 x2 = _mm256_mul_ps(x, x);
    __m256 nz2 = _mm256_mul_ps(x, _mm256_fnmadd_ps(x2, _mm256_set1_ps(VNN_GELU_TANH_K3),
                                                   _mm256_set1_ps(-VNN_GELU_TANH_K1)));
    __m256 d = _mm256_add_ps(one, vnn_exp_f32x8(_mm256_min_ps(_mm256_set1_ps(80.0f), nz2)));
    __m256 r = _mm256_rcp_ps(d);
    r = _mm256_fmadd_ps(r, _mm256_fnmadd_ps(d, r, one), r); /* r + r (1 - d r) */
    return _mm256_mul_ps(x, r);
}

VNN_UNARY_AVX2(vnn_gelu_erf_ukernel_32__avx2, gelu_erf)
VNN_UNARY_AVX2(vnn_gelu_tanh_ukernel_32__avx2, gelu_tanh)
VNN_UNARY_AVX2(vnn_erf_ukernel_32__avx2, vnn_erf_f32x8)
