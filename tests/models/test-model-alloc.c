/* Once a context has run a batch, further runs of that size or smaller
 * allocate nothing: this binary links with -Wl,--wrap for the allocation
 * functions, so every allocation made by vnn's own code (the static
 * library linked in) is counted. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "model-fixtures.h"
#include "vnn/vnn.h"
#include "vt.h"

static atomic_long allocations;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);

void *__wrap_malloc(size_t n)
{
    atomic_fetch_add(&allocations, 1);
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t size)
{
    atomic_fetch_add(&allocations, 1);
    return __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t n)
{
    atomic_fetch_add(&allocations, 1);
    return __real_realloc(p, n);
}
void *__wrap_aligned_alloc(size_t align, size_t n)
{
    atomic_fetch_add(&allocations, 1);
    return __real_aligned_alloc(align, n);
}
int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
    atomic_fetch_add(&allocations, 1);
    return __real_posix_memalign(p, align, n);
}

static void check_no_allocation(const char *family)
{
    vnn_model *m = fixture_model(family);
    struct golden g;
    golden_read(family, &g);
    float *logits = vt_alloc_floats((size_t)(g.N * g.C)),
          *probs = vt_alloc_floats((size_t)(g.N * g.C));
    vnn_model_context *ctx;
    VT_CHECK(vnn_model_context_create(m, &ctx) == VNN_OK, "context");
    for (int round = 0; round < 4; round++) {
        long before = atomic_load(&allocations);
        /* The whole batch, then its first half: both fit the warmed-up context. */
        for (int64_t n = g.N; n >= g.N / 2 && n >= 1; n -= (g.N + 1) / 2) {
            vnn_status st = g.images
                                ? vnn_model_run_images(m, ctx, n, g.images, logits, probs)
                                : vnn_model_run_tokens(m, ctx, n, g.T, g.ids, g.lengths, logits,
                                                       probs);
            VT_CHECK(st == VNN_OK, "run: %s", vnn_last_error());
        }
        long made = atomic_load(&allocations) - before;
        if (round > 0)
            VT_CHECK(made == 0, "%s: run %d after warm-up made %ld allocations", family, round,
                     made);
    }
    vnn_model_context_destroy(ctx);
    vt_free(logits);
    vt_free(probs);
    golden_free(&g);
    vnn_model_free(m);
}

VT_TEST(model_alloc, cnn_runs_allocate_nothing) { check_no_allocation("cnn"); }
VT_TEST(model_alloc, bilstm_runs_allocate_nothing) { check_no_allocation("bilstm"); }
VT_TEST(model_alloc, transformer_runs_allocate_nothing) { check_no_allocation("transformer"); }
