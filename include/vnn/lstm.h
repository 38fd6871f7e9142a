/* LSTM layers (unidirectional or bidirectional) and single LSTM cells,
 * single precision, with the semantics of PyTorch's nn.LSTM (one layer,
 * no projection, no peepholes, no dropout).
 *
 * Per direction and time step, with x the input row and (h, c) the state:
 *   gates = x * W_ih^T + b_ih + h * W_hh^T + b_hh       (4H floats)
 *   i = sigmoid(gates[0H..1H))   input gate
 *   f = sigmoid(gates[1H..2H))   forget gate
 *   g = tanh   (gates[2H..3H))   cell candidate
 *   o = sigmoid(gates[3H..4H))   output gate
 *   c' = f * c + i * g;  h' = o * tanh(c')
 *
 * Weights (per direction) are in PyTorch's layout and gate order i, f, g, o:
 *   W_ih [4H][I], W_hh [4H][H], b_ih [4H], b_hh [4H]   (row-major)
 * which is nn.LSTM's weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (the
 * reverse direction: the *_reverse tensors). Other frameworks:
 *   ONNX LSTM    W [4H][I], R [4H][H], B [8H] (Wb then Rb), gate order
 *                i, o, f, c: PyTorch block (i, f, g, o) = ONNX block (0, 2, 3, 1).
 *                Peepholes (P) and clipping are not supported; activations
 *                must be the defaults (Sigmoid, Tanh, Tanh).
 *   Keras LSTM   kernel [I][4H], recurrent_kernel [H][4H], bias [4H]: the
 *                transposes, gate order i, f, c, o (= PyTorch's), one bias.
 *   oneDNN       weights_layer ldigo [I][4][H], weights_iter ldigo [H][4][H],
 *                bias ldgo [4][H]; gate order i, f, c~, o (= PyTorch's), one
 *                bias: the Keras layout.
 * vnn_lstm_import_weights() converts one direction of any of them.
 *
 * Sequences: x is time-major [T][N][I] or batch-major [N][T][I]
 * (batch_first). Sequence n has lengths[n] valid steps (1 <= lengths[n]
 * <= T; NULL: all T): the forward direction runs t = 0 .. len-1, the reverse
 * direction t = len-1 .. 0 (starting at the sequence's own last valid step,
 * as PyTorch's packed sequences do). Outputs y [T][N][D*H] (or [N][T][D*H])
 * hold the forward h in columns [0, H) and the reverse h in [H, 2H)
 * (D = 2, concatenated); rows at t >= lengths[n] are zero. The initial
 * states h0, c0 [D][N][H] default to zero (NULL); the final states
 * hn, cn [D][N][H] (NULL: not returned) are each sequence's state after its
 * own last step (for the reverse direction: after t = 0).
 *
 * Every function validates all of its arguments and, on error, returns a
 * status without writing to any output: a NULL pointer where one is
 * required, a size below 1, a length outside [1, T], sizes whose byte
 * counts overflow, an input or initial state overlapping an output (except
 * the in-place cell, below). VNN_ERR_UNSUPPORTED_ISA while VNN_ISA names an
 * ISA this machine cannot run.
 *
 * A plan holds the weights packed once for the kernels selected when it is
 * created; it keeps using them if vnn_set_isa() changes. A plan may be run
 * from several threads at once. Results do not depend on the thread count.
 * sigmoid and tanh are vectorized approximations with absolute error at
 * most 1e-6 (kernels/simd). */
#ifndef VNN_LSTM_H
#define VNN_LSTM_H

#include <stdbool.h>
#include <stdint.h>

#include "vnn/export.h"
#include "vnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vnn_lstm_desc {
    int64_t input_size;  /* I >= 1 */
    int64_t hidden_size; /* H >= 1 */
    bool bidirectional;  /* D = 2 directions, else 1 */
} vnn_lstm_desc;

/* One direction's weights in PyTorch's layout (above). The biases may be
 * NULL (zero). */
