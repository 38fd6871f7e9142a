/* Building a plan: choose the path and transform the weights once.
 *
 *   depthwise  groups == C_in == C_out: the direct per-ISA kernel.
 *   GEMM       1x1, stride 1, unpadded: the GEMM straight on the input.
 *   direct1    one input channel (AVX2): a direct row kernel, C_out wide.
 *   implicit   everything else: im2col fused into the microkernel. A tap
 *              (one kernel row of KW * C_in contiguous floats, or one kernel
 *              position of a group's channels) is read in place, padded taps
 *              are skipped, and all taps accumulate in registers. Measured
 *              against im2col + GEMM it is faster on every shape tried
 *              (1.05-1.1x on unpadded ResNet layers, 2-3x with C_in 1-3,
 *              grouped or dilated), and the GEMM cannot skip padding. */
#include <stdlib.h>
#include <string.h>

#include "kernels/common/memory.h"
#include "kernels/conv/conv-driver.h"
#include "kernels/gemm/gemm-driver.h"
#include "kernels/gemm/gemm-pack.h"

/* Per-core L2 the plan blocks for (dispatch/cache.h; 1 MiB if unset). */
static size_t l2_of(const struct vnn_conv2d_plan *p)
{
    return p->conv.l2_bytes ? p->conv.l2_bytes : (size_t)1 << 20;
}
/* GEMM path: a block of A rows (pixels x C_in floats) stays in L2 while
 * each column chunk of the weights passes: half of L2. */
#define GEMM_BLOCK_BYTES (l2_of(p) / 2)
/* GEMM path: output channels per column chunk, in GEMM panels. */
#define CHUNK_PANELS 4
/* Implicit GEMM: kernel rows are grouped so a group's weights of one
 * column block stay in L2 (5/8 of it) while every output row streams past. */
#define TAP_GROUP_BYTES (l2_of(p) * 5 / 8)

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }
static size_t div_up(size_t a, size_t b) { return (a + b - 1) / b; }

void vnn_conv_plan_free(struct vnn_conv2d_plan *p)
{
    vnn_aligned_free(p->weights);
    vnn_aligned_free(p->bias);
    free(p->segs);
    free(p->khg);
    p->weights = p->bias = NULL;
    p->segs = NULL;
    p->khg = NULL;
}

/* ------------------------------------------------- depthwise, direct1 */

/* Weights of C channels per tap (HWIO with one input channel per output, as
 * both paths have) to [taps][cs], bias to [cs]; zero-padded, zero bias if
 * none. */
static vnn_status build_per_tap(struct vnn_conv2d_plan *p, size_t C, size_t ctile,
                                const float *w, const float *bias)
{
    const size_t taps = p->KH * p->KW;
    size_t cs = vnn_round_up(C, ctile), floats, bytes;
    if (!vnn_mul_size(taps, cs, &floats) || !vnn_mul_size(floats, sizeof(float), &bytes))
        return VNN_ERR_OUT_OF_MEMORY;
    p->cstride = cs;
    p->weights = vnn_aligned_alloc(bytes);
    p->bias = vnn_aligned_alloc(cs * sizeof(float));
    if (!p->weights || !p->bias)
        return VNN_ERR_OUT_OF_MEMORY;
    /* taps rows of C floats to a stride of cs, zero-filled: a B panel. */
    vnn_gemm_pack_b_panel(VNN_NO_TRANS, w, C, 0, 0, taps, C, cs, p->weights);
    if (bias)
        vnn_gemm_pack_b_panel(VNN_NO_TRANS, bias, C, 0, 0, 1, C, cs, p->bias);
    else
        memset(p->bias, 0, cs * sizeof(float));
    return VNN_OK;
}

static vnn_status build_depthwise(struct vnn_conv2d_plan *p, const float *w, const float *bias)
{
    vnn_status st = build_per_tap(p, p->C_in, (size_t)p->conv.dw_ctile, w, bias);
    if (st != VNN_OK)
        return st;
    /* Output columns [ow_lo, ow_hi) read only inside the input row. */
    size_t reach = (p->KW - 1) * p->dw;
    p->ow_lo = min_sz(div_up(p->pl, p->sw), p->OW);
    p->ow_hi = p->W - 1 + p->pl >= reach ? min_sz((p->W - 1 + p->pl - reach) / p->sw + 1, p->OW)
                                         : 0;
    p->ow_hi = max_sz(p->ow_hi, p->ow_lo);
    return VNN_OK;
}

/* ------------------------------------------------------------------ GEMM */

