/* model/<family>_b<N>[_t<T>]/<impl>: whole models (bench-model.c). */
#ifndef VNN_BENCH_BENCH_MODEL_H
#define VNN_BENCH_BENCH_MODEL_H

#include <stdbool.h>

/* Registers the model benchmarks; their weight files (model-weights.h) are
 * read from, or written to, weights_dir, which must outlive vb_main. */
bool vb_register_model(const char *weights_dir);

#endif
