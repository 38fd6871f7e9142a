/* AVX-512 implicit-GEMM microkernels, 16 output channels (1 zmm) by 1..8
 * output pixels: vnn_conv_ukernel_<mr>x16__avx512. */
#define NV 1
#define NR 16
#define VNN_CONV_MR_LAST 8
#define VNN_CONV_BODY "kernels/conv/conv-avx512.inc"
#include "kernels/conv/conv-instantiate.inc"
