/* Flash-style attention driver.
 *
 * Work item = (batch n, key/value head, block of query rows). The rows of a
 * (n, kv head) pair are its Sq x G (query position, query head of the
 * group) pairs, position-major, so under grouped-query attention the G query
 * heads that share a K/V head share every packed K/V block too (a decode
 * step with G = 8 is an 8-row block, not eight 1-row ones). Blocks hold up
 * to bq rows, balanced (512 rows are 2 x 256, not 448 + 64): every packed
 * K/V block then serves as many rows as possible.
 *
 * Per item, one pass over its visible keys in blocks of bk:
 *   pack K^T (D x nr panels) and V (bk x nr panels), then per two row tiles:
 *   S = Q K^T                               (GEMM microkernel)
 *   online softmax: P = 2^(c S - m), l, m, O *= 2^(m_old - m)   (per ISA)
 *   O += P V                                (GEMM microkernel; O = P V, beta 0,
 *                                            on the item's first block)
 * and finally out = O / l (0 where l = 0: nothing visible). Scores are in
 * log2 units (c = scale log2(e)), so the softmax's exp is a 2^x with no
 * reduction by ln 2. The products read Q in place when its rows are
 * evenly spaced (no GQA, or a single kv head) and the scale is positive,
 * which the softmax then applies for free (its subtract of the max becomes
 * a fused multiply-subtract); only a partial last tile goes through a
 * zero-padded strip. Otherwise the rows are copied into the strip times
 * the scale (c = log2(e)). Key blocks past
 * every row's causal/length limit are never touched, nor the row tiles of a
 * block that see none of its keys (a causal square problem does about half
 * the work).
 *
 * Row path: with at most ROW_PATH_ROWS rows per kv head (decode without
 * GQA), an item takes several kv heads and computes S by dot products and
 * O by row updates straight from K and V (the ISA's row kernels, one
 * source: attention-rows.inc), keys outermost so that their
 * [Sk][Hkv][D] rows stream in order; padding such rows to a GEMM tile would
 * waste more than it saves.
 *
 * Threads take items dynamically (causal items differ in cost). When there
 * are fewer items than threads (a decode step on few heads), every item's
 * keys are split among the threads instead; each part keeps its own
 * (m, l, O) in the workspace and a second phase merges them:
 *   M = max m_s, L = sum l_s 2^(m_s - M), out = sum O_s 2^(m_s - M) / L.
 *
 * Workspace: per thread, the Q strip, packed K^T and V blocks, the S tile,
 * the accumulator and per-row state (all bq/bk/D sized, never Sq or Sk),
 * plus the split parts (fewer than threads^2 of them). */
#include "kernels/attention/attention-driver.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "kernels/common/memory.h"
#include "kernels/gemm/gemm-pack.h"
#include "kernels/simd/math-constants.h"

/* Blocks of at most this many rows (a decode step without GQA) skip the
 * GEMM tiles, whose padding to a 4-row tile and K/V packing would cost more
 * than the products: dot products and row updates straight from K and V
 * (memory-bound at that size anyway). */
#define ROW_PATH_ROWS 2

/* Whether the job's items take the row path. */
static int row_path(const struct vnn_attention_job *j)
{
    return j->Sq * (j->Hq / j->Hkv) <= ROW_PATH_ROWS;
}

/* Row tiles taken through S, softmax and P V together. */
#define ROW_CHUNK_TILES 2

/* Rows of a row-path item (several kv heads of a decode step): its S rows
 * share the S tile with the GEMM path's chunks. */
#define ROW_PATH_ITEM_ROWS 64

/* Sizes shared by every thread. */
struct layout {
    size_t bq, bk, mr, nr;
    size_t rows_alloc; /* bq + mr: GEMM tail tiles may run past bq */
    size_t srows;      /* rows of the S tile: a chunk, or a row-path item */
    size_t D, d_pad;   /* head size, rounded up to nr */
    size_t qs, ss, os; /* row strides of the Q strip, S tile, accumulator */
    size_t q_off, k_off, v_off, s_off, o_off, m_off, l_off, valid_off, mask_off;
    size_t lim_off, koff_off, mbase_off;
    size_t per_thread; /* floats */
    size_t part;       /* floats per split part */
};

