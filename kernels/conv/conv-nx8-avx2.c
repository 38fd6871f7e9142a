/* AVX2 implicit-GEMM microkernels, 8 output channels (1 ymm) by 1..8
 * output pixels: vnn_conv_ukernel_<mr>x8__avx2. */
#define NV 1
#define NR 8
#define MR 1
#include "kernels/conv/conv-avx2.inc"
#undef MR
#define MR 2
#include "kernels/conv/conv-avx2.inc"
#undef MR
#define MR 3
#include "kernels/conv/conv-avx2.inc"
#undef MR
#define MR 4
#include "kernels/conv/conv-avx2.inc"
#undef MR
#define MR 5
#include "kernels/conv/conv-avx2.inc"
#undef MR
#define MR 6
#include "kernels/conv/conv-avx2.inc"
#undef MR
#define MR 7
#include "kernels/conv/conv-avx2.inc"
#undef MR
#define MR 8
#include "kernels/conv/conv-avx2.inc"
#undef MR
