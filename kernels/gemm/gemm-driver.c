/* BLIS-style loop nest: jc (N blocks) -> pc (K blocks, B block packed once
 * and shared by all threads) -> per thread: ic (M blocks) -> jr (NR panels)
 * -> ir (MR strips) -> microkernel. Threads split rows and/or column panels,
 * never K, so results do not depend on the thread count. */
#include "kernels/gemm/gemm-driver.h"

#include <math.h>
#include <omp.h>
#include <string.h>

#include "kernels/common/memory.h"
#include "kernels/gemm/gemm-pack.h"

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static size_t div_up(size_t a, size_t b) { return (a + b - 1) / b; }

int vnn_gemm_prepacked_size(const struct vnn_gemm_config *cfg, size_t K, size_t N,
                            size_t *floats)
{
    return vnn_mul_size(K, vnn_round_up(N, (size_t)cfg->nr), floats);
}

void vnn_gemm_prepack_b(const struct vnn_gemm_config *cfg, vnn_transpose trans, size_t K,
                        size_t N, const float *B, size_t ldb, float *dst)
{
    size_t nr = (size_t)cfg->nr, kcmax = (size_t)cfg->kc;
    size_t n_pad = vnn_round_up(N, nr);
    for (size_t k0 = 0; k0 < K; k0 += kcmax) {
        size_t kc = min_sz(kcmax, K - k0);
        for (size_t j0 = 0; j0 < N; j0 += nr)
            vnn_gemm_pack_b_panel(trans, B, ldb, k0, j0, kc, min_sz(nr, N - j0), nr,
                                  dst + k0 * n_pad + j0 * kc);
    }
}

/* C = act(beta * C + bias) when there is nothing to multiply (K or alpha 0). */
static void scale_only(const struct vnn_gemm_args *g)
{
    for (size_t i = 0; i < g->M; i++) {
        float *c = g->C + i * g->ldc;
        for (size_t j = 0; j < g->N; j++) {
            float v = g->beta == 0.0f ? 0.0f : g->beta * c[j];
            if (g->bias)
                v += g->bias[j];
            c[j] = g->relu && v < 0.0f ? 0.0f : v;
        }
    }
}

/* Partial tile: the microkernel wrote raw sums into `tile`; merge them. */
static void merge_tile(const float *tile, size_t nr, size_t rows, size_t cols, float *c,
                       size_t ldc, const struct vnn_gemm_ukernel_params *p)
{
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++) {
            float v = p->alpha * tile[i * nr + j];
            if (p->beta != 0.0f)
                v += p->beta * c[i * ldc + j];
            if (p->bias)
                v += p->bias[j];
            c[i * ldc + j] = p->relu && v < 0.0f ? 0.0f : v;
        }
    }
}

/* The last, partial strip of M through the smaller row-tail kernel. */
static void run_tail_rows(const struct vnn_gemm_config *cfg, size_t kc, const float *a,
                          size_t as, const float *b, size_t rows, size_t cols, float *c,
                          size_t ldc, const struct vnn_gemm_ukernel_params *full, float *tile)
{
    size_t mt = (size_t)cfg->mr_tail, nr = (size_t)cfg->nr;
    struct vnn_gemm_ukernel_params p = *full, raw = {.alpha = 1.0f, .beta = 0.0f};
    p.a_next = NULL;
    p.c_next = NULL;
    for (size_t r0 = 0; r0 < rows; r0 += mt) {
        size_t chunk = min_sz(mt, rows - r0);
        /* Rows past `rows` in the padded strip are zero, so a short chunk
         * reads valid memory and its extra results are dropped by the merge. */
        if (chunk == mt && cols == nr) {
            cfg->ukernel_tail(kc, a + r0 * as, as, b, c + r0 * ldc, ldc, &p);
        } else {
            cfg->ukernel_tail(kc, a + r0 * as, as, b, tile, nr, &raw);
            merge_tile(tile, nr, chunk, cols, c + r0 * ldc, ldc, &p);
        }
    }
}

/* Thread grid: tm threads over rows times tn over column panels. Rows are
 * split first (each thread reads its own A and shares packed B) while the B
 * block is small; a larger B block is split by columns too, tn ways, so
 * each thread's part of it stays in its own L2 rather than every thread
 * streaming all of it from L3 once per M block. */
static void thread_grid(size_t nt, size_t strips, size_t panels, size_t bblock_bytes,
                        size_t l2_bytes, size_t *tm, size_t *tn)
{
    size_t want_tn = 1;
    while (want_tn < nt && bblock_bytes / want_tn > l2_bytes)
        want_tn++;
    *tm = 1;
    *tn = 1;
    for (size_t n = want_tn; n <= nt; n++) {
        if (nt % n != 0 || n > panels || nt / n > strips)
            continue;
        *tm = nt / n;
        *tn = n;
        return;
    }
    for (size_t m = nt; m >= 1; m--) { /* few panels or strips: what fits */
        if (nt % m != 0 || m > strips)
            continue;
        size_t n = nt / m;
        if (n <= panels || m * n == 1) {
            *tm = m;
            *tn = n <= panels ? n : panels;
            return;
        }
    }
}

