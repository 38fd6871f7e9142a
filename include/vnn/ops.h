/* The elementwise and row-wise ops a Transformer needs around attention and
 * the GEMM: layer normalization, softmax, GELU (erf and tanh forms), ReLU,
 * elementwise add and the token embedding. Single precision, row-major,
 * contiguous.
 *
 * Semantics are PyTorch's (torch.nn.functional.layer_norm over the last
 * dimension, softmax(dim=-1), gelu(approximate='none' | 'tanh'), relu, add,
 * embedding):
 *   layernorm  y[r][c] = (x[r][c] - mean_r) / sqrt(var_r + eps) * gamma[c] + beta[c]
 *              with mean_r and the biased variance var_r over the row, computed
 *              in two passes (mean, then the mean square of x - mean);
 *   softmax    y[r][c] = exp(x[r][c] - max_r) / sum_c' exp(x[r][c'] - max_r):
 *              no overflow for any finite input; a row holding +inf or NaN, or
 *              only -inf, gives NaN in that row (as PyTorch);
 *   gelu       erf:  y = x/2 * (1 + erf(x / sqrt(2)))
 *              tanh: y = x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3)))
 *   relu       y = max(x, 0) (NaN in, NaN out; a zero result may be -0);
 *   add        y = a + b;
 *   embedding  y[t][:] = table[ids[t]][:].
 *
 * Accuracy: exp, sigmoid and erf are vnn's vector polynomials
 * (kernels/simd/math-<isa>.h, erf-<isa>.h): exp and erf within 4e-7
 * relative, sigmoid within 1e-6 absolute (the tanh form is computed as
 * x * sigmoid(2z), the same function without 1 + tanh's cancellation). Sums
 * run in float, in a blocked order that depends on the ISA (not on the
 * thread count). tests/kernels/test-ops.c holds every ISA to oneDNN within a
 * normalized error of 1e-10.
 *
 * In place: y may be the same pointer as x (and, for add, as a or b); other
 * overlaps are errors. Every function validates all arguments and, on error,
 * returns VNN_ERR_INVALID_ARG without writing anything: a NULL pointer, a size
 * below 1 (zero-sized tensors are rejected, as in the other vnn ops), sizes
 * whose byte counts overflow a ptrdiff_t, a non-finite or negative eps, a
 * partial overlap, an unknown enum value, or (embedding) any token id outside
 * [0, vocab). While VNN_ISA names an ISA this machine cannot run they return
 * VNN_ERR_UNSUPPORTED_ISA, also without writing. Nothing is allocated;
 * results do not depend on vnn_set_num_threads().
 *
 * Dense layers (y = x W^T + b, weights W [N][K] as PyTorch's nn.Linear stores
 * them) are the GEMM: pack the weights once with
 *     vnn_sgemm_pack_b(VNN_TRANS, K, N, W, K, &packed)
 * and run
 *     vnn_sgemm_packed(VNN_NO_TRANS, M, 1.0f, x, K, packed, 0.0f, y, N,
 *                      &(vnn_gemm_epilogue){.bias = b, .act = VNN_ACT_RELU})
 * (act VNN_ACT_NONE for a plain projection; for a GELU MLP follow it with
 * vnn_gelu(y, y) in place). There is deliberately no vnn_dense: it would be a
 * second name for exactly this call. */
#ifndef VNN_OPS_H
#define VNN_OPS_H

#include <stdint.h>

#include "vnn/export.h"
#include "vnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vnn_gelu_approx {
    VNN_GELU_ERF = 0,  /* exact: x/2 (1 + erf(x / sqrt 2)) */
    VNN_GELU_TANH = 1, /* the tanh approximation (GPT-2, BERT's gelu_new) */
} vnn_gelu_approx;

/* y [rows][cols] = layer norm of each row of x [rows][cols], then * gamma
 * [cols] + beta [cols]. eps >= 0 and finite (PyTorch's default is 1e-5). */
VNN_API vnn_status vnn_layernorm(int64_t rows, int64_t cols, const float *x,
                                 const float *gamma, const float *beta, float eps, float *y);

/* The statistics vnn_layernorm normalizes with: mean [rows] and
 * rstd [rows] = 1 / sqrt(var + eps) of each row of x [rows][cols] (what
 * ONNX's LayerNormalization returns as Mean and InvStdDev). Portable C on
 * every ISA, with double sums (as the scalar layernorm kernel). */
VNN_API vnn_status vnn_layernorm_stats(int64_t rows, int64_t cols, const float *x, float eps,
                                       float *mean, float *rstd);
/* y [rows][cols] = softmax of each row of x [rows][cols]. */
VNN_API vnn_status vnn_softmax(int64_t rows, int64_t cols, const float *x, float *y);

/* y [n] = gelu(x [n]) in the given form. */
VNN_API vnn_status vnn_gelu(vnn_gelu_approx approx, int64_t n, const float *x, float *y);

/* y [n] = max(x [n], 0). */
VNN_API vnn_status vnn_relu(int64_t n, const float *x, float *y);

/* y [n] = 1 / (1 + exp(-x [n])), within 1e-6 absolute (vector sigmoid of
 * kernels/vmath, the LSTM gates' own). */
VNN_API vnn_status vnn_sigmoid(int64_t n, const float *x, float *y);
/* y [n] = tanh(x [n]), within 1e-6 absolute (kernels/vmath). */
VNN_API vnn_status vnn_tanh(int64_t n, const float *x, float *y);
/* y [n] = a [n] + b [n]. */
VNN_API vnn_status vnn_add(int64_t n, const float *a, const float *b, float *y);

/* y [tokens][dim] = rows ids[0..tokens) of table [vocab][dim]. An id outside
 * [0, vocab) is an error (nothing is written), never a read out of bounds. */
VNN_API vnn_status vnn_embedding(int64_t tokens, const int64_t *ids, int64_t vocab,
                                 int64_t dim, const float *table, float *y);

#ifdef __cplusplus
}
#endif

#endif
