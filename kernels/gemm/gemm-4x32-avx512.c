/* AVX-512 row-tail microkernel: 4 x 32, for the last rows of M that do not
 * fill a 14-row strip (8 accumulators still cover the FMA latency). */
#define NV 2
#define MR 4
#define ROWS(X) X(0) X(1) X(2) X(3)
#define VNN_UKERNEL_NAME vnn_gemm_ukernel_4x32__avx512
#include "kernels/gemm/gemm-nx32-avx512.inc"
