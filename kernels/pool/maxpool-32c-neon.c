/* Max pooling, NEON: 32 channels per tile (see pool-neon.inc). */
#include "pool-neon.inc"

void vnn_maxpool_ukernel_32c__neon(const struct vnn_pool_run *r) { pool_neon(r, 0); }
