/* Walking the output of a pooling job: threads take contiguous ranges of
 * output rows (n, oh), or of (row, channel slice) pairs when there are too
 * few rows to go round; each row is cut into runs of pixels whose windows
 * have the same valid part (pool-config.h): the pixels whose window lies
 * inside the image columns form one run, each pixel whose window crosses
 * the left or right edge is a run of its own. Nothing is allocated.
 *
 * Every output element is computed by the same kernel from the same taps in
 * the same order whatever the thread count, so results do not depend on it. */
#include "kernels/pool/pool-driver.h"

#include <omp.h>

/* Below this many tap-channel reductions per thread, waking another thread
 * does not pay (about 10 us of work). */
#define WORK_PER_THREAD 65536.0
/* A channel slice is a multiple of every kernel's widest tile. */
#define SLICE_ALIGN 128

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static size_t div_up(size_t a, size_t b) { return (a + b - 1) / b; }

/* What every row shares: the column runs and the slicing. */
struct plan {
    const struct vnn_pool_job *j;
    size_t ow_lo, ow_hi; /* columns whose window is inside [0, W) */
    size_t slices, slice; /* channel slices per row, channels per slice */
};

/* The valid part [lo, lo + n) of a window starting at `start` (which may be
 * negative) of `k` taps over [0, in); with the padding after the input,
 * `span` is the part inside [start, in + pad_after) (the divisor factor of
 * count_include_pad). The validation guarantees n >= 1. */
struct extent {
    size_t lo, n, span;
};

static struct extent clip(ptrdiff_t start, size_t k, size_t in, size_t pad_after)
{
    struct extent e;
    e.lo = start < 0 ? (size_t)-start : 0;
    /* in - start <= in + pad_before: no overflow; it is >= 1. */
    size_t avail = (size_t)((ptrdiff_t)in - start);
    e.n = min_sz(k, avail) - e.lo;
    e.span = min_sz(k, avail + pad_after);
    return e;
}

/* Output pixels [ow0, ow1) of one row, all sharing the column extent `ce`
 * (for a run of more than one pixel, the interior: lo = 0). */
static void run_columns(const struct plan *pl, const struct extent *re, const float *xrow,
                        float *yrow, size_t c0, size_t nc, size_t ow0, size_t ow1,
                        const struct extent *ce)
{
    const struct vnn_pool_job *j = pl->j;
    ptrdiff_t iw0 = (ptrdiff_t)(ow0 * j->sw) - (ptrdiff_t)j->pl;
    struct vnn_pool_run r = {
        .pixels = ow1 - ow0, .channels = nc, .cstride = j->C,
        .x = xrow + (size_t)(iw0 + (ptrdiff_t)ce->lo) * j->C + c0,
        .x_step = j->sw * j->C, .row_stride = j->W * j->C, .rows = re->n, .cols = ce->n,
        .y = yrow + ow0 * j->C + c0,
    };
    if (j->avg) {
        double d = j->include_pad ? (double)re->span * (double)ce->span
                                  : (double)re->n * (double)ce->n;
        r.divisor = (float)d;
    }
    j->ukernel(&r);
}

static void border_column(const struct plan *pl, const struct extent *re, const float *xrow,
                          float *yrow, size_t c0, size_t nc, size_t ow)
{
    const struct vnn_pool_job *j = pl->j;
    struct extent ce = clip((ptrdiff_t)(ow * j->sw) - (ptrdiff_t)j->pl, j->KW, j->W, j->pr);
    run_columns(pl, re, xrow, yrow, c0, nc, ow, ow + 1, &ce);
}

/* Item = (output row, channel slice). */
static void run_item(const struct plan *pl, size_t item)
{
    const struct vnn_pool_job *j = pl->j;
    size_t row = item / pl->slices, c0 = item % pl->slices * pl->slice;
    size_t nc = min_sz(pl->slice, j->C - c0);
    size_t n = row / j->OH, oh = row % j->OH;
    struct extent re = clip((ptrdiff_t)(oh * j->sh) - (ptrdiff_t)j->pt, j->KH, j->H, j->pb);
    size_t ih = oh * j->sh + re.lo - j->pt; /* first valid input row */
    const float *xrow = j->x + (n * j->H + ih) * j->W * j->C;
    float *yrow = j->y + row * j->OW * j->C;
    for (size_t ow = 0; ow < pl->ow_lo; ow++)
        border_column(pl, &re, xrow, yrow, c0, nc, ow);
    if (pl->ow_hi > pl->ow_lo) {
        struct extent inner = {.lo = 0, .n = j->KW, .span = j->KW};
        run_columns(pl, &re, xrow, yrow, c0, nc, pl->ow_lo, pl->ow_hi, &inner);
    }
    for (size_t ow = pl->ow_hi > pl->ow_lo ? pl->ow_hi : pl->ow_lo; ow < j->OW; ow++)
        border_column(pl, &re, xrow, yrow, c0, nc, ow);
}

void vnn_pool_execute(const struct vnn_pool_job *j, size_t threads)
{
    struct plan pl = {.j = j, .slices = 1, .slice = j->C};
    /* Interior columns: ow * sw >= pl and ow * sw - pl + KW <= W. */
    pl.ow_lo = min_sz(div_up(j->pl, j->sw), j->OW);
    pl.ow_hi = j->W + j->pl >= j->KW ? min_sz((j->W + j->pl - j->KW) / j->sw + 1, j->OW) : 0;

    size_t rows = j->N * j->OH;
    double work = (double)rows * (double)j->OW * (double)j->C * (double)j->KH * (double)j->KW;
    /* Compared as doubles: a huge (padded) kernel can make work exceed
     * what a size_t holds. */
    size_t nt = work / WORK_PER_THREAD >= (double)threads
                    ? threads : (size_t)(work / WORK_PER_THREAD) + 1;
    /* Too few rows for the threads: slice the channels as well. */
    if (nt > 1 && rows < 4 * nt && j->C > SLICE_ALIGN) {
        size_t want = min_sz(div_up(4 * nt, rows), div_up(j->C, SLICE_ALIGN));
        pl.slice = div_up(div_up(j->C, want), SLICE_ALIGN) * SLICE_ALIGN;
        pl.slices = div_up(j->C, pl.slice);
    }
    size_t items = rows * pl.slices;
    nt = min_sz(nt, items);
    if (nt <= 1) {
        for (size_t i = 0; i < items; i++)
            run_item(&pl, i);
        return;
    }
#pragma omp parallel num_threads((int)nt)
    {
        size_t t = (size_t)omp_get_thread_num(), team = (size_t)omp_get_num_threads();
        size_t i1 = (t + 1) * items / team;
        for (size_t i = t * items / team; i < i1; i++)
            run_item(&pl, i);
    }
}
