/* Internal: the convolution plan and the driver that runs it. conv.c
 * validates the public arguments and fills the plan's sizes; everything
 * here may assume valid sizes whose byte counts fit in a ptrdiff_t. */
#ifndef VNN_CONV_DRIVER_H
#define VNN_CONV_DRIVER_H

#include <stddef.h>

#include "kernels/conv/conv-config.h"
#include "kernels/gemm/gemm-config.h"
#include "vnn/conv.h"

enum vnn_conv_path {
    VNN_CONV_DEPTHWISE, /* groups == C_in == C_out: direct kernel */
    VNN_CONV_GEMM,      /* 1x1, stride 1, no padding: GEMM on the input itself */
    VNN_CONV_IMPLICIT,  /* implicit GEMM: taps read in place, padding skipped */
    VNN_CONV_DIRECT1,   /* one input channel: the ISA's direct row kernel */
};

/* Output columns [ow0, ow1) whose valid kernel columns are [kw_lo, kw_hi). */
struct vnn_conv_segment {
    size_t ow0, ow1, kw_lo, kw_hi;
};

struct vnn_conv2d_plan {
    vnn_conv2d_desc desc;
    /* The descriptor as sizes, and what follows from it. */
    size_t N, H, W, C_in, C_out, KH, KW, sh, sw, dh, dw, pt, pl, G;
    size_t OH, OW;
    size_t cin_g, cout_g; /* channels per group */
    size_t K;             /* GEMM depth per group: KH * KW * cin_g */
    size_t M;             /* output pixels: N * OH * OW */
    int relu;
    enum vnn_conv_path path;

    /* Kernels chosen at creation (copies: vnn_set_isa() does not move them). */
    struct vnn_gemm_config gemm;
    struct vnn_conv_config conv;

    float *weights; /* packed for the path (below) */
    float *bias;    /* packed for the path, or NULL (no bias) */

    /* GEMM: group g, columns [j0, j0 + chunk_cols) of its C_out / G
     * outputs, is one prepacked B (vnn_gemm_prepack_b) of K x cols at
     * weights + g * group_floats + (j0 / chunk_cols) * chunk_floats; the
     * column chunks let threads split the output channels. bias: C_out.
     * A (the input) goes in blocks of block_rows pixels. */
    size_t chunk_cols, n_chunks, chunk_floats, group_floats;
    size_t block_rows;

    /* Depthwise and single input channel: weights [KH][KW][cstride], bias
     * [cstride] (zeros if none). */
    size_t cstride;
    /* Single input channel, padded: each thread copies an output row's KH
     * input rows into a zero-bordered strip of KH x padded_w floats. */
    size_t padded_w;
    size_t ow_lo, ow_hi; /* output columns whose taps are all inside */

    /* Implicit GEMM: block j = g * ncb + cb holds output channels
     * g * cout_g + cb * nr + [0, nr) as K x nr floats (zero-padded) at
     * weights + j * K * nr; bias is G * ncb * nr floats. */
    struct vnn_conv_family fam;
    size_t nr, ncb;
    int run_taps; /* one tap per kernel row (KW * C_in contiguous floats) */
    struct vnn_conv_segment *segs;
    size_t n_segs;
    /* Segments per kernel column (they overlap in ow) instead of a
     * partition of ow: a small image's border pixels then share tiles with
     * the rest instead of running as 1-pixel tiles. Every pass then
     * accumulates into y, which starts as the bias; ReLU comes last. */
    int kw_split;
    size_t *khg; /* kernel-row groups: [khg[i], khg[i + 1]), n_khg of them */
    size_t n_khg;
    size_t max_taps; /* taps of one tile at most */
    /* Output rows oh in [int_lo, int_hi) see every kernel row (runs skip
     * over them in one step); empty if none do. */
    size_t int_lo, int_hi;
    int blocks_inner; /* all column blocks' weights fit L2: loop them per tile */

    size_t ws_per_thread; /* implicit, padded direct1: bytes per thread (else 0) */
};

