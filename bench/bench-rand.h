/* Benchmark input data: one xorshift stream shared by every bench file
 * (deterministic: the same values in every run). */
#ifndef VNN_BENCH_RAND_H
#define VNN_BENCH_RAND_H

#include <stdint.h>

/* Uniform in [-1, 1), 2^-23 steps. */
float vb_rand_pm1(void);

/* Uniform in [0, n), n >= 1. */
int64_t vb_rand_below(int64_t n);

#endif
