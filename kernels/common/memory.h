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
 * next call; freed when the thread exits. NULL if it cannot grow. */
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
