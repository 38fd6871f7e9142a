/* The array math kernels, NEON: the elementwise loop of eltwise-neon.inc
 * over the shared vector functions (kernels/simd/math-neon.h). */
#include "kernels/eltwise/eltwise-neon.inc"
#include "kernels/simd/math-neon.h"
#include "kernels/vmath/vmath-ukernels.h"

VNN_UNARY_NEON(vnn_vexp_ukernel_4__neon, vnn_exp_f32x4)
VNN_UNARY_NEON(vnn_vsigmoid_ukernel_4__neon, vnn_sigmoid_f32x4)
VNN_UNARY_NEON(vnn_vtanh_ukernel_4__neon, vnn_tanh_f32x4)
VNN_UNARY_NEON(vnn_vexp2_nonpos_ukernel_4__neon, vnn_exp2_nonpos_f32x4)