static vnn_status build_gemm(struct vnn_conv2d_plan *p, const float *w, const float *bias)
{
    const size_t nr = (size_t)p->gemm.nr;
    p->chunk_cols = min_sz(vnn_round_up(p->cout_g, nr), CHUNK_PANELS * nr);
    p->n_chunks = div_up(p->cout_g, p->chunk_cols);
    size_t last_cols = p->cout_g - (p->n_chunks - 1) * p->chunk_cols, last_floats, bytes;
    if (!vnn_gemm_prepacked_size(&p->gemm, p->K, p->chunk_cols, &p->chunk_floats) ||
        !vnn_gemm_prepacked_size(&p->gemm, p->K, last_cols, &last_floats) ||
        !vnn_mul_size(p->n_chunks - 1, p->chunk_floats, &p->group_floats) ||
        !vnn_add_size(p->group_floats, last_floats, &p->group_floats) ||
        !vnn_mul_size(p->group_floats, p->G, &bytes) ||
        !vnn_mul_size(bytes, sizeof(float), &bytes))
        return VNN_ERR_OUT_OF_MEMORY;
    p->weights = vnn_aligned_alloc(bytes);
    if (!p->weights)
        return VNN_ERR_OUT_OF_MEMORY;
    if (bias) {
        p->bias = vnn_aligned_alloc(p->C_out * sizeof(float));
        if (!p->bias)
            return VNN_ERR_OUT_OF_MEMORY;
        memcpy(p->bias, bias, p->C_out * sizeof(float));
    }
    /* 1x1 weights (HWIO) are a C_in / G x C_out matrix per group; group g
     * owns its columns. */
    for (size_t g = 0; g < p->G; g++)
        for (size_t c = 0; c < p->n_chunks; c++) {
            size_t j0 = c * p->chunk_cols, cols = min_sz(p->chunk_cols, p->cout_g - j0);
            vnn_gemm_prepack_b(&p->gemm, VNN_NO_TRANS, p->K, cols, w + g * p->cout_g + j0,
                               p->C_out, p->weights + g * p->group_floats + c * p->chunk_floats);
        }
    p->block_rows = vnn_conv_gemm_block_rows(p);
    return VNN_OK;
}

size_t vnn_conv_gemm_block_rows(const struct vnn_conv2d_plan *p)
{
    /* Rows of A (the input, C_in floats each) per block: whole strips. */
    const size_t mr = (size_t)p->gemm.mr;
    size_t rows = GEMM_BLOCK_BYTES / (p->C_in * sizeof(float)) / mr * mr;
    return min_sz(max_sz(rows, mr), vnn_round_up(p->M, mr));
}

/* ------------------------------------------------------------- implicit */

/* The widest tile family that wastes at most 1/8 of its columns on
 * padding, else the narrowest. */
static const struct vnn_conv_family *pick_family(const struct vnn_conv_config *c, size_t cols)
{
    for (int i = 0; i < c->n_families; i++) {
        size_t nr = (size_t)c->families[i].nr;
        if ((vnn_round_up(cols, nr) - cols) * 8 <= cols)
            return &c->families[i];
    }
    return &c->families[c->n_families - 1];
}

/* Valid kernel columns [lo, hi) of output column ow (hi <= lo: none). */
static void kw_range(const struct vnn_conv2d_plan *p, size_t ow, size_t *lo, size_t *hi)
{
    vnn_conv_valid_taps(ow, p->sw, p->pl, p->dw, p->W, p->KW, lo, hi);
}

/* Runs of output columns with the same valid kernel columns. */
static size_t segments_partition(const struct vnn_conv2d_plan *p, struct vnn_conv_segment *segs)
{
    size_t n = 0;
    for (size_t ow = 0; ow < p->OW; ow++) {
        size_t lo, hi;
        kw_range(p, ow, &lo, &hi);
        if (n > 0 && segs[n - 1].kw_lo == lo && segs[n - 1].kw_hi == hi) {
            segs[n - 1].ow1 = ow + 1;
            continue;
        }
        segs[n++] = (struct vnn_conv_segment){ow, ow + 1, lo, hi};
    }
    return n;
}

/* For each kernel column, the output columns (an interval) where it is
 * valid; consecutive kernel columns with the same interval merged. */
