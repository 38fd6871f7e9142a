/* Implicit GEMM: output pixels x output channels = taps of the input read
 * in place x packed weights, tile by tile, every tap of a tile accumulated
 * in registers by the family's microkernel (conv-config.h).
 *
 * The pixels of a tile share their taps: the valid kernel rows of an
 * output row and the valid kernel columns of an output column, so padding
 * is never multiplied. Consecutive output rows with the same kernel rows
 * (all interior rows, across images too) form a run; a run times a segment
 * of output columns with the same kernel columns is a set of pixels with
 * one tap list, cut in raster order into tiles of up to MR pixels (so
 * 3-pixel-wide rows or 1-pixel borders still fill whole tiles). Loop order
 * per thread: column block -> kernel-row group (its weights stay in L2) ->
 * runs -> segments -> tiles. Threads take equal shares of those tiles, or
 * of the rows or column blocks when several passes build an output
 * (vnn_conv_run_implicit); each output element is the same ordered sum
 * however the work is cut, so results do not depend on the thread count. */
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "kernels/conv/conv-driver.h"

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* Valid kernel rows [lo, hi) of output row oh. */
static void kh_range(const struct vnn_conv2d_plan *p, size_t oh, size_t *lo, size_t *hi)
{
    vnn_conv_valid_taps(oh, p->sh, p->pt, p->dh, p->H, p->KH, lo, hi);
}

size_t vnn_conv_run_end(const struct vnn_conv2d_plan *p, size_t r, size_t r1, size_t *lo,
                        size_t *hi)
{
    size_t lo2, hi2, re = r + 1;
    kh_range(p, r % p->OH, lo, hi);
    const int interior = *lo == 0 && *hi == p->KH;
    while (re < r1) {
        size_t oh = re % p->OH;
        if (interior && oh >= p->int_lo && oh < p->int_hi) {
            re = min_sz(r1, re - oh + p->int_hi); /* the rest of the image's interior */
            continue;
        }
        kh_range(p, oh, &lo2, &hi2);
        if (lo2 != *lo || hi2 != *hi)
            break;
        re++;
    }
    return re;
}

/* Index of the kernel-row group holding kernel row kh. */
static size_t group_of(const struct vnn_conv2d_plan *p, size_t kh)
{
    size_t g = 0;
    while (kh >= p->khg[g + 1])
        g++;
    return g;
}

/* The taps of segment s for kernel rows [kh0, kh1): a from a pixel's
 * window origin in its group's input, b into a column block's weights, so
 * one list serves every column block. */
static size_t build_taps(const struct vnn_conv2d_plan *p, const struct vnn_conv_segment *s,
                         size_t kh0, size_t kh1, struct vnn_conv_tap *taps)
{
    const size_t cg = p->cin_g;
    size_t nt = 0;
    for (size_t kh = kh0; kh < kh1; kh++) {
        size_t a = (kh * p->dh * p->W + s->kw_lo * p->dw) * p->C_in;
        size_t b = (kh * p->KW + s->kw_lo) * cg * p->nr;
        if (p->run_taps) {
            taps[nt++] = (struct vnn_conv_tap){(ptrdiff_t)a, b, (s->kw_hi - s->kw_lo) * cg};
            continue;
        }
        for (size_t kw = s->kw_lo; kw < s->kw_hi; kw++)
            taps[nt++] = (struct vnn_conv_tap){
                (ptrdiff_t)(a + (kw - s->kw_lo) * p->dw * p->C_in),
                b + (kw - s->kw_lo) * cg * p->nr, cg};
    }
    return nt;
}

struct tiles {
    struct vnn_conv_tap *taps; /* of the current pixel set */
    size_t ntaps;
    size_t ksteps; /* k steps of those taps */
    const float *pf, *pf_end; /* weights of the next pass not yet prefetched */
    ptrdiff_t *a_rows;
    size_t *c_rows, *t_rows;
    float *tile;
    size_t t_next, t0, t1; /* tiles so far; run only those in [t0, t1) */
};

