/* FMA peak, AArch64 Advanced SIMD: 24 chains of fmla on q registers (32
 * registers: 24 accumulators + 2 operands, no spills). */
#include <arm_neon.h>

#include "peak.h"

double vb_peak_fma_neon(uint64_t steps)
{
    const float32x4_t a = vdupq_n_f32(0.999f), b = vdupq_n_f32(1e-3f);
#define INIT(i) float32x4_t acc##i = vdupq_n_f32((float)(i));
#define FMA(i) acc##i = vfmaq_f32(b, acc##i, a);
#define SUM(i) sum = vaddq_f32(sum, acc##i);
    VB_CHAINS_24(INIT)
    for (uint64_t s = 0; s < steps; s++) {
        VB_CHAINS_24(FMA)
    }
    float32x4_t sum = vdupq_n_f32(0.0f);
    VB_CHAINS_24(SUM)
    vb_peak_sink = vaddvq_f32(sum);
    return 2.0 * 4 * 24 * (double)steps;
}
