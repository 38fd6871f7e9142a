#include "kernels/common/memory.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

/* Buffers of 2 MiB or more (packed weights, GEMM scratch) go on 2 MiB
 * boundaries and ask for transparent huge pages: fewer TLB misses, and
 * physically contiguous blocks, so how a packed block maps onto the
 * physically indexed L2 does not change from one run to the next. */
#define HUGE_PAGE ((size_t)2 << 20)

void *vnn_aligned_alloc(size_t bytes)
{
    size_t rounded;
    if (bytes == 0)
        bytes = 1;
    if (!vnn_add_size(bytes, VNN_ALIGN - 1, &rounded))
        return NULL;
    if (rounded < HUGE_PAGE)
        return aligned_alloc(VNN_ALIGN, rounded / VNN_ALIGN * VNN_ALIGN);
    if (!vnn_add_size(bytes, HUGE_PAGE - 1, &rounded))
        return NULL;
    rounded = rounded / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, rounded);
#ifdef MADV_HUGEPAGE
    if (p)
        madvise(p, rounded, MADV_HUGEPAGE); /* a hint: failure is harmless */
#endif
    return p;
}

void vnn_aligned_free(void *p) { free(p); }

/* A thread's arenas, one per scratch slot. */
struct arena {
    void *data[VNN_SCRATCH_SLOTS];
    size_t size[VNN_SCRATCH_SLOTS];
};

static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;

static void arena_destroy(void *p)
{
    struct arena *a = p;
    for (int i = 0; i < VNN_SCRATCH_SLOTS; i++)
        vnn_aligned_free(a->data[i]);
    free(a);
}

static void arena_key_init(void) { pthread_key_create(&arena_key, arena_destroy); }

void *vnn_scratch_slot(enum vnn_scratch_slot slot, size_t bytes)
{
    pthread_once(&arena_once, arena_key_init);
    struct arena *a = pthread_getspecific(arena_key);
    if (!a) {
        a = calloc(1, sizeof *a);
        if (!a || pthread_setspecific(arena_key, a) != 0) {
            free(a);
            return NULL;
        }
    }
    if (a->size[slot] < bytes) {
        void *grown = vnn_aligned_alloc(bytes);
        if (!grown)
            return NULL;
        vnn_aligned_free(a->data[slot]);
        a->data[slot] = grown;
        a->size[slot] = bytes;
    }
    return a->data[slot];
}

void *vnn_scratch(size_t bytes) { return vnn_scratch_slot(VNN_SCRATCH_KERNEL, bytes); }
