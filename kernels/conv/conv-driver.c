/* Running a plan on threads (building it is conv-plan.c; the implicit-GEMM
 * path is conv-implicit.c).
 *
 * Depthwise and single input channel (direct1): threads take output rows;
 * the per-ISA kernel does one row.
 *
 * 1x1 stride-1 unpadded: C (N*OH*OW pixels x C_out) = A (the input itself,
 * pixels x C_in, lda = C_in) * B (C_in x C_out) per group, on the GEMM. Rows
 * go in blocks of whole GEMM strips sized so a block of A stays in L2; each
 * block is one single-threaded GEMM per (group, column chunk) with the
 * prepacked weights as B and bias + ReLU in its epilogue. Threads take
 * contiguous ranges of row strips or, when there are too few strips to
 * share evenly, the column chunks of each block.
 *
 * Every output element is the same ordered sum computed by the same kernels
 * on any thread count, so results do not depend on it. */
#include "kernels/conv/conv-driver.h"

#include <omp.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/common/memory.h"
#include "kernels/gemm/gemm-driver.h"

/* Below this many flops per thread, waking another thread does not pay. */
#define FLOPS_PER_THREAD 5e5

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }
static size_t div_up(size_t a, size_t b) { return (a + b - 1) / b; }

/* ------------------------------------------------------------ depthwise */

static void dw_row(const struct vnn_conv2d_plan *p, const struct vnn_dwconv_row *base,
                   const float *x, float *y, size_t r)
{
    struct vnn_dwconv_row row = *base;
    size_t n = r / p->OH, oh = r % p->OH;
    ptrdiff_t ih0 = (ptrdiff_t)(oh * p->sh) - (ptrdiff_t)p->pt;
    size_t lo, hi; /* kernel rows that land inside the image */
    vnn_conv_valid_taps(oh, p->sh, p->pt, p->dh, p->H, p->KH, &lo, &hi);
    row.taps_h = hi - lo;
    row.in = x;
    if (row.taps_h)
        row.in = x + ((n * p->H + (size_t)(ih0 + (ptrdiff_t)(lo * p->dh))) * p->W) * p->C_in;
    row.w = p->weights + lo * p->KW * p->cstride;
    row.out = y + r * p->OW * p->C_out;
    p->conv.dw_ukernel(&row);
}

static vnn_status run_depthwise(const struct vnn_conv2d_plan *p, const float *x, float *y,
                                size_t nt)
{
    const struct vnn_dwconv_row base = {
        .channels = p->C_in, .cstride = p->cstride, .out_w = p->OW, .ow_lo = p->ow_lo,
        .ow_hi = p->ow_hi, .in_w = p->W, .kw_n = p->KW, .stride_w = p->sw,
        .dilation_w = p->dw, .pad_left = p->pl, .in_row_stride = p->dh * p->W * p->C_in,
        .bias = p->bias, .relu = p->relu,
    };
    size_t rows = p->N * p->OH;
    nt = min_sz(nt, rows);
    if (nt <= 1) {
        for (size_t r = 0; r < rows; r++)
            dw_row(p, &base, x, y, r);
        return VNN_OK;
    }
#pragma omp parallel for num_threads((int)nt) schedule(static)
    for (size_t r = 0; r < rows; r++)
        dw_row(p, &base, x, y, r);
    return VNN_OK;
}

/* -------------------------------------------------------------- direct1 */

/* Output row r; strip: this thread's KH x padded_w floats, or NULL when
 * the convolution does not pad (the kernel reads x in place). */
static void c1_row(const struct vnn_conv2d_plan *p, const struct vnn_conv1c_row *base,
                   const float *x, float *y, size_t r, float *strip)
{
    struct vnn_conv1c_row row = *base;
    size_t n = r / p->OH, oh = r % p->OH;
    ptrdiff_t ih0 = (ptrdiff_t)(oh * p->sh) - (ptrdiff_t)p->pt;
    const float *img = x + n * p->H * p->W;
    if (!strip) {
        row.in = img + (size_t)ih0 * p->W;
        row.in_row_stride = p->W;
    } else {
        const size_t wp = p->padded_w;
        for (size_t kh = 0; kh < p->KH; kh++) {
            float *s = strip + kh * wp;
            ptrdiff_t ih = ih0 + (ptrdiff_t)kh;
            memset(s, 0, wp * sizeof(float));
            if (ih >= 0 && ih < (ptrdiff_t)p->H)
                memcpy(s + p->pl, img + (size_t)ih * p->W, p->W * sizeof(float));
        }
        row.in = strip;
        row.in_row_stride = wp;
    }
    row.out = y + r * p->OW * p->C_out;
    p->conv.c1_ukernel(&row);
}

static void run_direct1(const struct vnn_conv2d_plan *p, const float *x, float *y, char *ws,
                        size_t nt)
{
    const struct vnn_conv1c_row base = {
        .kh_n = p->KH, .kw_n = p->KW, .stride_w = p->sw, .out_w = p->OW,
        .channels = p->C_out, .cstride = p->cstride, .w = p->weights, .bias = p->bias,
        .relu = p->relu,
    };
    const size_t rows = p->N * p->OH;
    nt = min_sz(nt, rows);
    if (nt <= 1) {
        for (size_t r = 0; r < rows; r++)
            c1_row(p, &base, x, y, r, p->ws_per_thread ? (float *)ws : NULL);
        return;
    }
#pragma omp parallel num_threads((int)nt)
    {
        size_t t = (size_t)omp_get_thread_num(), team = (size_t)omp_get_num_threads();
        float *strip = p->ws_per_thread ? (float *)(ws + t * p->ws_per_thread) : NULL;
        for (size_t r = t * rows / team; r < (t + 1) * rows / team; r++)
            c1_row(p, &base, x, y, r, strip);
    }
}

