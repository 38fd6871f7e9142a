/* Portable LSTM kernels: one hidden unit per "vector" (the reference the
 * SIMD kernels are compared with; same algorithm, same math). */
#include "kernels/lstm/lstm-ukernels.h"
#include "kernels/simd/math-scalar.h"

#define V 1
typedef float vec;
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VSET1(x) (x)
#define VZERO() 0.0f
#define VADD(a, b) ((a) + (b))
#define VMUL(a, b) ((a) * (b))
#define VFMA(a, b, c) ((a) * (b) + (c))
#define VTANH(v) vnn_tanh_f32(v)
/* Nothing to interleave in scalar code: one value at a time. */
#define VSIGMOID_N(v, n) for (int q_ = 0; q_ < (n); q_++) (v)[q_] = vnn_sigmoid_f32((v)[q_])
#define VTANH_N(v, n) for (int q_ = 0; q_ < (n); q_++) (v)[q_] = vnn_tanh_f32((v)[q_])
#define GATES_GROUP 4
#define GATES_FN vnn_lstm_ukernel_gates1__scalar
#define FUSED_FN vnn_lstm_ukernel_1x1__scalar

#include "kernels/lstm/lstm-kernel.inc"
