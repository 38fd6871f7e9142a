/* Internal: the pooling driver. pool.c validates the public arguments;
 * everything here may assume valid sizes (output size consistent with the
 * parameters, every window holding an input element, byte counts that fit
 * in a ptrdiff_t). */
#ifndef VNN_POOL_DRIVER_H
#define VNN_POOL_DRIVER_H

#include <stddef.h>

#include "kernels/pool/pool-config.h"

struct vnn_pool_job {
    vnn_pool_ukernel_fn ukernel;
    int avg;         /* divide by a divisor (average) */
    int include_pad; /* average: the divisor counts the padding */
    const float *x;  /* [N][H][W][C] */
    float *y;        /* [N][OH][OW][C] */
    size_t N, H, W, C, OH, OW;
    size_t KH, KW, sh, sw, pt, pb, pl, pr;
};

/* Runs the job on up to `threads` threads (fewer when it is small). */
void vnn_pool_execute(const struct vnn_pool_job *job, size_t threads);

#endif
