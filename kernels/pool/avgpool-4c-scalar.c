/* Average pooling, portable C: 4 channels per tile (see pool-scalar.inc). */
#include "pool-scalar.inc"

void vnn_avgpool_ukernel_4c__scalar(const struct vnn_pool_run *r) { pool_scalar(r, 1); }
