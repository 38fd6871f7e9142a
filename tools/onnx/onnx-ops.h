/* ONNX nodes on vnn's kernels, for `vnn onnx-test`: each supported op_type
 * maps onto the public ops (conv, pooling, GEMM, LSTM, softmax, layernorm,
 * elementwise, embedding); NCHW tensors are converted to vnn's NHWC at the
 * edges. Pure data movement (Flatten, Reshape, Transpose, Concat, the
 * broadcast copies of Add, the NCHW <-> NHWC conversions) is done here. */
#ifndef VNN_TOOLS_ONNX_OPS_H
#define VNN_TOOLS_ONNX_OPS_H

#include <stdbool.h>

#include "models/onnx-reader.h"

enum onnx_run { ONNX_RUN_OK, ONNX_RUN_UNSUPPORTED, ONNX_RUN_ERROR };

/* A tensor the runner made: malloc'ed values (f or i), freed by onnx_value_free. */
struct onnx_value {
    int dtype;
    int ndim;
    int64_t dims[VNN_ONNX_MAX_DIMS];
    int64_t count;
    float *f;
    int64_t *i;
};

/* True if op_type (default domain) is one the runner maps. */
bool onnx_op_listed(const char *op_type);

/* Runs one node. in[k] is the value of node->in[k] (NULL for an omitted
 * optional input); out[k] receives node->out[k] (left zeroed for omitted
 * ones). opset: the model's default-domain opset. On UNSUPPORTED or ERROR,
 * why holds the reason and out[] owns nothing. */
enum onnx_run onnx_run_node(const struct vnn_onnx_node *node, int64_t opset,
                            const struct onnx_value *const *in, struct onnx_value *out,
                            char *why, size_t why_len);

void onnx_value_free(struct onnx_value *v);

#endif
