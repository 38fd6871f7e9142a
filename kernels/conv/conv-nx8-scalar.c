/* Portable implicit-GEMM microkernels: 8 output channels by 1..4 output
 * pixels, vnn_conv_ukernel_<mr>x8__scalar, all from one loop nest. */
#include "kernels/conv/conv-ukernels.h"

#define NR 8

static inline void tile(size_t mr, size_t ntaps, const struct vnn_conv_tap *taps,
                        const float *x, const ptrdiff_t *a_rows, float *c, const size_t *c_rows,
                        const struct vnn_conv_ukernel_params *p)
{
    float acc[4][NR] = {{0}};
    for (size_t t = 0; t < ntaps; t++) {
        const float *b = p->w + taps[t].b;
        for (size_t k = 0; k < taps[t].k; k++, b += NR)
            for (size_t i = 0; i < mr; i++) {
                float ai = x[taps[t].a + a_rows[i] + (ptrdiff_t)k];
                for (size_t j = 0; j < NR; j++)
                    acc[i][j] += ai * b[j];
            }
    }
    for (size_t i = 0; i < mr; i++)
        for (size_t j = 0; j < NR; j++) {
            float *ci = c + c_rows[i];
            float v = acc[i][j];
            if (p->accumulate)
                v += ci[j];
            if (p->last) {
                if (p->bias)
                    v += p->bias[j];
                if (p->relu && v < 0.0f)
                    v = 0.0f;
            }
            ci[j] = v;
        }
}

#define DEFINE(mr, nr, isa)                                                              \
    void VNN_CONV_UKERNEL(mr, nr, isa)(size_t ntaps, const struct vnn_conv_tap *taps,    \
                                       const float *x, const ptrdiff_t *a_rows, float *c, \
                                       const size_t *c_rows,                             \
                                       const struct vnn_conv_ukernel_params *p)          \
    {                                                                                    \
        tile(mr, ntaps, taps, x, a_rows, c, c_rows, p);                                  \
    }
VNN_MRS_4(DEFINE, 8, scalar)
