/* AVX-512 implicit-GEMM microkernels, 16 output channels (1 zmm) by 1..8
 * output pixels: vnn_conv_ukernel_<mr>x16__avx512. */
#define NV 1
#define NR 16
#define MR 1
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 2
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 3
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 4
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 5
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 6
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 7
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 8
#include "kernels/conv/conv-avx512.inc"
#undef MR
