/* NEON implicit-GEMM microkernels, 8 output channels (2 q) by 1..8
 * output pixels: vnn_conv_ukernel_<mr>x8__neon. */
#define NV 2
#define NR 8
#define MR 1
#include "kernels/conv/conv-neon.inc"
#undef MR
#define MR 2
#include "kernels/conv/conv-neon.inc"
#undef MR
#define MR 3
#include "kernels/conv/conv-neon.inc"
#undef MR
#define MR 4
#include "kernels/conv/conv-neon.inc"
#undef MR
#define MR 5
#include "kernels/conv/conv-neon.inc"
#undef MR
#define MR 6
#include "kernels/conv/conv-neon.inc"
#undef MR
#define MR 7
#include "kernels/conv/conv-neon.inc"
#undef MR
#define MR 8
#include "kernels/conv/conv-neon.inc"
#undef MR
