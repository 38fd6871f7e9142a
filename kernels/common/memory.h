/* Aligned allocation and the per-caller scratch arena used by drivers, so
 * hot paths do not allocate once the arena has grown to the working size. */
#ifndef VNN_MEMORY_H
#define VNN_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VNN_ALIGN 64

/* NULL on failure or on a size that overflows when rounded up. */
void *vnn_aligned_alloc(size_t bytes);
void vnn_aligned_free(void *p);

/* A buffer of at least `bytes`, owned by the calling thread and reused by its
 * next call; freed when the thread exits. NULL if it cannot grow. Each slot
 * is a separate buffer: a driver that keeps its own buffers while it calls
 * another driver (the LSTM around the GEMM) takes VNN_SCRATCH_OUTER, the
 * driver it calls VNN_SCRATCH_KERNEL (what vnn_scratch() gives). */
enum vnn_scratch_slot { VNN_SCRATCH_KERNEL, VNN_SCRATCH_OUTER, VNN_SCRATCH_SLOTS };
void *vnn_scratch_slot(enum vnn_scratch_slot slot, size_t bytes);
void *vnn_scratch(size_t bytes);

/* a * b and a + b for sizes, false on overflow. */
static inline bool vnn_mul_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}
static inline bool vnn_add_size(size_t a, size_t b, size_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}
static inline size_t vnn_round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

#endif