/* What the pixels of one run x segment share. */
struct pixel_set {
    const struct vnn_conv_segment *s;
    size_t r0, r1;   /* output rows */
    size_t kh0, kh1; /* kernel rows of this pass; none if kh1 <= kh0 */
    size_t j0, j1;   /* column blocks, innermost */
    struct vnn_conv_ukernel_params prm;
};

/* One tile of `rows` pixels (a_rows/c_rows filled), every column block. */
static void run_tile(const struct vnn_conv2d_plan *p, const float *x, float *y,
                     const struct pixel_set *ps, size_t rows, struct tiles *w)
{
    const size_t nr = p->nr, nt = w->ntaps;
    vnn_conv_ukernel_fn uk = p->fam.ukernel[rows];
    for (size_t j = ps->j0; j < ps->j1; j++) {
        /* The taps are relative to the block's group input and weights. */
        const float *xg = x + j / p->ncb * p->cin_g;
        struct vnn_conv_ukernel_params prm = ps->prm;
        prm.w = p->weights + j * p->K * nr;
        prm.bias = p->bias ? p->bias + j * nr : NULL;
        /* A line of the next pass's weights per k step. */
        prm.prefetch = w->pf;
        prm.prefetch_lines = nt ? min_sz(w->ksteps, (size_t)(w->pf_end - w->pf + 15) / 16) : 0;
        if (prm.prefetch_lines) /* pf is NULL on the last pass: no NULL + 0 (UB) */
            w->pf += prm.prefetch_lines * 16;
        const size_t c0 = j % p->ncb * nr, cols = min_sz(nr, p->cout_g - c0);
        float *yc = y + j / p->ncb * p->cout_g + c0;
        if (cols == nr) {
            uk(nt, w->taps, xg, w->a_rows, yc, w->c_rows, &prm);
            continue;
        }
        /* Last, partial column block: through a full-width tile. */
        if (prm.accumulate)
            for (size_t r = 0; r < rows; r++)
                memcpy(w->tile + r * nr, yc + w->c_rows[r], cols * sizeof(float));
        uk(nt, w->taps, xg, w->a_rows, w->tile, w->t_rows, &prm);
        for (size_t r = 0; r < rows; r++)
            memcpy(yc + w->c_rows[r], w->tile + r * nr, cols * sizeof(float));
    }
}

/* The pixels of a run x segment, in raster order, in the fewest tiles of
 * up to MR (vnn_conv_tile_end). */
static void run_pixels(const struct vnn_conv2d_plan *p, const float *x, float *y,
                       const struct pixel_set *ps, struct tiles *w)
{
    const size_t mr = (size_t)p->fam.mr_max, px = p->sw * p->C_in;
    const ptrdiff_t origin = (ptrdiff_t)((p->pt * p->W + p->pl) * p->C_in);
    const struct vnn_conv_segment *s = ps->s;
    const size_t width = s->ow1 - s->ow0, total = (ps->r1 - ps->r0) * width;
    const size_t tiles = (total + mr - 1) / mr, first = w->t_next;
    w->t_next += tiles;
    if (first >= w->t1 || first + tiles <= w->t0)
        return; /* none of its tiles is in the window */
    /* The window's tiles of this set: [tile, last), from pixel `done`. */
    size_t tile = w->t0 > first ? w->t0 - first : 0;
    const size_t last = w->t1 - first < tiles ? w->t1 - first : tiles;
    size_t done = tile ? vnn_conv_tile_end(tile - 1, tiles, total, mr) : 0;
    size_t cnt = 0, end = vnn_conv_tile_end(tile, tiles, total, mr);
    w->ntaps = w->ksteps = 0;
    if (ps->kh1 > ps->kh0 && s->kw_hi > s->kw_lo) {
        w->ntaps = build_taps(p, s, ps->kh0, ps->kh1, w->taps);
        for (size_t t = 0; t < w->ntaps; t++)
            w->ksteps += w->taps[t].k;
    }
    for (size_t r = ps->r0 + done / width; tile < last; r++) {
        size_t n = r / p->OH, oh = r % p->OH;
        ptrdiff_t row = (ptrdiff_t)((n * p->H + oh * p->sh) * p->W * p->C_in) - origin;
        for (size_t ow = s->ow0 + done % width; ow < s->ow1 && tile < last; ow++) {
            w->a_rows[cnt] = row + (ptrdiff_t)(ow * px);
            w->c_rows[cnt] = (r * p->OW + ow) * p->C_out;
            if (++done == end) {
                run_tile(p, x, y, ps, cnt + 1, w);
                cnt = 0;
                end = vnn_conv_tile_end(++tile, tiles, total, mr);
                continue;
            }
            cnt++;
        }
    }
}

