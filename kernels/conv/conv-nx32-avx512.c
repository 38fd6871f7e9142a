/* AVX-512 implicit-GEMM microkernels, 32 output channels (2 zmm) by 1..14
 * output pixels: vnn_conv_ukernel_<mr>x32__avx512. */
#define NV 2
#define NR 32
#define VNN_CONV_MR_LAST 14
#define VNN_CONV_BODY "kernels/conv/conv-avx512.inc"
#include "kernels/conv/conv-instantiate.inc"
