/* Pooling table entry per ISA: scalar first, then the ISA's own kernels. */
#include "dispatch/dispatch.h"
#include "kernels/pool/pool-ukernels.h"

#define KERNELS(C, ISA)                                                                  \
    (struct vnn_pool_config)                                                             \
    {                                                                                    \
        .isa = isa, .max_name = "vnn_maxpool_ukernel_" #C "c__" #ISA,                   \
        .avg_name = "vnn_avgpool_ukernel_" #C "c__" #ISA,                                \
        .max = vnn_maxpool_ukernel_##C##c__##ISA, .avg = vnn_avgpool_ukernel_##C##c__##ISA, \
    }

void vnn_pool_config_init(vnn_isa isa, struct vnn_pool_config *cfg)
{
    *cfg = KERNELS(4, scalar);
    cfg->isa = VNN_ISA_SCALAR;
    switch (isa) {
#if defined(VNN_ARCH_X86_64)
    case VNN_ISA_AVX2:
        *cfg = KERNELS(64, avx2);
        break;
    case VNN_ISA_AVX512:
        *cfg = KERNELS(128, avx512);
        break;
#elif defined(VNN_ARCH_AARCH64)
    case VNN_ISA_NEON:
        *cfg = KERNELS(32, neon);
        break;
#endif
    default:
        break;
    }
}

void vnn_pool_config_visit(const struct vnn_pool_config *cfg, vnn_kernel_visitor fn, void *ctx)
{
    fn("maxpool", cfg->max_name, ctx);
    fn("avgpool", cfg->avg_name, ctx);
}
