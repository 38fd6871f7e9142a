/* The LSTM slot of the kernel table: the fused gate kernel that follows
 * the recurrent GEMM, and the fully fused recurrent step used at small
 * batch (h * W_hh^T, gates, c and h update, in registers). */
#ifndef VNN_LSTM_CONFIG_H
#define VNN_LSTM_CONFIG_H

#include <stddef.h>

#include "vnn/cpu.h"

/* One row of one step. Preactivations are gx[g * H + j] (+ gh[g * H + j]
 * when gh is not NULL) for gate g in i, f, g, o order and unit j < H:
 *   c[j] = sigmoid(f) * c[j] + sigmoid(i) * tanh(g)
 *   h[j] = sigmoid(o) * tanh(c[j]);  y[j] = h[j] too when y is not NULL.
 * c is read and written in place; h and y do not overlap anything else. */
typedef void (*vnn_lstm_gates_fn)(size_t H, const float *gx, const float *gh, float *c,
                                  float *h, float *y);

/* The same for hidden-unit block b (units b*V .. b*V+V-1, clipped at H)
 * of one row, with gh computed here:
 *   gh = h_in * W_hh^T, W_hh packed by the driver as [block][k < H][gate][V]
 *   (zero past H). h_in (H floats) must not overlap h. One block per call:
 * the driver interleaves blocks and rows (and alternates the block order). */
typedef void (*vnn_lstm_fused_fn)(size_t H, size_t b, const float *w, const float *h_in,
                                  const float *gx, float *c, float *h, float *y);

struct vnn_lstm_config {
    vnn_isa isa;
    const char *gates_name; /* vnn_lstm_ukernel_gates<V>__<isa> */
    const char *fused_name; /* vnn_lstm_ukernel_1x<V>__<isa> */
    vnn_lstm_gates_fn gates;
    vnn_lstm_fused_fn fused;
    int block; /* V: hidden units per fused block (the packing of W_hh) */
};

void vnn_lstm_config_init(vnn_isa isa, struct vnn_lstm_config *cfg);

/* `vnn info` rows; fn is a vnn_kernel_visitor. */
void vnn_lstm_config_visit(const struct vnn_lstm_config *cfg,
                           void (*fn)(const char *op, const char *ukernel, void *ctx),
                           void *ctx);

#endif