typedef struct vnn_lstm_weights {
    const float *w_ih; /* [4H][I] */
    const float *w_hh; /* [4H][H] */
    const float *b_ih; /* [4H] or NULL */
    const float *b_hh; /* [4H] or NULL */
} vnn_lstm_weights;

typedef struct vnn_lstm_plan vnn_lstm_plan;

/* weights: D entries (forward, then reverse). *out is NULL on failure. */
VNN_API vnn_status vnn_lstm_plan_create(const vnn_lstm_desc *desc,
                                        const vnn_lstm_weights *weights,
                                        vnn_lstm_plan **out);

/* NULL is fine. */
VNN_API vnn_status vnn_lstm_plan_destroy(vnn_lstm_plan *plan);

/* The whole layer over a padded batch of N sequences of at most T steps.
 *   x        [T][N][I], or [N][T][I] when batch_first
 *   lengths  N values in [1, T], or NULL (every sequence has T steps)
 *   h0, c0   [D][N][H] or NULL (zeros); each independently
 *   y        [T][N][D*H], or [N][T][D*H] when batch_first
 *   hn, cn   [D][N][H] or NULL (not returned); each independently
 * Inputs must not overlap outputs. */
VNN_API vnn_status vnn_lstm_plan_run(const vnn_lstm_plan *plan, int64_t T, int64_t N,
                                     bool batch_first, const float *x, const int64_t *lengths,
                                     const float *h0, const float *c0, float *y, float *hn,
                                     float *cn);

/* One call: plan, run, destroy. */
VNN_API vnn_status vnn_lstm(const vnn_lstm_desc *desc, const vnn_lstm_weights *weights,
                            int64_t T, int64_t N, bool batch_first, const float *x,
                            const int64_t *lengths, const float *h0, const float *c0, float *y,
                            float *hn, float *cn);

/* One time step of one direction (0: forward, 1: reverse; the same
 * computation, only the weights differ) for N rows, for callers that drive
 * their own loop:
 *   x [N][I], h [N][H], c [N][H] in; h_out [N][H], c_out [N][H] out.
 * h may be NULL (zeros) and so may c. h_out may be h and c_out may be c
 * (in place); no other overlap. */
VNN_API vnn_status vnn_lstm_cell(const vnn_lstm_plan *plan, int direction, int64_t N,
                                 const float *x, const float *h, const float *c,
                                 float *h_out, float *c_out);

/* Where a set of LSTM weights comes from (see the top of this file). */
typedef enum vnn_lstm_format {
    VNN_LSTM_FORMAT_PYTORCH = 0, /* w_in [4H][I], w_rec [4H][H], bias [8H] (b_ih, b_hh) */
    VNN_LSTM_FORMAT_ONNX,        /* W [4H][I], R [4H][H], B [8H] (Wb, Rb); i, o, f, c */
    VNN_LSTM_FORMAT_KERAS,       /* kernel [I][4H], recurrent_kernel [H][4H], bias [4H] */
    VNN_LSTM_FORMAT_ONEDNN,      /* ldigo [I][4][H], [H][4][H], bias ldgo [4][H] */
} vnn_lstm_format;

/* Converts one direction's weights from `format` into PyTorch's layout:
 *   w_in, w_rec   the input and recurrent matrices as the format stores them
 *   bias          8H floats (PyTorch, ONNX) or 4H (Keras, oneDNN), or NULL
 *   w_ih [4H][I], w_hh [4H][H], b_ih [4H], b_hh [4H]   written; a format
 *                 with one bias puts it in b_ih and zeros in b_hh; a NULL
 *                 bias gives zeros in both.
 * For ONNX, whose tensors hold every direction ([D][4H][I] ...), pass the
 * direction's slice. Outputs must not overlap inputs or each other. */
VNN_API vnn_status vnn_lstm_import_weights(vnn_lstm_format format, int64_t input_size,
                                           int64_t hidden_size,
                                           const float *w_in, const float *w_rec,
                                           const float *bias, float *w_ih, float *w_hh,
                                           float *b_ih, float *b_hh);

#ifdef __cplusplus
}
#endif

#endif