/* ------------------------------------------------------------------ GEMM */

/* Output rows [m0, m0 + rows), group g, column chunk c. */
static vnn_status gemm_chunk(const struct vnn_conv2d_plan *p, const float *x, size_t m0,
                             size_t rows, size_t g, size_t c, float *y)
{
    size_t j0 = c * p->chunk_cols, col0 = g * p->cout_g + j0;
    struct vnn_gemm_args ga = {
        .cfg = &p->gemm, .M = rows, .N = min_sz(p->chunk_cols, p->cout_g - j0), .K = p->K,
        .alpha = 1.0f, .beta = 0.0f, .trans_a = VNN_NO_TRANS,
        .A = x + m0 * p->C_in + g * p->cin_g, .lda = p->C_in, .trans_b = VNN_NO_TRANS,
        .b_packed = p->weights + g * p->group_floats + c * p->chunk_floats,
        .C = y + m0 * p->C_out + col0, .ldc = p->C_out,
        .bias = p->bias ? p->bias + col0 : NULL, .relu = p->relu, .threads = 1,
    };
    return vnn_gemm_run(&ga);
}

/* Output pixels [m0, m1) in row blocks x (group, chunk) items [i0, i1),
 * blocks outermost so a block of A stays in L2 while every item uses it. */
static vnn_status gemm_range(const struct vnn_conv2d_plan *p, const float *x, float *y,
                             size_t m0, size_t m1, size_t i0, size_t i1)
{
    for (size_t b = m0; b < m1; b += p->block_rows) {
        size_t rows = min_sz(p->block_rows, m1 - b);
        for (size_t i = i0; i < i1; i++) {
            vnn_status st = gemm_chunk(p, x, b, rows, i / p->n_chunks, i % p->n_chunks, y);
            if (st != VNN_OK)
                return st;
        }
    }
    return VNN_OK;
}

static vnn_status run_gemm(const struct vnn_conv2d_plan *p, const float *x, float *y,
                           size_t nt)
{
    const size_t mr = (size_t)p->gemm.mr, strips = div_up(p->M, mr);
    const size_t items = p->G * p->n_chunks;
    /* Split rows (in whole strips) unless the column chunks share better. */
    int by_items = nt > 1 && items >= nt &&
                   vnn_conv_imbalance(items, nt) < 0.95 * vnn_conv_imbalance(strips, nt);
    if (!by_items)
        nt = min_sz(nt, strips);
    if (nt <= 1)
        return gemm_range(p, x, y, 0, p->M, 0, items);
    vnn_status status = VNN_OK;
#pragma omp parallel num_threads((int)nt)
    {
        size_t t = (size_t)omp_get_thread_num(), team = (size_t)omp_get_num_threads();
        vnn_status st;
        if (by_items)
            st = gemm_range(p, x, y, 0, p->M, t * items / team, (t + 1) * items / team);
        else
            st = gemm_range(p, x, y, min_sz(t * strips / team * mr, p->M),
                            min_sz((t + 1) * strips / team * mr, p->M), 0, items);
        if (st != VNN_OK) {
#pragma omp atomic write
            status = st;
        }
    }
    return status;
}

/* ------------------------------------------------------------------ run */

/* Threads that can work at once on this plan. */
static size_t useful_threads(const struct vnn_conv2d_plan *p, size_t nt)
{
    double flops = 2.0 * (double)p->M * (double)p->C_out * (double)p->K;
    size_t by_work = (size_t)(flops / FLOPS_PER_THREAD) + 1;
    nt = max_sz(1, min_sz(nt, by_work));
    if (p->path == VNN_CONV_IMPLICIT)
        nt = min_sz(nt, max_sz(p->N * p->OH, p->G * p->ncb));
    return nt;
}

vnn_status vnn_conv_plan_execute(const struct vnn_conv2d_plan *p, const float *x, float *y,
                                 void *workspace, size_t slices)
{
    size_t nt = useful_threads(p, (size_t)vnn_get_num_threads());
    if (p->path == VNN_CONV_DEPTHWISE)
        return run_depthwise(p, x, y, nt);
    if (p->path == VNN_CONV_GEMM)
        return run_gemm(p, x, y, nt);
    /* Implicit GEMM: per-thread tap lists; direct1: per-thread padded
     * strips (if it pads). From the caller's slices (fewer threads if it
     * has fewer) or this thread's scratch. */
    if (p->path == VNN_CONV_DIRECT1 && p->ws_per_thread == 0) {
        run_direct1(p, x, y, NULL, nt);
        return VNN_OK;
    }
    if (workspace)
        nt = min_sz(nt, slices);
    size_t bytes;
    if (!vnn_mul_size(nt, p->ws_per_thread, &bytes))
        return VNN_ERR_OUT_OF_MEMORY;
    char *ws = workspace ? workspace : vnn_scratch(bytes);
    if (!ws)
        return VNN_ERR_OUT_OF_MEMORY;
    if (p->path == VNN_CONV_DIRECT1)
        run_direct1(p, x, y, ws, nt);
    else
        vnn_conv_run_implicit(p, x, y, ws, nt);
    return VNN_OK;
}
