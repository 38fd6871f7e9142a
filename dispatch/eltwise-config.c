/* Elementwise table entry per ISA: scalar first, then the ISA's own kernels. */
#include "dispatch/dispatch.h"
#include "kernels/eltwise/eltwise-ukernels.h"

#define KERNELS(W, ISA)                                                                  \
    (struct vnn_eltwise_config)                                                          \
    {                                                                                    \
        .isa = isa, .relu_name = "vnn_relu_ukernel_" #W "__" #ISA,                       \
        .add_name = "vnn_add_ukernel_" #W "__" #ISA,                                     \
        .gelu_erf_name = "vnn_gelu_erf_ukernel_" #W "__" #ISA,                           \
        .gelu_tanh_name = "vnn_gelu_tanh_ukernel_" #W "__" #ISA,                         \
        .erf_name = "vnn_erf_ukernel_" #W "__" #ISA, .erf = vnn_erf_ukernel_##W##__##ISA,  \
        .relu = vnn_relu_ukernel_##W##__##ISA, .gelu_erf = vnn_gelu_erf_ukernel_##W##__##ISA, \
        .gelu_tanh = vnn_gelu_tanh_ukernel_##W##__##ISA, .add = vnn_add_ukernel_##W##__##ISA, \
    }

void vnn_eltwise_config_init(vnn_isa isa, struct vnn_eltwise_config *cfg)
{
    *cfg = KERNELS(1, scalar);
    cfg->isa = VNN_ISA_SCALAR;
    switch (isa) {
#if defined(VNN_ARCH_X86_64)
    case VNN_ISA_AVX2:
        *cfg = KERNELS(32, avx2);
        break;
    case VNN_ISA_AVX512:
        *cfg = KERNELS(64, avx512);
        break;
#elif defined(VNN_ARCH_AARCH64)
    case VNN_ISA_NEON:
        *cfg = KERNELS(16, neon);
        break;
#endif
    default:
        break;
    }
}

void vnn_eltwise_config_visit(const struct vnn_eltwise_config *cfg, vnn_kernel_visitor fn,
                              void *ctx)
{
    fn("relu", cfg->relu_name, ctx);
    fn("add", cfg->add_name, ctx);
    fn("gelu_erf", cfg->gelu_erf_name, ctx);
    fn("gelu_tanh", cfg->gelu_tanh_name, ctx);
}