static size_t div_up(size_t a, size_t b) { return (a + b - 1) / b; }
static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* False on overflow (D is validated to keep every tensor addressable, but
 * the workspace multiplies it by block sizes). */
static int make_layout(const struct vnn_attention_config *cfg,
                       const struct vnn_gemm_config *g, size_t D, struct layout *L)
{
    L->bq = (size_t)cfg->bq, L->bk = (size_t)cfg->bk;
    L->mr = (size_t)g->mr, L->nr = (size_t)g->nr;
    L->rows_alloc = L->bq + L->mr;
    L->srows = ROW_CHUNK_TILES * L->mr > ROW_PATH_ITEM_ROWS ? ROW_CHUNK_TILES * L->mr
                                                            : ROW_PATH_ITEM_ROWS;
    L->D = D;
    if (D > SIZE_MAX / 64)
        return 0;
    L->d_pad = vnn_round_up(D, L->nr);
    L->qs = vnn_gemm_a_strip_stride(D);
    L->ss = L->bk + 16; /* rows not a multiple of 4 KiB apart */
    L->os = vnn_round_up(L->d_pad, 16) + 16;
    size_t sizes[12], total = 0;
    size_t rows = L->rows_alloc;
    int ok = vnn_mul_size(rows, L->qs, &sizes[0]) && vnn_mul_size(L->bk, D, &sizes[1]) &&
             vnn_mul_size(L->bk, L->d_pad, &sizes[2]) &&
             vnn_mul_size(L->srows, L->ss, &sizes[3]) && vnn_mul_size(rows, L->os, &sizes[4]);
    if (!ok)
        return 0;
    sizes[5] = sizes[6] = L->bq;
    sizes[7] = div_up(L->bq * sizeof(size_t), sizeof(float));
    sizes[8] = div_up(L->bq * sizeof(void *), sizeof(float));
    sizes[9] = sizes[10] = sizes[7];
    sizes[11] = sizes[8];
    size_t *offs[12] = {&L->q_off, &L->k_off, &L->v_off, &L->s_off, &L->o_off,
                        &L->m_off, &L->l_off, &L->valid_off, &L->mask_off,
                        &L->lim_off, &L->koff_off, &L->mbase_off};
    for (int i = 0; i < 12; i++) {
        *offs[i] = total;
        if (!vnn_add_size(total, vnn_round_up(sizes[i], 16), &total))
            return 0;
    }
    L->per_thread = total;
    if (!vnn_mul_size(L->bq, L->d_pad + 2, &L->part))
        return 0;
    L->part = vnn_round_up(L->part, 16);
    return 1;
}

size_t vnn_attention_workspace_bytes(const struct vnn_attention_config *cfg,
                                     const struct vnn_gemm_config *gemm, size_t D,
                                     size_t threads)
{
    struct layout L;
    size_t a, b, parts;
    if (threads < 1 || !make_layout(cfg, gemm, D, &L))
        return 0;
    /* Split parts: fewer than `threads` items, `threads` parts each. */
    if (!vnn_mul_size(threads, L.per_thread, &a) ||
        !vnn_mul_size(threads - 1, threads, &parts) || !vnn_mul_size(parts, L.part, &b) ||
        !vnn_add_size(a, b, &a) || !vnn_mul_size(a, sizeof(float), &a) ||
        !vnn_add_size(a, VNN_ALIGN, &a))
        return 0;
    return a;
}

/* One thread's buffers. */
struct ctx {
    float *q, *k, *v, *s, *o, *m, *l;
    size_t *valid;
    const float **mask;
    /* Per row of the item, set once by load_q (no divisions per block):
     * visible keys [0, lim), its K/V head's offset in a key row, and its
     * mask row (NULL without a mask). */
    size_t *lim, *koff;
    const float **mbase;
    /* The item's Q: rows [0, q_first) read in place (row r at qa + r *
     * qa_stride), rows from q_first on in the strip c->q (from its row 0);
     * the softmax's scale c (see the top). */
    const float *qa;
    size_t qa_stride, q_first;
    float softmax_scale;
};