struct plan {
    size_t mr, nr, kcmax, mcmax, ncmax;
    size_t strips, panels, tm, tn, nt;
    int pack_a;
    /* Each thread packs a B panel just before its strips use it, into an
     * L1-sized buffer of its own, instead of the team packing the whole B
     * block first: when every panel is used by one M block of one thread
     * (M <= mc, threads split columns), the shared block went out to L3
     * and came back once, doubling B's traffic when M is small. */
    int pack_panel;
    size_t bblock_floats, abuf_floats, tile_floats, pbuf_floats, per_thread_floats;
};

/* One thread's share of a (jc, pc) block: its rows x its panels. */
static void compute_block(const struct vnn_gemm_args *g, const struct plan *pl, size_t tid,
                          size_t j0, size_t nc, size_t k0, size_t kc, const float *bblock,
                          size_t bpanel_stride, float *abuf, float *tile, float *pbuf)
{
    const struct vnn_gemm_config *cfg = g->cfg;
    size_t mr = pl->mr, nr = pl->nr;
    size_t ti = tid / pl->tn, tj = tid % pl->tn;
    size_t s0 = ti * pl->strips / pl->tm, s1 = (ti + 1) * pl->strips / pl->tm;
    size_t blk_panels = div_up(nc, nr);
    size_t p0 = tj * blk_panels / pl->tn, p1 = (tj + 1) * blk_panels / pl->tn;
    int first_k = k0 == 0, last_k = k0 + kc == g->K;
    struct vnn_gemm_ukernel_params full = {
        .alpha = g->alpha, .beta = first_k ? g->beta : 1.0f, .bias = NULL,
        .relu = last_k && g->relu,
    };
    struct vnn_gemm_ukernel_params raw = {.alpha = 1.0f, .beta = 0.0f};
    size_t mc_strips = pl->mcmax / mr;
    size_t sa = vnn_gemm_a_strip_stride(kc), strip_floats = mr * sa;

    for (size_t sb = s0; sb < s1; sb += mc_strips) {
        size_t se = min_sz(sb + mc_strips, s1);
        /* Packed A is copied for the whole block; otherwise A is read in
         * place and only a partial last strip is copied (zero-padded). */
        int packed_a = pl->pack_a;
        if (packed_a) {
            for (size_t s = sb; s < se; s++)
                vnn_gemm_pack_a_strip(g->trans_a, g->A, g->lda, s * mr, k0,
                                      min_sz(mr, g->M - s * mr), kc, mr, sa,
                                      abuf + (s - sb) * strip_floats);
        } else if (se * mr > g->M) {
            vnn_gemm_pack_a_strip(g->trans_a, g->A, g->lda, (se - 1) * mr, k0,
                                  g->M - (se - 1) * mr, kc, mr, sa, abuf);
        }
        for (size_t p = p0; p < p1; p++) {
            size_t jj = j0 + p * nr, cols = min_sz(nr, g->N - jj);
            /* Packed on the fly, bblock is NULL: no offset is applied to it. */
            const float *b = pbuf;
            if (pl->pack_panel)
                vnn_gemm_pack_b_panel(g->trans_b, g->B, g->ldb, k0, jj, kc, cols, nr, pbuf);
            else
                b = bblock + p * bpanel_stride;
            full.bias = last_k && g->bias ? g->bias + jj : NULL;
            for (size_t s = sb; s < se; s++) {
                size_t ii = s * mr, rows = min_sz(mr, g->M - ii);
                const float *a;
                size_t as;
                if (packed_a) {
                    a = abuf + (s - sb) * strip_floats;
                    as = sa;
                } else if (rows < mr) {
                    a = abuf;
                    as = sa;
                } else {
                    a = g->A + ii * g->lda + k0;
                    as = g->lda;
                }
                float *c = g->C + ii * g->ldc + jj;
                /* Streaming A in place: fetch the next strip (or the first
                 * strip again for the next panel) while this one computes. */
                full.a_next = NULL;
                if (!packed_a && s + 1 < se && (s + 2) * mr <= g->M) {
                    full.a_next = a + mr * g->lda;
                    full.a_next_stride = g->lda;
                }
                /* The next tile: the strip below, or the next panel's first. */
                full.c_next = s + 1 < se  ? c + mr * g->ldc
                              : p + 1 < p1 ? g->C + sb * mr * g->ldc + jj + nr
                                           : NULL;
                if (rows == mr && cols == nr) {
                    cfg->ukernel(kc, a, as, b, c, g->ldc, &full);
                } else if (rows == mr && cfg->ukernel_ntail && cols <= (size_t)cfg->nr_tail) {
                    if (cols == (size_t)cfg->nr_tail) {
                        cfg->ukernel_ntail(kc, a, as, b, c, g->ldc, &full);
                    } else {
                        cfg->ukernel_ntail(kc, a, as, b, tile, nr, &raw);
                        merge_tile(tile, nr, rows, cols, c, g->ldc, &full);
                    }
                } else if (rows < mr && cfg->ukernel_tail) {
                    run_tail_rows(cfg, kc, a, as, b, rows, cols, c, g->ldc, &full, tile);
                } else {
                    cfg->ukernel(kc, a, as, b, tile, nr, &raw);
                    merge_tile(tile, nr, rows, cols, c, g->ldc, &full);
                }
            }
        }
    }
}

