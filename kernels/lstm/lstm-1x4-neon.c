/* NEON LSTM kernels: 4 hidden units per vector. */
#include <arm_neon.h>

#include "kernels/lstm/lstm-ukernels.h"
#include "kernels/simd/math-neon.h"

#define V 4
typedef float32x4_t vec;
#define VLOAD(p) vld1q_f32(p)
#define VSTORE(p, v) vst1q_f32(p, v)
#define VSET1(x) vdupq_n_f32(x)
#define VZERO() vdupq_n_f32(0.0f)
#define VADD(a, b) vaddq_f32(a, b)
#define VMUL(a, b) vmulq_f32(a, b)
#define VFMA(a, b, c) vfmaq_f32(c, a, b)
#define VTANH(v) vnn_tanh_f32x4(v)
#define VSIGMOID_N(v, n) vnn_sigmoid_n_f32x4(v, n)
#define VTANH_N(v, n) vnn_tanh_n_f32x4(v, n)
#define GATES_GROUP 4
#define GATES_FN vnn_lstm_ukernel_gates4__neon
#define FUSED_FN vnn_lstm_ukernel_1x4__neon

#include "kernels/lstm/lstm-kernel.inc"
