/* ReLU, AVX2. max(0, x) returns x for NaN (vmaxps returns its second
 * source when either is NaN). */
#include "eltwise-avx2.inc"

static inline __m256 relu(__m256 x) { return _mm256_max_ps(_mm256_setzero_ps(), x); }

VNN_UNARY_AVX2(vnn_relu_ukernel_32__avx2, relu)