static size_t segments_by_kw(const struct vnn_conv2d_plan *p, struct vnn_conv_segment *segs)
{
    size_t n = 0;
    for (size_t kw = 0; kw < p->KW; kw++) {
        size_t ow0 = SIZE_MAX, ow1 = 0;
        for (size_t ow = 0; ow < p->OW; ow++) {
            size_t lo, hi;
            kw_range(p, ow, &lo, &hi);
            if (lo <= kw && kw < hi) {
                ow0 = min_sz(ow0, ow);
                ow1 = ow + 1;
            }
        }
        if (ow0 == SIZE_MAX)
            continue;
        if (n > 0 && segs[n - 1].ow0 == ow0 && segs[n - 1].ow1 == ow1 && segs[n - 1].kw_hi == kw)
            segs[n - 1].kw_hi = kw + 1;
        else
            segs[n++] = (struct vnn_conv_segment){ow0, ow1, kw, kw + 1};
    }
    return n;
}

/* Estimated time of the implicit GEMM over these segments, in k steps
 * times tile rows: a tile of r pixels over depth K costs about
 * (K + TILE_OVERHEAD_K) * max(r, 2/3 MR), as a tile of fewer rows is bound
 * by reading its weights from L2 rather than by its FMAs. Tiles are cut as
 * the driver cuts them (vnn_conv_tile_end). */
#define TILE_OVERHEAD_K 8
static double implicit_cost(const struct vnn_conv2d_plan *p,
                            const struct vnn_conv_segment *segs, size_t n_segs)
{
    const size_t mr = (size_t)p->fam.mr_max, min_rows = (2 * mr + 2) / 3;
    double cost = 0.0;
    for (size_t r = 0, re; r < p->N * p->OH; r = re) {
        size_t lo, hi;
        re = vnn_conv_run_end(p, r, p->N * p->OH, &lo, &hi);
        for (size_t i = 0; i < n_segs && hi > lo; i++) {
            size_t px = (re - r) * (segs[i].ow1 - segs[i].ow0);
            size_t k = (hi - lo) * (segs[i].kw_hi - segs[i].kw_lo) * p->cin_g;
            if (k == 0)
                continue;
            size_t tiles = div_up(px, mr), rows = 0;
            for (size_t t = 0, t0 = 0, t1; t < tiles; t++, t0 = t1) {
                t1 = vnn_conv_tile_end(t, tiles, px, mr);
                rows += max_sz(t1 - t0, min_rows);
            }
            cost += (double)(k + TILE_OVERHEAD_K) * (double)rows;
        }
    }
    return cost;
}

static vnn_status build_implicit(struct vnn_conv2d_plan *p, const float *w, const float *bias)
{
    /* The interior output rows: a contiguous range, as valid kernel rows
     * only shrink towards the borders. */
    p->int_lo = p->int_hi = 0;
    for (size_t oh = 0; oh < p->OH; oh++) {
        size_t lo, hi;
        vnn_conv_valid_taps(oh, p->sh, p->pt, p->dh, p->H, p->KH, &lo, &hi);
        if (lo == 0 && hi == p->KH) {
            if (p->int_hi == 0)
                p->int_lo = oh;
            p->int_hi = oh + 1;
        }
    }
    const struct vnn_conv_family *f = pick_family(&p->conv, p->cout_g);
    p->fam = *f;
    p->nr = (size_t)f->nr;
    p->ncb = div_up(p->cout_g, p->nr);
    p->run_taps = p->G == 1 && p->dw == 1;
    size_t blocks = p->G * p->ncb, floats, bytes;
    if (!vnn_mul_size(blocks, p->nr, &floats) || !vnn_mul_size(floats, p->K, &floats) ||
        !vnn_mul_size(floats, sizeof(float), &bytes))
        return VNN_ERR_OUT_OF_MEMORY;
    p->weights = vnn_aligned_alloc(bytes);
    if (!p->weights)
        return VNN_ERR_OUT_OF_MEMORY;
    for (size_t j = 0; j < blocks; j++) {
        size_t g = j / p->ncb, c0 = j % p->ncb * p->nr, cols = min_sz(p->nr, p->cout_g - c0);
        vnn_gemm_pack_b_panel(VNN_NO_TRANS, w, p->C_out, 0, g * p->cout_g + c0, p->K, cols,
                              p->nr, p->weights + j * p->K * p->nr);
    }
    if (bias) {
        p->bias = vnn_aligned_alloc(blocks * p->nr * sizeof(float));
        if (!p->bias)
            return VNN_ERR_OUT_OF_MEMORY;
        for (size_t j = 0; j < blocks; j++) {
            size_t g = j / p->ncb, c0 = j % p->ncb * p->nr, cols = min_sz(p->nr, p->cout_g - c0);
            vnn_gemm_pack_b_panel(VNN_NO_TRANS, bias, p->cout_g, 0, g * p->cout_g + c0, 1,
                                  cols, p->nr, p->bias + j * p->nr);
        }
    }

    /* Segments of output columns: a partition, or per kernel column if
     * that is clearly cheaper. */
    struct vnn_conv_segment *by_kw = malloc(p->KW * sizeof *by_kw);
    p->segs = malloc(max_sz(p->OW, p->KW) * sizeof *p->segs);
    if (!p->segs || !by_kw) {
        free(by_kw);
        return VNN_ERR_OUT_OF_MEMORY;
    }
    p->n_segs = segments_partition(p, p->segs);
    size_t n_kw = segments_by_kw(p, by_kw);
    p->kw_split = implicit_cost(p, by_kw, n_kw) < 0.97 * implicit_cost(p, p->segs, p->n_segs);
    if (p->kw_split) {
        memcpy(p->segs, by_kw, n_kw * sizeof *by_kw);
        p->n_segs = n_kw;
    }
    free(by_kw);

    /* Kernel-row groups whose weights (per column block) fit the budget;
     * if all blocks fit together, one group and blocks innermost. */
    size_t row_bytes = p->KW * p->cin_g * p->nr * sizeof(float);
    size_t per = max_sz(1, TAP_GROUP_BYTES / row_bytes);
    p->blocks_inner = (double)row_bytes * (double)(p->KH * blocks) <= TAP_GROUP_BYTES;
    p->n_khg = div_up(p->KH, per);
    p->khg = malloc((p->n_khg + 1) * sizeof *p->khg);
    if (!p->khg)
        return VNN_ERR_OUT_OF_MEMORY;
    for (size_t i = 0; i <= p->n_khg; i++)
        p->khg[i] = i * p->KH / p->n_khg;

    size_t most_rows = div_up(p->KH, p->n_khg) + 1;
    p->max_taps = p->run_taps ? most_rows : most_rows * p->KW;
    p->ws_per_thread = vnn_conv_taps_bytes(p) + vnn_conv_rows_bytes(p) +
                       vnn_round_up((size_t)f->mr_max * p->nr * sizeof(float), 64);
    return VNN_OK;
}