static struct ctx thread_ctx(const struct layout *L, float *ws, size_t t)
{
    float *b = ws + t * L->per_thread;
    return (struct ctx){
        .q = b + L->q_off, .k = b + L->k_off, .v = b + L->v_off, .s = b + L->s_off,
        .o = b + L->o_off, .m = b + L->m_off, .l = b + L->l_off,
        .valid = (size_t *)(void *)(b + L->valid_off),
        .mask = (const float **)(void *)(b + L->mask_off),
        .lim = (size_t *)(void *)(b + L->lim_off),
        .koff = (size_t *)(void *)(b + L->koff_off),
        .mbase = (const float **)(void *)(b + L->mbase_off),
    };
}

/* Rows gemm_rows computes for `rows` rows: whole tiles, the last one in
 * mr_tail steps when the ISA has a tail kernel (at most bq + mr). */
static size_t rows_touched(const struct vnn_gemm_config *g, size_t rows)
{
    const size_t mr = (size_t)g->mr, full = rows / mr * mr, rem = rows - full;
    if (!rem)
        return rows;
    return full + (g->ukernel_tail ? vnn_round_up(rem, (size_t)g->mr_tail) : mr);
}

/* c[rows x panels*nr] = alpha * a[rows x kc] * b + beta * c, b being `panels`
 * packed kc x nr panels `b_step` floats apart. Rows past `rows` (up to the
 * next tile) are computed too: the buffers have room for them. Given the
 * a_rows rows A has (0: do not prefetch), a tile's first call fetches the
 * next tile's A rows, also past `rows` (Q read in place: its rows are far
 * apart, which the hardware prefetchers do not follow). */
static void gemm_rows(const struct vnn_gemm_config *g, size_t rows, size_t kc,
                      const float *a, size_t as, const float *b, size_t panels,
                      size_t b_step, float *c, size_t cs, float alpha, float beta,
                      size_t a_rows)
{
    struct vnn_gemm_ukernel_params prm = {.alpha = alpha, .beta = beta, .a_next_stride = as};
    const size_t mr = (size_t)g->mr, nr = (size_t)g->nr;
    for (size_t r = 0; r < rows; r += mr) {
        size_t rem = rows - r;
        for (size_t p = 0; p < panels; p++) {
            const float *bp = b + p * b_step;
            prm.a_next = p == 0 && r + mr < a_rows ? a + (r + mr) * as : NULL;
            if (rem >= mr || !g->ukernel_tail) {
                g->ukernel(kc, a + r * as, as, bp, c + r * cs + p * nr, cs, &prm);
            } else {
                for (size_t t = 0; t < rem; t += (size_t)g->mr_tail)
                    g->ukernel_tail(kc, a + (r + t) * as, as, bp, c + (r + t) * cs + p * nr,
                                    cs, &prm);
            }
        }
    }
}

/* K^T panel, portable (the ISA's pack_kt when it has one): the GEMM's
 * transposed B packing, K rows being the columns of K^T. */
static void pack_kt(const float *k, size_t ks, size_t D, size_t cols, size_t nr, float *dst)
{
    vnn_gemm_pack_b_panel(VNN_TRANS, k, ks, 0, 0, D, cols, nr, dst);
}

/* Walks the rows of an item starting at kv head hkv: query position i and
 * query head h of each. An item's rows are the Sq x G rows of its kv head,
 * or, on the row path, those of several consecutive kv heads. Stepping
 * costs no division (a row's divisions would cost more than its copy). */
struct row_walk {
    size_t G, i, g, hkv, h;
};