static void run_thread(const struct vnn_gemm_args *g, const struct plan *pl, float *scratch,
                       size_t tid, size_t team)
{
    size_t nr = pl->nr;
    size_t n_pad = vnn_round_up(g->N, nr);
    float *bbuf = scratch;
    float *mine = scratch + pl->bblock_floats + tid * pl->per_thread_floats;
    float *abuf = mine, *tile = mine + pl->abuf_floats, *pbuf = tile + pl->tile_floats;

    for (size_t j0 = 0; j0 < g->N; j0 += pl->ncmax) {
        size_t nc = min_sz(pl->ncmax, g->N - j0);
        for (size_t k0 = 0; k0 < g->K; k0 += pl->kcmax) {
            size_t kc = min_sz(pl->kcmax, g->K - k0);
            const float *bblock;
            if (g->b_packed) {
                bblock = g->b_packed + k0 * n_pad + j0 * kc;
            } else if (pl->pack_panel) {
                bblock = NULL; /* compute_block packs each panel */
            } else {
                size_t panels = div_up(nc, nr);
#pragma omp for schedule(static)
                for (size_t p = 0; p < panels; p++) {
                    size_t jj = j0 + p * nr;
                    vnn_gemm_pack_b_panel(g->trans_b, g->B, g->ldb, k0, jj, kc,
                                          min_sz(nr, g->N - jj), nr, bbuf + p * kc * nr);
                } /* implicit barrier: the B block is complete */
                bblock = bbuf;
            }
            for (size_t share = tid; share < pl->nt; share += team)
                compute_block(g, pl, share, j0, nc, k0, kc, bblock, kc * nr, abuf, tile, pbuf);
            if (!g->b_packed && !pl->pack_panel) {
#pragma omp barrier
            }
        }
    }
}

/* GEMMs of a few rows with B read in place by the ISA's rows kernel:
 * column chunks of ROWS_CHUNK (the M x chunk sums stay in L1), split
 * between threads. Bitwise the blocked path's result (vnn_sgemm_packed
 * and vnn_sgemm must agree): K goes in the same kc blocks, each merged
 * into C as that path merges its tile. The row-tail kernel's own epilogue
 * (a full mr_tail x NR tile: beta by FMA, ReLU as max) or merge_tile (any
 * other tile: beta by multiply-add, ReLU as a compare). */
#define ROWS_CHUNK 512

static void rows_merge(const struct vnn_gemm_args *g, const float *acc, size_t stride,
                       size_t j0, size_t cols, int first, int last)
{
    const size_t nr = (size_t)g->cfg->nr, full_cols = g->N / nr * nr;
    const int tail_kernel = g->M == (size_t)g->cfg->mr_tail;
    const float alpha = g->alpha, beta = first ? g->beta : 1.0f;
    for (size_t i = 0; i < g->M; i++) {
        float *c = g->C + i * g->ldc + j0;
        for (size_t j = 0; j < cols; j++) {
            float v = acc[i * stride + j], bias = last && g->bias ? g->bias[j0 + j] : 0.0f;
            if (tail_kernel && j0 + j < full_cols) {
                if (alpha != 1.0f)
                    v *= alpha;
                if (beta == 1.0f)
                    v += c[j];
                else if (beta != 0.0f)
                    v = fmaf(beta, c[j], v);
                if (last && g->bias)
                    v += bias;
                if (last && g->relu)
                    v = v > 0.0f ? v : 0.0f;
            } else {
                v = alpha * v;
                if (beta != 0.0f)
                    v += beta * c[j];
                if (last && g->bias)
                    v += bias;
                if (last && g->relu && v < 0.0f)
                    v = 0.0f;
            }
            c[j] = v;
        }
    }
}

