/* Declarations of the pooling microkernels; each ISA's live in their own
 * files, compiled with that ISA's flags only. */
#ifndef VNN_POOL_UKERNELS_H
#define VNN_POOL_UKERNELS_H

#include "kernels/pool/pool-config.h"

void vnn_maxpool_ukernel_4c__scalar(const struct vnn_pool_run *r);
void vnn_avgpool_ukernel_4c__scalar(const struct vnn_pool_run *r);
void vnn_maxpool_ukernel_64c__avx2(const struct vnn_pool_run *r);
void vnn_avgpool_ukernel_64c__avx2(const struct vnn_pool_run *r);
void vnn_maxpool_ukernel_128c__avx512(const struct vnn_pool_run *r);
void vnn_avgpool_ukernel_128c__avx512(const struct vnn_pool_run *r);
void vnn_maxpool_ukernel_32c__neon(const struct vnn_pool_run *r);
void vnn_avgpool_ukernel_32c__neon(const struct vnn_pool_run *r);

#endif