/* kw_split: y starts as the bias (or zero) and gets ReLU after all passes.
 * fn(dst, bias, cols) for each output pixel of rows [r0, r1) and the
 * columns of blocks [j0, j1). */
static void fill_bias(float *dst, const float *bias, size_t cols)
{
    if (bias)
        memcpy(dst, bias, cols * sizeof(float));
    else
        memset(dst, 0, cols * sizeof(float));
}

static void relu_row(float *dst, const float *bias, size_t cols)
{
    (void)bias;
    for (size_t c = 0; c < cols; c++)
        dst[c] = dst[c] < 0.0f ? 0.0f : dst[c];
}

static void each_block_row(const struct vnn_conv2d_plan *p, float *y, size_t r0, size_t r1,
                           size_t j0, size_t j1, void (*fn)(float *, const float *, size_t))
{
    for (size_t px = r0 * p->OW; px < r1 * p->OW; px++)
        for (size_t j = j0; j < j1; j++) {
            size_t c0 = j % p->ncb * p->nr;
            fn(y + px * p->C_out + j / p->ncb * p->cout_g + c0,
               p->bias ? p->bias + j * p->nr : NULL, min_sz(p->nr, p->cout_g - c0));
        }
}

/* Output rows [r0, r1) (r = n * OH + oh) x column blocks [j0, j1). Column
 * blocks go outermost (each block's weights stay in L2 while all rows pass)
 * unless all of them fit in L2 together: then innermost, so a tile's input
 * rows stay in L1 while every block uses them. Of the tiles this order
 * makes, only those in [t0, t1) run;
 * returns how many there are (with t1 = 0, y is not touched: a count). */
