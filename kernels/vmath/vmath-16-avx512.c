/* The array math kernels, AVX-512: the elementwise loop of
 * eltwise-avx512.inc over the shared vector functions
 * (kernels/simd/math-avx512.h). */
#include "kernels/eltwise/eltwise-avx512.inc"
#include "kernels/simd/math-avx512.h"
#include "kernels/vmath/vmath-ukernels.h"

VNN_UNARY_AVX512(vnn_vexp_ukernel_16__avx512, vnn_exp_f32x16)
VNN_UNARY_AVX512(vnn_vsigmoid_ukernel_16__avx512, vnn_sigmoid_f32x16)
VNN_UNARY_AVX512(vnn_vtanh_ukernel_16__avx512, vnn_tanh_f32x16)
VNN_UNARY_AVX512(vnn_vexp2_nonpos_ukernel_16__avx512, vnn_exp2_nonpos_f32x16)