static struct row_walk row_walk_at(const struct vnn_attention_job *j, size_t hkv, size_t r)
{
    size_t G = j->Hq / j->Hkv, R = j->Sq * G;
    struct row_walk w = {.G = G, .hkv = hkv + r / R};
    r %= R;
    w.i = r / G;
    w.g = r % G;
    w.h = w.hkv * G + w.g;
    return w;
}

static void row_walk_next(const struct vnn_attention_job *j, struct row_walk *w)
{
    if (++w->g == w->G) {
        w->g = 0;
        if (++w->i == j->Sq) {
            w->i = 0;
            w->hkv++;
        }
    }
    w->h = w->hkv * w->G + w->g;
}

/* Visible keys of query position i in batch n: [0, limit). */
static size_t key_limit(const struct vnn_attention_job *j, size_t n, size_t i)
{
    size_t lim = j->Sk;
    if (j->key_lengths)
        lim = min_sz(lim, (size_t)j->key_lengths[n]);
    if (j->causal) {
        /* j <= i + Sk - Sq, i.e. j < i + 1 + Sk - Sq (none if that is <= 0) */
        size_t c = i + 1 + j->Sk;
        lim = c <= j->Sq ? 0 : min_sz(lim, c - j->Sq);
    }
    return lim;
}

/* Points the online update at rows [r0, r0 + nrows) of the item, their
 * scores at s (cols keys). */
static void online_rows(struct vnn_attention_online_args *oa, const struct vnn_attention_job *j,
                        const struct ctx *c, const struct layout *L, size_t r0, size_t nrows,
                        float *s, size_t cols)
{
    oa->rows = nrows;
    oa->cols = cols;
    oa->s = s;
    oa->mask = j->mask ? c->mask + r0 : NULL;
    oa->valid = c->valid + r0;
    oa->m = c->m + r0;
    oa->l = c->l + r0;
    oa->o = c->o + r0 * L->os;
}

/* The attention of one item over keys [k0, k1), leaving the unnormalized
 * accumulator in c->o and the row state in c->m, c->l. */