static size_t run_range(const struct vnn_conv2d_plan *p, const float *x, float *y, char *ws,
                        size_t r0, size_t r1, size_t j0, size_t j1, size_t t0, size_t t1)
{
    const size_t mr = (size_t)p->fam.mr_max;
    struct tiles w;
    w.taps = (struct vnn_conv_tap *)ws;
    w.a_rows = (ptrdiff_t *)(ws + vnn_conv_taps_bytes(p));
    w.c_rows = (size_t *)(w.a_rows + mr);
    w.t_rows = w.c_rows + mr;
    w.tile = (float *)(ws + vnn_conv_taps_bytes(p) + vnn_conv_rows_bytes(p));
    for (size_t r = 0; r < mr; r++)
        w.t_rows[r] = r * p->nr;
    w.t_next = 0;
    w.t0 = t0;
    w.t1 = t1;
    if (p->kw_split && t1)
        each_block_row(p, y, r0, r1, j0, j1, fill_bias);
    size_t je;
    for (size_t jc = j0; jc < j1; jc = je) {
        je = p->blocks_inner ? j1 : jc + 1;
        for (size_t grp = 0; grp < p->n_khg; grp++) {
            /* Column block outermost: its kernel-row groups are read from
             * L3 in turn; prefetch the next while this one computes. */
            size_t ng = grp + 1 < p->n_khg ? grp + 1 : 0, nj = ng ? jc : jc + 1;
            w.pf = w.pf_end = NULL;
            if (!p->blocks_inner && nj < j1) {
                size_t row_floats = p->KW * p->cin_g * p->nr;
                w.pf = p->weights + nj * p->K * p->nr + p->khg[ng] * row_floats;
                w.pf_end = w.pf + (p->khg[ng + 1] - p->khg[ng]) * row_floats;
            }
            size_t re;
            for (size_t r = r0; r < r1; r = re) {
                size_t lo, hi;
                re = vnn_conv_run_end(p, r, r1, &lo, &hi);
                size_t g_first = hi > lo ? group_of(p, lo) : 0;
                size_t g_last = hi > lo ? group_of(p, hi - 1) : 0;
                if (grp < g_first || grp > g_last)
                    continue;
                struct pixel_set ps = {
                    .r0 = r, .r1 = re, .j0 = jc, .j1 = je,
                    .kh0 = lo > p->khg[grp] ? lo : p->khg[grp],
                    .kh1 = hi < p->khg[grp + 1] ? hi : p->khg[grp + 1],
                };
                for (size_t si = 0; si < p->n_segs; si++) {
                    ps.s = &p->segs[si];
                    ps.prm = (struct vnn_conv_ukernel_params){
                        .accumulate = grp > g_first, .last = grp == g_last, .relu = p->relu,
                    };
                    if (p->kw_split) { /* y holds the bias; ReLU comes last */
                        if (ps.kh1 <= ps.kh0)
                            continue;
                        ps.prm = (struct vnn_conv_ukernel_params){.accumulate = 1};
                    } else if (ps.kh1 <= ps.kh0 || ps.s->kw_hi <= ps.s->kw_lo) {
                        if (grp != g_first)
                            continue; /* no taps: the first pass wrote act(bias) */
                        ps.prm.accumulate = 0;
                        ps.prm.last = 1;
                    }
                    run_pixels(p, x, y, &ps, &w);
                }
            }
        }
    }
    if (p->kw_split && p->relu && t1)
        each_block_row(p, y, r0, r1, j0, j1, relu_row);
    return w.t_next;
}

void vnn_conv_run_implicit(const struct vnn_conv2d_plan *p, const float *x, float *y,
                           char *ws, size_t nt)
{
    const size_t rows = p->N * p->OH, blocks = p->G * p->ncb;
    if (nt <= 1) {
        run_range(p, x, y, ws, 0, rows, 0, blocks, 0, SIZE_MAX);
        return;
    }
    if (!p->kw_split && p->n_khg == 1) {
        /* One pass makes each output: the threads take equal shares of the
         * very tiles one thread runs, in its order, so every tile is as
         * full as with one thread (a split of the rows cuts tiles at its
         * edges) and neighbouring tiles share weights and input rows. */
        const size_t tiles = run_range(p, x, NULL, ws, 0, rows, 0, blocks, 0, 0);
#pragma omp parallel num_threads((int)nt)
        {
            size_t t = (size_t)omp_get_thread_num(), team = (size_t)omp_get_num_threads();
            run_range(p, x, y, ws + t * p->ws_per_thread, 0, rows, 0, blocks, t * tiles / team,
                      (t + 1) * tiles / team);
        }
        return;
    }
    /* Several passes accumulate into an output (kernel-row groups, or
     * kw_split's segments), so its tiles stay on one thread: split the rows
     * unless the column blocks share more evenly. */
    int by_rows = vnn_conv_imbalance(rows, nt) <= vnn_conv_imbalance(blocks, nt);
#pragma omp parallel num_threads((int)nt)
    {
        size_t t = (size_t)omp_get_thread_num(), team = (size_t)omp_get_num_threads();
        char *mine = ws + t * p->ws_per_thread;
        if (by_rows)
            run_range(p, x, y, mine, t * rows / team, (t + 1) * rows / team, 0, blocks, 0,
                      SIZE_MAX);
        else
            run_range(p, x, y, mine, 0, rows, t * blocks / team, (t + 1) * blocks / team, 0,
                      SIZE_MAX);
    }
}
