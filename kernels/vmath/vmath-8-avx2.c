/* The array math kernels, AVX2: the elementwise loop of eltwise-avx2.inc
 * over the shared vector functions (kernels/simd/math-avx2.h). */
#include "kernels/eltwise/eltwise-avx2.inc"
#include "kernels/simd/math-avx2.h"
#include "kernels/vmath/vmath-ukernels.h"

VNN_UNARY_AVX2(vnn_vexp_ukernel_8__avx2, vnn_exp_f32x8)
VNN_UNARY_AVX2(vnn_vsigmoid_ukernel_8__avx2, vnn_sigmoid_f32x8)
VNN_UNARY_AVX2(vnn_vtanh_ukernel_8__avx2, vnn_tanh_f32x8)
VNN_UNARY_AVX2(vnn_vexp2_nonpos_ukernel_8__avx2, vnn_exp2_nonpos_f32x8)
