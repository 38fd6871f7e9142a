/* References the pool suite compares vnn with.
 *
 * pool_ref(): oneDNN's pooling forward when the build has it
 * (VT_HAVE_DNNL), otherwise vnn's own scalar kernels (the aarch64 cross
 * build may have no oneDNN; the native run checks the scalar kernels
 * against oneDNN, so the chain of comparisons still ends at oneDNN).
 *
 * pool_ref_pytorch(): a plain loop nest written from PyTorch's CPU kernels
 * (aten/src/ATen/native/cpu/{Max,Avg}PoolKernel.cpp, pooling_output_shape),
 * for the one case where oneDNN's semantics differ from PyTorch's: average
 * pooling with count_include_pad whose ceil-mode windows hang past the
 * bottom/right padding (oneDNN's avg_include_padding divides by the whole
 * kernel, PyTorch by the window clipped to the padded input). */
#ifndef POOL_REFERENCE_H
#define POOL_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "vnn/pool.h"

enum pool_kind { POOL_MAX = 0, POOL_AVG = 1 };

/* "oneDNN pooling forward" or "vnn scalar kernels". */
const char *pool_ref_name(void);

/* PyTorch's output size for one dimension (floor division of a possibly
 * negative numerator, then the ceil-mode rule); may be < 1. */
int64_t pool_ref_out_dim(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1, bool ceil);

/* True if oneDNN's result equals PyTorch's for these parameters (i.e. not
 * an average with count_include_pad and a ceil-mode overhang). */
bool pool_ref_dnnl_agrees(enum pool_kind kind, const vnn_pool2d_params *p, int64_t H,
                          int64_t W);

/* y [N][OH][OW][C] from x [N][H][W][C]; params must be valid and OH, OW
 * their output size. 0 on success, nonzero if the reference failed. */
int pool_ref(enum pool_kind kind, const vnn_pool2d_params *p, int64_t N, int64_t H, int64_t W,
             int64_t C, const float *x, int64_t OH, int64_t OW, float *y);

/* y [N][C] = mean of x [N][H][W][C] over H x W; 0 on success. */
int pool_ref_global_avg(int64_t N, int64_t H, int64_t W, int64_t C, const float *x, float *y);

/* PyTorch's definition, plain C (sums from 0 in window order, in float). */
void pool_ref_pytorch(enum pool_kind kind, const vnn_pool2d_params *p, int64_t N, int64_t H,
                      int64_t W, int64_t C, const float *x, int64_t OH, int64_t OW, float *y);

#endif
