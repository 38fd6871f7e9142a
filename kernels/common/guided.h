/* Guided self-scheduling of a range of work units [0, total) among the
 * threads of a parallel region: each take claims a contiguous chunk of
 * about a 2*nt-th of what is left (at least min_chunk), so the big chunks
 * go first and the last ones are small. On a shared machine one core can
 * run a third slower than the other for a while: a static split then
 * waits for it, this hands its share to the others and still ends within a
 * small chunk of each other when the cores are equal. */
#ifndef VNN_GUIDED_H
#define VNN_GUIDED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct vnn_guided {
    atomic_size_t next;
    size_t total, nt, min_chunk;
};

static inline void vnn_guided_init(struct vnn_guided *g, size_t total, size_t nt,
                                   size_t min_chunk)
{
    atomic_init(&g->next, 0);
    g->total = total;
    g->nt = nt;
    g->min_chunk = min_chunk ? min_chunk : 1;
}

/* Claims the next chunk [*u0, *u1); false when none is left. */
static inline bool vnn_guided_take(struct vnn_guided *g, size_t *u0, size_t *u1)
{
    size_t cur = atomic_load_explicit(&g->next, memory_order_relaxed);
    for (;;) {
        if (cur >= g->total)
            return false;
        size_t left = g->total - cur, chunk = left / (2 * g->nt);
        chunk = chunk < g->min_chunk ? g->min_chunk : chunk;
        chunk = chunk < left ? chunk : left;
        if (atomic_compare_exchange_weak_explicit(&g->next, &cur, cur + chunk,
                                                  memory_order_relaxed,
                                                  memory_order_relaxed)) {
            *u0 = cur;
            *u1 = cur + chunk;
            return true;
        }
    }
}

#endif
