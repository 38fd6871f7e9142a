/* NEON implicit-GEMM microkernels, 8 output channels (2 q) by 1..8
 * output pixels: vnn_conv_ukernel_<mr>x8__neon. */
#define NV 2
#define NR 8
#define VNN_CONV_MR_LAST 8
#define VNN_CONV_BODY "kernels/conv/conv-neon.inc"
#include "kernels/conv/conv-instantiate.inc"
