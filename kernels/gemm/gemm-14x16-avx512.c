/* AVX-512 column-tail microkernel: 14 x 16, for a last panel of N with at
 * most 16 valid columns (reads the first half of a 32-column B panel). */
#define NV 1
#define MR 14
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define VNN_UKERNEL_NAME vnn_gemm_ukernel_14x16__avx512
#include "kernels/gemm/gemm-nx32-avx512.inc"
