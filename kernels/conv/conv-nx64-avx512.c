/* AVX-512 implicit-GEMM microkernels, 64 output channels (4 zmm) by 1..7
 * output pixels: vnn_conv_ukernel_<mr>x64__avx512. */
#define NV 4
#define NR 64
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
