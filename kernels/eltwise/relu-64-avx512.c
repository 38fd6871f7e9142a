/* ReLU, AVX-512. max(x, 0) with x as the second operand returns x for NaN
 * (vmaxps returns its second source when either is NaN). */
#include "eltwise-avx512.inc"

static inline __m512 relu(__m512 x) { return _mm512_max_ps(_mm512_setzero_ps(), x); }

VNN_UNARY_AVX512(vnn_relu_ukernel_64__avx512, relu)
