/* References the ops suite compares vnn with: oneDNN 2.6's primitives when
 * the build has it (VT_HAVE_DNNL) -- layer_normalization_forward with scale
 * and shift, softmax_forward over the last axis, eltwise relu / gelu_erf /
 * gelu_tanh, binary add -- otherwise vnn's own scalar kernels (the native
 * run checks those against oneDNN, so the chain still ends at oneDNN).
 * Each returns 0 on success, nonzero if the reference failed. */
#ifndef OPS_REFERENCE_H
#define OPS_REFERENCE_H

#include <stdint.h>

enum ops_ref_eltwise { OPS_REF_RELU, OPS_REF_GELU_ERF, OPS_REF_GELU_TANH };

const char *ops_ref_name(void);

int ops_ref_layernorm(int64_t rows, int64_t cols, const float *x, const float *gamma,
                      const float *beta, float eps, float *y);
int ops_ref_softmax(int64_t rows, int64_t cols, const float *x, float *y);
int ops_ref_eltwise(enum ops_ref_eltwise op, int64_t n, const float *x, float *y);
int ops_ref_add(int64_t n, const float *a, const float *b, float *y);

#endif
