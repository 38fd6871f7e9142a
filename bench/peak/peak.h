/* FMA throughput loops, one per ISA, each file built with only that ISA's
 * flags. A call runs `steps` rounds of independent FMAs on full vectors (as
 * many accumulator chains as the register file holds, more than latency x
 * throughput on current cores) and returns the floating-point operations it
 * did, counting an FMA as 2 per lane.
 *
 * The chains are spelled out as separate variables (VB_CHAINS_12/24) rather
 * than an array, which compilers may keep in memory instead of registers;
 * each chain computes acc = acc * a + b, converging to b / (1 - a): no
 * overflow, no denormals, nothing the compiler may fold without -ffast-math. */
#ifndef VNN_BENCH_PEAK_H
#define VNN_BENCH_PEAK_H

#include <stddef.h>
#include <stdint.h>

typedef double (*vb_peak_fn)(uint64_t steps);

double vb_peak_fma_avx2(uint64_t steps);
double vb_peak_fma_avx512(uint64_t steps);
double vb_peak_fma_neon(uint64_t steps);

/* peak/membw's loops, AVX-512 (membw-avx512.c): the sum of n floats, a
 * copy of n floats (n a multiple of 32, 64-byte aligned). */
float vb_membw_read_avx512(const float *p, size_t n);
void vb_membw_copy_avx512(float *restrict dst, const float *restrict src, size_t n);

/* Keeps the accumulators alive, so the compiler cannot drop the loop. */
extern volatile float vb_peak_sink;

#define VB_CHAINS_12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define VB_CHAINS_24(X) VB_CHAINS_12(X) X(12) X(13) X(14) X(15) X(16) X(17) \
    X(18) X(19) X(20) X(21) X(22) X(23)

#endif