static void rows_chunk(const struct vnn_gemm_args *g, size_t c, float *acc)
{
    const size_t kcmax = (size_t)g->cfg->kc;
    const size_t j0 = c * ROWS_CHUNK, cols = min_sz(ROWS_CHUNK, g->N - j0);
    for (size_t k0 = 0; k0 < g->K; k0 += kcmax) {
        size_t kc = min_sz(kcmax, g->K - k0);
        g->cfg->ukernel_rows(g->M, kc, cols, g->A + k0, g->lda, g->B + k0 * g->ldb + j0,
                             g->ldb, acc);
        rows_merge(g, acc, vnn_round_up(cols, 8), j0, cols, k0 == 0, k0 + kc == g->K);
    }
}

static vnn_status run_rows(const struct vnn_gemm_args *g, size_t nt)
{
    const size_t chunks = div_up(g->N, ROWS_CHUNK), per = g->M * ROWS_CHUNK;
    nt = min_sz(nt, chunks);
    float *scratch = vnn_scratch(nt * per * sizeof(float));
    if (!scratch)
        return VNN_ERR_OUT_OF_MEMORY;
    if (nt <= 1) {
        for (size_t c = 0; c < chunks; c++)
            rows_chunk(g, c, scratch);
        return VNN_OK;
    }
#pragma omp parallel for num_threads((int)nt) schedule(static)
    for (size_t c = 0; c < chunks; c++)
        rows_chunk(g, c, scratch + (size_t)omp_get_thread_num() * per);
    return VNN_OK;
}

vnn_status vnn_gemm_run(const struct vnn_gemm_args *g)
{
    if (g->M == 0 || g->N == 0)
        return VNN_OK;
    if (g->K == 0 || g->alpha == 0.0f) {
        scale_only(g);
        return VNN_OK;
    }
    const struct vnn_gemm_config *cfg = g->cfg;
    struct plan pl = {
        .mr = (size_t)cfg->mr, .nr = (size_t)cfg->nr, .kcmax = (size_t)cfg->kc,
        .mcmax = (size_t)cfg->mc, .ncmax = (size_t)cfg->nc,
    };
    pl.strips = div_up(g->M, pl.mr);
    /* A is read in place (and prefetched a strip ahead) unless it is
     * transposed or its rows are a multiple of 4 KiB apart: then all MR rows
     * map to the same L1 sets and thrash, so copy strips into a buffer. */
    pl.pack_a = g->trans_a == VNN_TRANS || (g->lda * sizeof(float)) % 4096 == 0;
    pl.panels = div_up(min_sz(g->N, pl.ncmax), pl.nr);

    /* Small problems do not pay for waking threads: about 0.5 MFLOP each. */
    double flops = 2.0 * (double)g->M * (double)g->N * (double)g->K;
    size_t nt = g->threads > 0 ? (size_t)g->threads : 1;
    size_t by_work = (size_t)(flops / 5e5) + 1;
    if (nt > by_work)
        nt = by_work;
    if (cfg->ukernel_rows && !g->b_packed && g->trans_a == VNN_NO_TRANS &&
        g->trans_b == VNN_NO_TRANS && g->M <= (size_t)cfg->rows_max)
        return run_rows(g, nt);
    size_t kc = min_sz(pl.kcmax, g->K);
    thread_grid(nt, pl.strips, pl.panels, kc * pl.panels * pl.nr * sizeof(float),
                cfg->l2_bytes ? cfg->l2_bytes : VNN_GEMM_TUNED_L2, &pl.tm, &pl.tn);
    pl.nt = pl.tm * pl.tn;
    pl.pack_panel = !g->b_packed && pl.tm == 1 && pl.strips * pl.mr <= pl.mcmax;

    pl.bblock_floats = g->b_packed || pl.pack_panel ? 0 : vnn_round_up(kc * pl.panels * pl.nr, 16);
    pl.abuf_floats = vnn_round_up(pl.mcmax, pl.mr) * vnn_gemm_a_strip_stride(kc);
    pl.tile_floats = vnn_round_up(pl.mr * pl.nr, 16);
    pl.pbuf_floats = pl.pack_panel ? vnn_round_up(kc * pl.nr, 16) : 0;
    pl.per_thread_floats = vnn_round_up(pl.abuf_floats + pl.tile_floats + pl.pbuf_floats, 16);
    /* Block sizes are bounded by the config, so this cannot overflow. */
    float *scratch = vnn_scratch((pl.bblock_floats + pl.nt * pl.per_thread_floats) *
                                 sizeof(float));
    if (!scratch)
        return VNN_ERR_OUT_OF_MEMORY;

    if (pl.nt == 1) {
        run_thread(g, &pl, scratch, 0, 1);
        return VNN_OK;
    }
#pragma omp parallel num_threads((int)pl.nt)
    run_thread(g, &pl, scratch, (size_t)omp_get_thread_num(), (size_t)omp_get_num_threads());
    return VNN_OK;
}
