/* FMA peak, AVX-512F: 24 chains of vfmadd on zmm (32 registers: 24
 * accumulators + 2 operands, no spills). */
#include <immintrin.h>

#include "peak.h"

double vb_peak_fma_avx512(uint64_t steps)
{
    const __m512 a = _mm512_set1_ps(0.999f), b = _mm512_set1_ps(1e-3f);
#define INIT(i) __m512 acc##i = _mm512_set1_ps((float)(i));
#define FMA(i) acc##i = _mm512_fmadd_ps(acc##i, a, b);
#define SUM(i) sum = _mm512_add_ps(sum, acc##i);
    VB_CHAINS_24(INIT)
    for (uint64_t s = 0; s < steps; s++) {
        VB_CHAINS_24(FMA)
    }
    __m512 sum = _mm512_setzero_ps();
    VB_CHAINS_24(SUM)
    vb_peak_sink = _mm512_reduce_add_ps(sum);
    return 2.0 * 16 * 24 * (double)steps;
}