/* Valid kernel positions [lo, hi) of output position o along one
 * dimension (hi == lo: none): o * stride - pad + k * dil inside [0, in). */
static inline void vnn_conv_valid_taps(size_t o, size_t stride, size_t pad, size_t dil,
                                       size_t in, size_t k, size_t *lo, size_t *hi)
{
    ptrdiff_t i0 = (ptrdiff_t)(o * stride) - (ptrdiff_t)pad, d = (ptrdiff_t)dil;
    *lo = i0 < 0 ? (size_t)((-i0 + d - 1) / d) : 0;
    *hi = (ptrdiff_t)in - 1 - i0 < 0 ? 0 : (size_t)(((ptrdiff_t)in - 1 - i0) / d) + 1;
    if (*hi > k)
        *hi = k;
    if (*hi < *lo)
        *hi = *lo;
}

/* A user workspace is aligned to this before it is cut into slices. */
#define VNN_CONV_WS_ALIGN 64

/* Fill the derived fields of a plan whose desc and sizes are set, choose
 * the path and pack the weights (HWIO) and bias into buffers it allocates.
 * VNN_OK or VNN_ERR_OUT_OF_MEMORY (then nothing is left allocated). */
vnn_status vnn_conv_plan_build(struct vnn_conv2d_plan *p, const float *weights_hwio,
                               const float *bias);
void vnn_conv_plan_free(struct vnn_conv2d_plan *p);

/* Run a built plan. workspace is NULL (vnn_scratch) or aligned to
 * VNN_CONV_WS_ALIGN and holds `slices` slices of p->ws_per_thread bytes. */
vnn_status vnn_conv_plan_execute(const struct vnn_conv2d_plan *p, const float *x, float *y,
                                 void *workspace, size_t slices);

/* The implicit-GEMM path (conv-implicit.c), on nt threads; ws holds nt
 * slices. */
void vnn_conv_run_implicit(const struct vnn_conv2d_plan *p, const float *x, float *y,
                           char *ws, size_t nt);

/* Implicit GEMM: the end of the run of output rows (r = n * OH + oh) that
 * starts at r and has the same valid kernel rows [lo, hi), at most r1. */
size_t vnn_conv_run_end(const struct vnn_conv2d_plan *p, size_t r, size_t r1, size_t *lo,
                        size_t *hi);

/* Implicit GEMM: where tile i of a pixel set of `total` pixels, cut into
 * tiles = ceil(total / mr), ends: full MR tiles, the last two sharing what
 * is left evenly (30 pixels: 7, 7, 7, 5, 4, not 7, 7, 7, 7, 2; a small
 * tile is bound by reading the weights, not by FMAs). The driver cuts by
 * it and the plan's cost estimate counts by it. */
static inline size_t vnn_conv_tile_end(size_t i, size_t tiles, size_t total, size_t mr)
{
    if (i + 2 < tiles)
        return (i + 1) * mr;
    if (i + 2 == tiles)
        return i * mr + (total - i * mr + 1) / 2;
    return total;
}

/* Implicit-GEMM workspace slice: taps, then tile row offsets, then a
 * partial-column tile. */
static inline size_t vnn_conv_taps_bytes(const struct vnn_conv2d_plan *p)
{
    return (p->max_taps * sizeof(struct vnn_conv_tap) + 63) / 64 * 64;
}
static inline size_t vnn_conv_rows_bytes(const struct vnn_conv2d_plan *p)
{
    return ((size_t)p->fam.mr_max * (sizeof(ptrdiff_t) + 2 * sizeof(size_t)) + 63) / 64 * 64;
}

/* Work imbalance (max share / mean share, >= 1) of splitting `units` equal
 * units between nt threads. */
static inline double vnn_conv_imbalance(size_t units, size_t nt)
{
    return (double)((units + nt - 1) / nt) * (double)nt / (double)units;
}

/* The 1x1 GEMM path's rows of A per block, for the plan's M. */
size_t vnn_conv_gemm_block_rows(const struct vnn_conv2d_plan *p);

#endif
