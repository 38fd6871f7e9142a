/* The attention slot of the kernel table. The two matrix products of a
 * tile (S = (scale Q) K^T and O += P V) run on the GEMM slot's microkernel
 * of the same ISA (register-blocked, tuned once); what attention adds per
 * ISA is the online-softmax update between them. */
#ifndef VNN_ATTENTION_CONFIG_H
#define VNN_ATTENTION_CONFIG_H

#include <stddef.h>

#include "vnn/cpu.h"

/* One key block of one query block, after S = Q K^T (Q times whatever
 * part of the softmax scale the driver applied while copying it). Scores
 * are taken in log2 units, where the exp is a 2^x with no reduction by
 * ln 2: for each row r < rows (a query of the block), with n = valid[r]
 * visible keys (the first n of the block's `cols`; causal and length masks
 * are prefixes of the keys, so a count says it all):
 *   x[j] = scale * s[j] + log2(e) * mask[r][j]   (j < n; mask term if mask != NULL)
 *   m'   = max(m[r], max_{j<n} x[j])
 *   s[j] = 2^(x[j] - m') for j < n, 0 for n <= j < cols   (P, in place)
 *   l[r] = l[r] * 2^(m[r] - m') + sum_j s[j];  m[r] = m'
 *   o[r][0, o_cols) *= 2^(m[r] - m')  if m[r] > -inf (the accumulator rescale;
 *                                     a row seeing its first keys has nothing
 *                                     to rescale, and the driver overwrites or
 *                                     zeroed its o)
 * scale > 0, so the max of x is scale times the max of s (no multiply per
 * score for it). A row whose m' is -inf (nothing visible yet) keeps
 * m = -inf, l and o unchanged, and gets P = 0. Rows are s_stride
 * (o_stride) floats apart; the kernel may leave x in s's first n entries
 * between its passes. */
struct vnn_attention_online_args {
    size_t rows, cols;
    float *s;
    size_t s_stride;
    const float *const *mask; /* NULL, or per row a pointer to cols floats */
    const size_t *valid;
    float *m, *l;
    float *o;
    size_t o_stride, o_cols;
    float scale;
};

typedef void (*vnn_attention_online_fn)(const struct vnn_attention_online_args *a);

/* One packed K^T panel: dst[d][c] = k[c * ks + d] for d < D, c < cols, and
 * 0 for cols <= c < nr (dst: D x nr floats). */
typedef void (*vnn_attention_pack_kt_fn)(const float *k, size_t ks, size_t D, size_t cols,
                                         size_t nr, float *dst);

/* The row path (a decode step: at most a couple of query rows per kv head,
 * too few to fill a GEMM tile), over one block of `keys` keys, rows r <
 * rows with valid[r] visible keys each; K/V row t of row r's head starts at
 * k (v) + t * kv_stride + kv_off[r]:
 *   scores:     s[r][t] = q[r] . K row t (q already scaled)  (t < valid[r])
 *   accumulate: o[r][0, D) += sum_{t < valid[r]} s[r][t] * V row t
 * with the online update (which turns S into P) in between. */
struct vnn_attention_rows_args {
    size_t rows, keys, D;
    const float *q;
    size_t q_stride;
    const float *k, *v;
    size_t kv_stride;
    const size_t *kv_off, *valid;
    float *s;
    size_t s_stride;
    float *o;
    size_t o_stride;
};

typedef void (*vnn_attention_rows_fn)(const struct vnn_attention_rows_args *a);

struct vnn_attention_config {
    vnn_isa isa;
    const char *name; /* vnn_attention_ukernel_online<W>__<isa> */
    vnn_attention_online_fn online;
    vnn_attention_pack_kt_fn pack_kt; /* NULL: the driver's portable one */
    vnn_attention_rows_fn rows_scores, rows_accumulate;
    /* Query rows per block (a multiple of the GEMM mr) and keys per block
     * (a multiple of the GEMM nr): the S tile bq x bk, the packed K^T and V
     * blocks and the bq x D accumulator stay in L2. */
    int bq, bk;
};

void vnn_attention_config_init(vnn_isa isa, struct vnn_attention_config *cfg);

/* `vnn info` row ("attention"); fn is a vnn_kernel_visitor. */
void vnn_attention_config_visit(const struct vnn_attention_config *cfg,
                                void (*fn)(const char *op, const char *ukernel, void *ctx),
                                void *ctx);

#endif
