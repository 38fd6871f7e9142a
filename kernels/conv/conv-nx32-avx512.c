/* AVX-512 implicit-GEMM microkernels, 32 output channels (2 zmm) by 1..14
 * output pixels: vnn_conv_ukernel_<mr>x32__avx512. */
#define NV 2
#define NR 32
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
#define MR 9
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 10
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 11
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 12
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 13
#include "kernels/conv/conv-avx512.inc"
#undef MR
#define MR 14
#include "kernels/conv/conv-avx512.inc"
#undef MR