static void run_keys(const struct vnn_attention_job *j, const struct layout *L,
                     const struct ctx *c, size_t n, size_t hkv, size_t rows,
                     size_t k0, size_t k1)
{
    const struct vnn_gemm_config *g = j->gemm;
    const size_t D = L->D, nr = L->nr, kvs = j->Hkv * D;
    const float *kb = j->k + (n * j->Sk * j->Hkv + hkv) * D;
    const float *vb = j->v + (n * j->Sk * j->Hkv + hkv) * D;
    for (size_t r = 0; r < rows; r++) {
        c->m[r] = -INFINITY;
        c->l[r] = 0.0f;
    }
    /* The accumulator is written, not added to, by the first key block's
     * P V products (beta 0); the rows they skip are zeroed then. */
    const size_t o_bytes = L->os * sizeof(float);
    int o_ready = 0;
    struct vnn_attention_online_args oa = {
        .s_stride = L->ss, .o_stride = L->os, .o_cols = L->d_pad,
        .scale = c->softmax_scale,
    };
    for (size_t kb0 = k0; kb0 < k1; kb0 += L->bk) {
        size_t nk = min_sz(L->bk, k1 - kb0), kpanels = div_up(nk, nr);
        /* Rows see keys up to a limit that grows with the row (causal), so
         * the rows that see nothing of this block are a leading run: whole
         * tiles of them skip both products (causal's diagonal blocks). */
        size_t first = rows;
        for (size_t r = 0; r < rows; r++) {
            size_t lim_r = min_sz(c->lim[r], k1);
            c->valid[r] = lim_r > kb0 ? min_sz(lim_r - kb0, nk) : 0;
            first = c->valid[r] && r < first ? r : first;
            if (j->mask)
                c->mask[r] = c->mbase[r] + kb0;
        }
        if (first == rows)
            continue;
        const size_t skip = first / L->mr * L->mr;
        if (row_path(j)) {
            /* Key-major, so K and V rows ([Sk][Hkv][D]) stream in order. */
            online_rows(&oa, j, c, L, skip, rows - skip, c->s + skip * L->ss, nk);
            const size_t base = (n * j->Sk + kb0) * j->Hkv * D;
            if (!o_ready)
                memset(c->o, 0, rows * o_bytes);
            o_ready = 1;
            const struct vnn_attention_rows_args ra = {
                .rows = rows, .keys = nk, .D = D, .q = c->q, .q_stride = L->qs,
                .k = j->k + base, .v = j->v + base, .kv_stride = kvs, .kv_off = c->koff,
                .valid = c->valid, .s = c->s, .s_stride = L->ss,
                .o = c->o, .o_stride = L->os,
            };
            j->cfg->rows_scores(&ra);
            j->cfg->online(&oa);
            j->cfg->rows_accumulate(&ra);
            continue;
        }
        const vnn_attention_pack_kt_fn pack = j->cfg->pack_kt ? j->cfg->pack_kt : pack_kt;
        for (size_t p = 0; p < kpanels; p++)
            pack(kb + (kb0 + p * nr) * kvs, kvs, D, min_sz(nr, nk - p * nr), nr,
                 c->k + p * D * nr);
        size_t vpanels = L->d_pad / nr;
        for (size_t p = 0; p < vpanels; p++)
            vnn_gemm_pack_b_panel(VNN_NO_TRANS, vb, kvs, kb0, p * nr, nk,
                                  min_sz(nr, D - p * nr), nr, c->v + p * L->bk * nr);
        /* A few row tiles at a time through all three steps, so their
         * scores stay in L1 between the products. */
        const size_t chunk = ROW_CHUNK_TILES * L->mr;
        const float beta = o_ready ? 1.0f : 0.0f;
        if (!o_ready)
            memset(c->o, 0, skip * o_bytes);
        for (size_t t = skip; t < rows; t += chunk) {
            size_t nrows = min_sz(chunk, rows - t), ck = 0;
            /* Only the keys some row of the chunk sees (causal: the
             * diagonal block is cut to the chunk's own triangle). */
            for (size_t r = t; r < t + nrows; r++)
                ck = c->valid[r] > ck ? c->valid[r] : ck;
            if (!ck) {
                if (!o_ready) /* with the rows the last tile computes past `rows` */
                    memset(c->o + t * L->os, 0,
                           (min_sz(t + chunk, rows_touched(g, rows)) - t) * o_bytes);
                continue;
            }
            /* S for rows [t, t + nrows): those before q_first in place,
             * the rest from the strip. */
            const size_t split = min_sz(t + nrows, c->q_first > t ? c->q_first : t);
            if (split > t)
                gemm_rows(g, split - t, D, c->qa + t * c->qa_stride, c->qa_stride, c->k,
                          div_up(ck, nr), D * nr, c->s, L->ss, 1.0f, 0.0f, c->q_first - t);
            if (t + nrows > split)
                gemm_rows(g, t + nrows - split, D, c->q + (split - c->q_first) * L->qs, L->qs,
                          c->k, div_up(ck, nr), D * nr, c->s + (split - t) * L->ss, L->ss,
                          1.0f, 0.0f, 0);
            online_rows(&oa, j, c, L, t, nrows, c->s, ck);
            j->cfg->online(&oa);
            gemm_rows(g, nrows, ck, c->s, L->ss, c->v, vpanels, L->bk * nr,
                      c->o + t * L->os, L->os, 1.0f, beta, 0);
        }
        o_ready = 1;
    }
    if (!o_ready) /* no key seen: the output is 0 */
        memset(c->o, 0, rows * o_bytes);
}

/* Chooses how the products read the item's query rows (see the top):
 * in place up to the last whole tile, or all copied times the scale into
 * the zero-padded strip; copies the strip's rows and sets every row's key
 * limit, K/V offset and mask row. */
