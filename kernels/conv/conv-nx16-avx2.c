/* AVX2 implicit-GEMM microkernels, 16 output channels (2 ymm) by 1..6
 * output pixels: vnn_conv_ukernel_<mr>x16__avx2. */
#define NV 2
#define NR 16
#define VNN_CONV_MR_LAST 6
#define VNN_CONV_BODY "kernels/conv/conv-avx2.inc"
#include "kernels/conv/conv-instantiate.inc"
