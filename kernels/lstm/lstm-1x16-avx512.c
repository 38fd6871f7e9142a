/* AVX-512 LSTM kernels: 16 hidden units per vector. */
#include <immintrin.h>

#include "kernels/lstm/lstm-ukernels.h"
#include "kernels/simd/math-avx512.h"

#define V 16
typedef __m512 vec;
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VSET1(x) _mm512_set1_ps(x)
#define VZERO() _mm512_setzero_ps()
#define VADD(a, b) _mm512_add_ps(a, b)
#define VMUL(a, b) _mm512_mul_ps(a, b)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VTANH(v) vnn_tanh_f32x16(v)
#define VSIGMOID_N(v, n) vnn_sigmoid_n_f32x16(v, n)
#define VTANH_N(v, n) vnn_tanh_n_f32x16(v, n)
#define GATES_GROUP 4 /* measured: 2 and 8 are slower (8: spills) */
#define GATES_FN vnn_lstm_ukernel_gates16__avx512
#define FUSED_FN vnn_lstm_ukernel_1x16__avx512
#define LSTM_KSPLIT 4 /* 16 accumulators of 32 registers */

#include "kernels/lstm/lstm-kernel.inc"
