/* Argument checks shared by the ops' public entry points: tensor byte
 * counts that fit a ptrdiff_t, and the overlap rules. */
#ifndef VNN_ARGS_H
#define VNN_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* a * b elements of `elem` bytes, at most PTRDIFF_MAX bytes (a, b >= 1);
 * 0 on overflow. */
static inline int vnn_tensor_bytes(int64_t a, int64_t b, size_t elem, size_t *bytes)
{
    int64_t n;
    if (a < 1 || b < 1 || __builtin_mul_overflow(a, b, &n) ||
        __builtin_mul_overflow(n, (int64_t)elem, &n) || (uint64_t)n > (uint64_t)PTRDIFF_MAX)
        return 0;
    *bytes = (size_t)n;
    return 1;
}

/* a * b * c * d floats as bytes, at most PTRDIFF_MAX; 0 on overflow. The
 * caller has checked the factors' signs. */
static inline int vnn_float_bytes4(int64_t a, int64_t b, int64_t c, int64_t d, size_t *bytes)
{
    int64_t n;
    if (__builtin_mul_overflow(a, b, &n) || __builtin_mul_overflow(n, c, &n) ||
        __builtin_mul_overflow(n, d, &n) ||
        __builtin_mul_overflow(n, (int64_t)sizeof(float), &n) ||
        (uint64_t)n > (uint64_t)PTRDIFF_MAX)
        return 0;
    *bytes = (size_t)n;
    return 1;
}

static inline int vnn_overlaps(const void *a, size_t a_bytes, const void *b, size_t b_bytes)
{
    uintptr_t a0 = (uintptr_t)a, b0 = (uintptr_t)b;
    return a0 < b0 + b_bytes && b0 < a0 + a_bytes;
}

/* An input and an output of the same size may be the same buffer (in
 * place) or disjoint, nothing in between. */
static inline int vnn_inplace_ok(const void *in, const void *out, size_t bytes)
{
    return in == out || !vnn_overlaps(in, bytes, out, bytes);
}

#endif
