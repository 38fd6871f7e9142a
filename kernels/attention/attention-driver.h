/* The attention driver: blocking, threading, workspace layout. */
#ifndef VNN_ATTENTION_DRIVER_H
#define VNN_ATTENTION_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/attention/attention-config.h"
#include "kernels/gemm/gemm-config.h"

/* A validated problem; sizes as in vnn/attention.h. */
struct vnn_attention_job {
    const struct vnn_attention_config *cfg;
    const struct vnn_gemm_config *gemm;
    size_t N, Sq, Sk, Hq, Hkv, D;
    float scale;
    int causal;
    const int64_t *key_lengths;
    const float *mask;
    size_t mask_sn, mask_sh, mask_sq;
    const float *q, *k, *v;
    float *out;
};

/* Workspace bytes for head size D on `threads`
 * threads (0 if that overflows). Includes 64 bytes of alignment slack. */
size_t vnn_attention_workspace_bytes(const struct vnn_attention_config *cfg,
                                     const struct vnn_gemm_config *gemm, size_t D,
                                     size_t threads);

/* Runs the job on `threads` threads with a workspace of at least
 * vnn_attention_workspace_bytes() bytes. */
void vnn_attention_execute(const struct vnn_attention_job *j, void *workspace,
                           size_t threads);

#endif