/* Single input channel: the ISA's row kernel reads KH input rows, padded
 * into a per-thread strip when the convolution pads (ws_per_thread). */
static vnn_status build_direct1(struct vnn_conv2d_plan *p, const float *w, const float *bias)
{
    vnn_status st = build_per_tap(p, p->C_out, 8, w, bias);
    if (st != VNN_OK)
        return st;
    p->padded_w = p->W + p->pl + (size_t)p->desc.pad_right;
    int padded = p->pt || p->pl || p->desc.pad_bottom || p->desc.pad_right;
    p->ws_per_thread = padded ? vnn_round_up(p->KH * p->padded_w * sizeof(float), 64) : 0;
    return VNN_OK;
}

/* The direct single-channel path where the ISA has one and the output has
 * at least 32 channels (two 16-channel tiles; narrower outputs fill its
 * tiles poorly and were not measured). */
static int use_direct1(const struct vnn_conv2d_plan *p)
{
    return p->conv.c1_ukernel && p->C_in == 1 && p->G == 1 && p->dh == 1 && p->dw == 1 &&
           p->C_out >= 32;
}

vnn_status vnn_conv_plan_build(struct vnn_conv2d_plan *p, const float *weights_hwio,
                               const float *bias)
{
    p->cin_g = p->C_in / p->G;
    p->cout_g = p->C_out / p->G;
    p->K = p->KH * p->KW * p->cin_g;
    p->M = p->N * p->OH * p->OW;
    p->relu = p->desc.act == VNN_ACT_RELU;
    if (p->G == p->C_in && p->C_out == p->C_in)
        p->path = VNN_CONV_DEPTHWISE;
    else if (p->KH == 1 && p->KW == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 &&
             p->pl == 0 && p->desc.pad_bottom == 0 && p->desc.pad_right == 0)
        p->path = VNN_CONV_GEMM;
    else if (use_direct1(p))
        p->path = VNN_CONV_DIRECT1;
    else
        p->path = VNN_CONV_IMPLICIT;
    vnn_status st;
    switch (p->path) {
    case VNN_CONV_DEPTHWISE: st = build_depthwise(p, weights_hwio, bias); break;
    case VNN_CONV_IMPLICIT: st = build_implicit(p, weights_hwio, bias); break;
    case VNN_CONV_DIRECT1: st = build_direct1(p, weights_hwio, bias); break;
    default: st = build_gemm(p, weights_hwio, bias); break;
    }
    if (st != VNN_OK)
        vnn_conv_plan_free(p);
    return st;
}
