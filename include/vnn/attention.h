/* Multi-head scaled dot-product attention, single precision, computed
 * flash-style: queries and keys are tiled and the softmax is taken online
 * (running max and sum per query, the accumulator rescaled as the max
 * grows), so no Sq x Sk score matrix is ever built and the workspace does
 * not depend on Sk.
 *
 * Layouts (row-major, the last index contiguous):
 *   q    [N][Sq][Hq][D]
 *   k, v [N][Sk][Hkv][D]
 *   out  [N][Sq][Hq][D]
 * Grouped-query attention: Hq must be a multiple of Hkv, and query head h
 * reads key/value head h / (Hq / Hkv) (Hq == Hkv is plain multi-head
 * attention, Hkv == 1 multi-query attention).
 *
 * For batch n, query head h, query position i:
 *   s[j]   = scale * dot(q[n][i][h], k[n][j][h / G]) + mask(n, h, i, j)
 *   out[n][i][h] = sum over visible j of softmax(s)[j] * v[n][j][h / G]
 * where the softmax runs over the visible keys only. Key j is visible to
 * query i when
 *   j < key_lengths[n]            (if key_lengths is given), and
 *   j <= i + (Sk - Sq)            (if causal).
 * The causal mask is aligned bottom-right: the last query sees every key,
 * as in PyTorch's scaled_dot_product_attention(is_causal=True) when
 * Sq == Sk, flash-attention >= 2.1 and PyTorch's causal_lower_right; a
 * decode step (Sq = 1) therefore sees all Sk keys, and with Sq > Sk the
 * first Sq - Sk queries see none. The alignment is to Sk, not to
 * key_lengths[n].
 *
 * A query row with no visible key (fully masked), or whose visible keys
 * all have an additive mask of -inf, gives an output row of zeros.
 *
 * Accuracy: scores and sums in float; the softmax works in log2 units
 * (the scale times log2(e) is applied to the scores, a mask times
 * log2(e)), with vnn's vectorized 2^x (relative error at most 4e-7,
 * measured 1.43e-7; one more rounding, in the scale, than an exp of the
 * scaled score would take). The result is within a few float roundings
 * of the exact softmax, scaled by the magnitude of the logits (a rounding
 * in a logit of 1e4 is an absolute error of about 1e-3 in that logit).
 * Logits of any finite size give finite results (nothing overflows: every
 * exp argument is <= 0). NaN or infinite inputs (other than -inf in the
 * mask) give unspecified, possibly NaN, outputs. Results do not depend on
 * the thread count, except for the split-key path (few queries and heads,
 * several threads), where the keys are split among the threads and their
 * partial softmax states merged, which reorders the sums.
 *
 * Every function validates all of its arguments and, on error, returns
 * VNN_ERR_INVALID_ARG without writing to any output: a NULL pointer where
 * one is required, a size below 1, Hq not a multiple of Hkv, a non-finite
 * scale, a key length outside [0, Sk], a negative mask stride, sizes whose
 * arithmetic or byte counts overflow (a tensor must fit in PTRDIFF_MAX
 * bytes), out overlapping an input, or a workspace smaller than
 * vnn_attention_workspace_size() reports. VNN_ERR_UNSUPPORTED_ISA, also
 * without writing, while VNN_ISA names an ISA this machine cannot run;
 * VNN_ERR_OUT_OF_MEMORY if no workspace was given and the internal one
 * cannot grow. */
#ifndef VNN_ATTENTION_H
#define VNN_ATTENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnn/export.h"
#include "vnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vnn_attention_params {
    int64_t N;        /* batch, >= 1 */
    int64_t Sq, Sk;   /* query and key positions, >= 1 */
    int64_t Hq, Hkv;  /* query and key/value heads, Hq % Hkv == 0 */
    int64_t D;        /* head size, >= 1 (fast for 32, 64, 128; any works) */
    float scale;      /* finite; 0 means the default 1 / sqrt(D) */
    bool causal;      /* bottom-right aligned (see above) */
    /* NULL, or N key lengths in [0, Sk]: keys j >= key_lengths[n] of
     * batch n are masked (padding). */
    const int64_t *key_lengths;
    /* NULL, or an additive mask added to the scaled scores, element
     * (n, h, i, j) at mask[n * mask_stride_n + h * mask_stride_h +
     * i * mask_stride_q + j] (h a query head; strides in floats, >= 0, a
     * zero stride broadcasts: e.g. strides 0, 0, Sk for one [Sq][Sk] mask,
     * or Sk, 0, 0 for a per-batch key mask). -inf masks a key. */
    const float *mask;
    int64_t mask_stride_n, mask_stride_h, mask_stride_q;
} vnn_attention_params;

/* The workspace bytes vnn_attention() needs for these params with the
 * current thread count (vnn_get_num_threads()). It depends on D, the
 * thread count and the ISA's block sizes only, never on N, Sq, Sk or the
 * heads: about 0.8 MiB per thread for D = 64 on AVX-512 (plus, with
 * several threads, the partial states of the split-key decode path). */
VNN_API vnn_status vnn_attention_workspace_size(const vnn_attention_params *params,
                                                size_t *bytes);

/* out = attention(q, k, v) as above. workspace: NULL (vnn then uses a
 * buffer of its own, kept per calling thread and reused by its next call),
 * or at least vnn_attention_workspace_size() bytes, 64-byte alignment
 * recommended, not overlapping any tensor. out must not overlap q, k, v
 * or the mask. */
VNN_API vnn_status vnn_attention(const vnn_attention_params *params, const float *q,
                                 const float *k, const float *v, float *out,
                                 void *workspace, size_t workspace_bytes);

#ifdef __cplusplus
}
#endif

#endif
