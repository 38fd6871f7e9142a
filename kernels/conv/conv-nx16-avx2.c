/* AVX2 implicit-GEMM microkernels, 16 output channels (2 ymm) by 1..6
 * output pixels: vnn_conv_ukernel_<mr>x16__avx2. */
#define NV 2
#define NR 16
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
