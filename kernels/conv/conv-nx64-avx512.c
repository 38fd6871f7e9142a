/* AVX-512 implicit-GEMM microkernels, 64 output channels (4 zmm) by 1..7
 * output pixels: vnn_conv_ukernel_<mr>x64__avx512. */
#define NV 4
#define NR 64
#define VNN_CONV_MR_LAST 7
#define VNN_CONV_BODY "kernels/conv/conv-avx512.inc"
#include "kernels/conv/conv-instantiate.inc"
