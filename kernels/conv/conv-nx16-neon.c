/* NEON implicit-GEMM microkernels, 16 output channels (4 q) by 1..6
 * output pixels: vnn_conv_ukernel_<mr>x16__neon. */
#define NV 4
#define NR 16
#define VNN_CONV_MR_LAST 6
#define VNN_CONV_BODY "kernels/conv/conv-neon.inc"
#include "kernels/conv/conv-instantiate.inc"
