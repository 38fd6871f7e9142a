/* Pooling table entry per ISA: scalar first, then the ISA's own kernels. */
#include "dispatch/dispatch.h"
#include "kernels/pool/pool-ukernels.h"

#define KERNELS(C, ISA)                                                                  \
    (struct vnn_pool_config)                                                             \
    {                                                                                    \
        .max_name = "vnn_maxpool_ukernel_" #C "c__" #ISA,                                \
        .avg_name = "vnn_avgpool_ukernel_" #C "c__" #ISA,                                \
        .max = vnn_maxpool_ukernel_##C##c__##ISA, .avg = vnn_avgpool_ukernel_##C##c__##ISA, \
    }

void vnn_pool_config_init(vnn_isa isa, struct vnn_pool_config *cfg)
{
    VNN_CONFIG_LADDER(isa, cfg, KERNELS, (4, scalar), (64, avx2), (128, avx512), (32, neon));
}

void vnn_pool_config_visit(const struct vnn_pool_config *cfg, vnn_kernel_visitor fn, void *ctx)
{
    fn("maxpool", cfg->max_name, ctx);
    fn("avgpool", cfg->avg_name, ctx);
}
