/* The convolution slot of the kernel table: the direct depthwise kernel and
 * the implicit-GEMM kernels of dense and grouped convolutions. */
#ifndef VNN_CONV_CONFIG_H
#define VNN_CONV_CONFIG_H

#include <stddef.h>

#include "vnn/cpu.h"

/* One output row of a depthwise convolution (groups == C_in == C_out):
 *   out[ow][c] = act(bias[c] + sum over j < taps_h, kw of
 *                    in[j * in_row_stride + iw * channels + c] * w[(j * kw_n + kw) * cstride + c])
 * with iw = ow * stride_w - pad_left + kw * dilation_w; taps outside
 * [0, in_w) are skipped. `in` is the first valid input row, `w` the weights
 * of the first valid kernel row. For ow in [ow_lo, ow_hi) every tap is
 * inside the row (no checks needed). Weights and bias hold cstride >=
 * channels floats per tap (a multiple of the kernel's channel tile, padded
 * with zeros), so only input loads and output stores need a channel tail. */
struct vnn_dwconv_row {
    size_t channels, cstride;
    size_t out_w, ow_lo, ow_hi;
    size_t in_w, kw_n, stride_w, dilation_w, pad_left;
    size_t taps_h, in_row_stride;
    const float *in, *w, *bias;
    float *out;
    int relu;
};

typedef void (*vnn_dwconv_ukernel_fn)(const struct vnn_dwconv_row *r);

/* Implicit GEMM ("batch-reduce" microkernel): an MR x NR tile of output
 * pixels x output channels accumulates, in registers, the products of every
 * tap in a list. A tap is k input channels read in place: tile row r reads
 * x + a + a_rows[r] + [0, k) (a: the tap's offset from a pixel's window
 * origin, a_rows[r]: pixel r's window origin, both in floats), against k
 * rows of packed weights p->w + b (k x NR, k-major, 64-byte aligned), and
 * writes c + c_rows[r] + [0, NR). In NHWC one tap can be a whole kernel row
 * (KW * C_in contiguous floats); padded taps are simply not listed, and the
 * MR pixels of a tile are any pixels that share their list. a and b are
 * offsets so that one list serves every column block: the driver passes
 * each block's x and p->w. */
struct vnn_conv_tap {
    ptrdiff_t a;
    size_t b;
    size_t k;
};

struct vnn_conv_ukernel_params {
    const float *w;    /* the packed weights the taps' b index */
    const float *bias; /* NR floats, or NULL; used only when `last` */
    int accumulate;    /* add C's current values (earlier taps' sums) */
    int last;          /* then add bias and apply ReLU */
    int relu;
    /* Weights the driver uses next (64-byte aligned): kernels may fetch
     * one line of them into L2 per k step, prefetch_lines at most, so
     * weights that do not stay in L2 stream in while this tile computes. */
    const float *prefetch;
    size_t prefetch_lines;
};

/* All MR rows written; ntaps may be 0. */
typedef void (*vnn_conv_ukernel_fn)(size_t ntaps, const struct vnn_conv_tap *taps,
                                    const float *x, const ptrdiff_t *a_rows, float *c,
                                    const size_t *c_rows,
                                    const struct vnn_conv_ukernel_params *p);

#define VNN_CONV_MR_MAX 14

/* One tile width: kernels for every row count 1..mr_max. */
struct vnn_conv_family {
    int nr, mr_max;
    const char *name; /* the largest tile: vnn_conv_ukernel_<mr_max>x<nr>__<isa> */
    vnn_conv_ukernel_fn ukernel[VNN_CONV_MR_MAX + 1]; /* [rows] */
};

/* One output row of a convolution with a single input channel (C_in == 1,
 * groups 1, no dilation) over input rows already padded:
 *   out[ow][c] = act(bias[c] + sum over kh < kh_n, kw < kw_n of
 *                    in[kh * in_row_stride + ow * stride_w + kw] * w[(kh * kw_n + kw) * cstride + c])
 * Weights and bias hold cstride >= channels floats per tap (a multiple of
 * 8, zero-padded, 32-byte aligned). */
struct vnn_conv1c_row {
    const float *in;
    size_t in_row_stride, kh_n, kw_n, stride_w, out_w;
    size_t channels, cstride;
    const float *w, *bias;
    float *out;
    int relu;
};

typedef void (*vnn_conv1c_ukernel_fn)(const struct vnn_conv1c_row *r);

struct vnn_conv_config {
    vnn_isa isa;
    /* Single input channel: its own kernel, or NULL (implicit GEMM). */
    const char *c1_name;
    vnn_conv1c_ukernel_fn c1_ukernel;
    const char *dw_name; /* vnn_dwconv_ukernel_<C>c__<isa> */
    vnn_dwconv_ukernel_fn dw_ukernel;
    int dw_ctile; /* channel tile: weights are padded to a multiple of it */
    int n_families;
    struct vnn_conv_family families[3]; /* widest first */
    size_t l2_bytes; /* per-core L2 the plans block for */
};

void vnn_conv_config_init(vnn_isa isa, struct vnn_conv_config *cfg);

/* Blocks for these (sane, see dispatch/cache.h) caches. */
struct vnn_cache_sizes;
void vnn_conv_config_block(struct vnn_conv_config *cfg, const struct vnn_cache_sizes *c);

/* `vnn info` rows ("conv", "dwconv"); fn is a vnn_kernel_visitor. */
void vnn_conv_config_visit(const struct vnn_conv_config *cfg,
                           void (*fn)(const char *op, const char *ukernel, void *ctx),
                           void *ctx);

#endif
