/* Average pooling, AVX2: 64 channels per tile (see pool-avx2.inc). */
#include "pool-avx2.inc"

void vnn_avgpool_ukernel_64c__avx2(const struct vnn_pool_run *r) { pool_avx2(r, 1); }
