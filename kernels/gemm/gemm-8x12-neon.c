/* NEON microkernel: 8 x 12 tile in 24 q-register accumulators. A rows are
 * read four k at a time into one register each and used lane by lane
 * (fmla by element), so A costs one load per row per four k steps. */
#include <arm_neon.h>

#include "kernels/gemm/gemm-ukernels.h"

#define MR 8

#define FMA_ROW(i, lane)                                                          \
    do {                                                                          \
        acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, av[i], lane);                  \
        acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, av[i], lane);                  \
        acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, av[i], lane);                  \
    } while (0)

#define STEP(lane)                                                                \
    do {                                                                          \
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), b2 = vld1q_f32(b + 8); \
        b += 12;                                                                  \
        FMA_ROW(0, lane); FMA_ROW(1, lane); FMA_ROW(2, lane); FMA_ROW(3, lane);   \
        FMA_ROW(4, lane); FMA_ROW(5, lane); FMA_ROW(6, lane); FMA_ROW(7, lane);   \
    } while (0)

void vnn_gemm_ukernel_8x12__neon(size_t kc, const float *restrict a, size_t a_stride,
                                 const float *restrict b, float *restrict c, size_t ldc,
                                 const struct vnn_gemm_ukernel_params *params)
{
    float32x4_t acc[MR][3];
    for (int i = 0; i < MR; i++)
        acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.0f);

    size_t k = 0;
    for (; k + 4 <= kc; k += 4) {
        float32x4_t av[MR];
        for (int i = 0; i < MR; i++)
            av[i] = vld1q_f32(a + i * a_stride + k);
        STEP(0);
        STEP(1);
        STEP(2);
        STEP(3);
    }
    for (; k < kc; k++) { /* k tail: one element per row in lane 0 */
        float32x4_t av[MR];
        for (int i = 0; i < MR; i++)
            av[i] = vdupq_n_f32(a[i * a_stride + k]);
        STEP(0);
    }

    /* Epilogue straight-line, one pass per step over the tile (as the
     * AVX-512 kernel): x*1 is exact and fma(acc, c, 1) == acc + c, so skipping
     * the unit alpha and adding C for unit beta changes no result. */
    if (params->alpha != 1.0f) {
        const float alpha = params->alpha;
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 3; v++)
                acc[i][v] = vmulq_n_f32(acc[i][v], alpha);
    }
    if (params->beta == 1.0f) {
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 3; v++)
                acc[i][v] = vaddq_f32(acc[i][v], vld1q_f32(c + i * ldc + 4 * v));
    } else if (params->beta != 0.0f) {
        const float beta = params->beta;
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 3; v++)
                acc[i][v] = vfmaq_n_f32(acc[i][v], vld1q_f32(c + i * ldc + 4 * v), beta);
    }
    const float *bias = params->bias;
    if (bias) {
        const float32x4_t bias_v[3] = {vld1q_f32(bias), vld1q_f32(bias + 4), vld1q_f32(bias + 8)};
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 3; v++)
                acc[i][v] = vaddq_f32(acc[i][v], bias_v[v]);
    }
    if (params->relu) {
        const float32x4_t zero = vdupq_n_f32(0.0f);
        for (int i = 0; i < MR; i++)
            for (int v = 0; v < 3; v++)
                acc[i][v] = vmaxq_f32(acc[i][v], zero);
    }
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < 3; v++)
            vst1q_f32(c + i * ldc + 4 * v, acc[i][v]);
}
