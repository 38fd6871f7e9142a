/* Average pooling, AVX-512: 128 channels per tile (see pool-avx512.inc). */
#include "pool-avx512.inc"

void vnn_avgpool_ukernel_128c__avx512(const struct vnn_pool_run *r) { pool_avx512(r, 1); }
