/* AVX2 implicit-GEMM microkernels, 8 output channels (1 ymm) by 1..8
 * output pixels: vnn_conv_ukernel_<mr>x8__avx2. */
#define NV 1
#define NR 8
#define VNN_CONV_MR_LAST 8
#define VNN_CONV_BODY "kernels/conv/conv-avx2.inc"
#include "kernels/conv/conv-instantiate.inc"