static void load_q(const struct vnn_attention_job *j, const struct layout *L, struct ctx *c,
                   size_t n, size_t hkv, size_t r0, size_t rows)
{
    const size_t G = j->Hq / j->Hkv;
    const int in_place = (G == 1 || j->Hkv == 1) && j->scale > 0.0f && !row_path(j);
    float factor = j->scale;
    c->q_first = 0;
    c->softmax_scale = VNN_LOG2E;
    if (in_place) {
        c->qa_stride = (G == 1 ? j->Hq : 1) * L->D;
        c->qa = j->q + (n * j->Sq * j->Hq + hkv * G) * L->D + r0 * c->qa_stride;
        c->q_first = rows / L->mr * L->mr;
        c->softmax_scale = j->scale * VNN_LOG2E;
        factor = 1.0f;
    }
    struct row_walk w = row_walk_at(j, hkv, r0);
    for (size_t r = 0; r < rows; r++, row_walk_next(j, &w)) {
        if (r >= c->q_first) {
            const float *restrict src = j->q + ((n * j->Sq + w.i) * j->Hq + w.h) * L->D;
            float *restrict dst = c->q + (r - c->q_first) * L->qs;
            for (size_t d = 0; d < L->D; d++)
                dst[d] = factor * src[d];
        }
        c->lim[r] = key_limit(j, n, w.i);
        c->koff[r] = w.hkv * L->D;
        c->mbase[r] = j->mask ? j->mask + n * j->mask_sn + w.h * j->mask_sh + w.i * j->mask_sq
                              : NULL;
    }
    /* Zeros in the rows the GEMM's last tile reads past the item's. */
    memset(c->q + (rows - c->q_first) * L->qs, 0,
           (rows_touched(j->gemm, rows) - rows) * L->qs * sizeof(float));
}

/* Keys any row of the item may see (after load_q): [0, max limit). */
static size_t item_keys(const struct ctx *c, size_t rows)
{
    size_t hi = 0;
    for (size_t r = 0; r < rows; r++)
        hi = c->lim[r] > hi ? c->lim[r] : hi;
    return hi;
}

static void store_out(const struct vnn_attention_job *j, const struct layout *L, size_t n,
                      size_t hkv, size_t r0, size_t rows, const float *o, size_t os,
                      const float *l)
{
    struct row_walk w = row_walk_at(j, hkv, r0);
    for (size_t r = 0; r < rows; r++, row_walk_next(j, &w)) {
        float *restrict dst = j->out + ((n * j->Sq + w.i) * j->Hq + w.h) * L->D;
        const float *restrict src = o + r * os;
        float inv = l[r] > 0.0f ? 1.0f / l[r] : 0.0f;
        for (size_t d = 0; d < L->D; d++)
            dst[d] = src[d] * inv;
    }
}

struct plan {
    size_t hb;       /* kv heads per item (1 but on the row path) */
    size_t groups;   /* head groups per batch: Hkv / hb rounded up */
    size_t blocks;   /* query blocks per (n, head group) */
    size_t rows_per; /* rows per block: <= bq, a multiple of mr, balanced */
    size_t items, splits;
};

static void item_coords(const struct vnn_attention_job *j, const struct plan *P, size_t it, size_t *n, size_t *hkv, size_t *r0,
                        size_t *rows)
{
    size_t qb = it % P->blocks, nh = it / P->blocks;
    *n = nh / P->groups;
    *hkv = nh % P->groups * P->hb;
    *r0 = qb * P->rows_per;
    *rows = min_sz(P->rows_per, j->Sq * (j->Hq / j->Hkv) * min_sz(P->hb, j->Hkv - *hkv) - *r0);
}

/* Part s of `splits` of [0, keys) in whole key blocks. */
static void split_range(const struct layout *L, size_t keys, size_t s, size_t splits,
                        size_t *k0, size_t *k1)
{
    size_t nb = div_up(keys, L->bk);
    *k0 = min_sz(nb * s / splits * L->bk, keys);
    *k1 = min_sz(nb * (s + 1) / splits * L->bk, keys);
}

