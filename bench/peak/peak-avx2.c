/* FMA peak, AVX2 + FMA3: 12 chains of vfmadd on ymm (16 registers: 12
 * accumulators + 2 operands, no spills). */
#include <immintrin.h>

#include "peak.h"

double vb_peak_fma_avx2(uint64_t steps)
{
    const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(1e-3f);
#define INIT(i) __m256 acc##i = _mm256_set1_ps((float)(i));
#define FMA(i) acc##i = _mm256_fmadd_ps(acc##i, a, b);
#define SUM(i) sum = _mm256_add_ps(sum, acc##i);
    VB_CHAINS_12(INIT)
    for (uint64_t s = 0; s < steps; s++) {
        VB_CHAINS_12(FMA)
    }
    __m256 sum = _mm256_setzero_ps();
    VB_CHAINS_12(SUM)
    vb_peak_sink = _mm256_cvtss_f32(sum);
    return 2.0 * 8 * 12 * (double)steps;
}