static void merge_parts(const struct vnn_attention_job *j, const struct layout *L,
                        const struct plan *P, float *parts, size_t it, float *o, float *l)
{
    size_t n, hkv, r0, rows;
    item_coords(j, P, it, &n, &hkv, &r0, &rows);
    const size_t os = L->d_pad;
    for (size_t r = 0; r < rows; r++) {
        float M = -INFINITY;
        for (size_t s = 0; s < P->splits; s++) {
            const float *pm = parts + (it * P->splits + s) * L->part + L->bq * os;
            M = pm[r] > M ? pm[r] : M;
        }
        float *orow = o + r * os;
        memset(orow, 0, os * sizeof(float));
        l[r] = 0.0f;
        if (M == -INFINITY)
            continue;
        for (size_t s = 0; s < P->splits; s++) {
            const float *part = parts + (it * P->splits + s) * L->part;
            const float *pm = part + L->bq * os, *pl = pm + L->bq;
            if (pm[r] == -INFINITY)
                continue;
            float w = exp2f(pm[r] - M);
            l[r] += pl[r] * w;
            for (size_t d = 0; d < L->D; d++)
                orow[d] += part[r * os + d] * w;
        }
    }
    store_out(j, L, n, hkv, r0, rows, o, os, l);
}

void vnn_attention_execute(const struct vnn_attention_job *j, void *workspace,
                           size_t threads)
{
    struct layout L;
    if (!make_layout(j->cfg, j->gemm, j->D, &L))
        return; /* validated by the caller: cannot happen */
    float *ws = (float *)(((uintptr_t)workspace + VNN_ALIGN - 1) & ~(uintptr_t)(VNN_ALIGN - 1));
    float *parts = ws + threads * L.per_thread;
    struct plan P;
    /* Blocks of equal size (512 rows are 2 x 256, not 448 + 64): the packed
     * K/V blocks serve as many rows as possible, and items cost the same. */
    const size_t R = j->Sq * (j->Hq / j->Hkv);
    P.rows_per = vnn_round_up(div_up(R, div_up(R, L.bq)), L.mr);
    P.blocks = div_up(R, P.rows_per);
    P.hb = 1;
    if (row_path(j)) { /* several heads per item, one block each */
        P.hb = min_sz(j->Hkv, min_sz(L.bq, L.srows) / R);
        P.rows_per = R * P.hb;
        P.blocks = 1;
    }
    P.groups = div_up(j->Hkv, P.hb);
    P.items = j->N * P.groups * P.blocks;
    P.splits = 1;
    if (threads > 1 && P.items < threads)
        P.splits = min_sz(threads, div_up(j->Sk, L.bk));
    const size_t units = P.items * P.splits;
    const int nt = (int)min_sz(threads, units);

#pragma omp parallel num_threads(nt)
    {
        struct ctx c = thread_ctx(&L, ws, (size_t)omp_get_thread_num());
#pragma omp for schedule(dynamic, 1)
        for (size_t u = 0; u < units; u++) {
            size_t it = u / P.splits, s = u % P.splits, n, hkv, r0, rows, k0, k1;
            item_coords(j, &P, it, &n, &hkv, &r0, &rows);
            load_q(j, &L, &c, n, hkv, r0, rows);
            split_range(&L, item_keys(&c, rows), s, P.splits, &k0, &k1);
            run_keys(j, &L, &c, n, hkv, rows, k0, k1);
            if (P.splits == 1) {
                store_out(j, &L, n, hkv, r0, rows, c.o, L.os, c.l);
            } else {
                float *part = parts + u * L.part;
                for (size_t r = 0; r < rows; r++)
                    memcpy(part + r * L.d_pad, c.o + r * L.os, L.d_pad * sizeof(float));
                memcpy(part + L.bq * L.d_pad, c.m, rows * sizeof(float));
                memcpy(part + L.bq * L.d_pad + L.bq, c.l, rows * sizeof(float));
            }
        }
        if (P.splits > 1) {
#pragma omp for schedule(static)
            for (size_t it = 0; it < P.items; it++)
                merge_parts(j, &L, &P, parts, it, c.o, c.l);
        }
    }
}
