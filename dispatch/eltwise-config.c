/* Elementwise table entry per ISA: scalar first, then the ISA's own kernels. */
#include "dispatch/dispatch.h"
#include "kernels/eltwise/eltwise-ukernels.h"

#define KERNELS(W, ISA)                                                                  \
    (struct vnn_eltwise_config)                                                          \
    {                                                                                    \
        .relu_name = "vnn_relu_ukernel_" #W "__" #ISA,                                   \
        .add_name = "vnn_add_ukernel_" #W "__" #ISA,                                     \
        .gelu_erf_name = "vnn_gelu_erf_ukernel_" #W "__" #ISA,                           \
        .gelu_tanh_name = "vnn_gelu_tanh_ukernel_" #W "__" #ISA,                         \
        .erf_name = "vnn_erf_ukernel_" #W "__" #ISA, .erf = vnn_erf_ukernel_##W##__##ISA,  \
        .relu = vnn_relu_ukernel_##W##__##ISA, .gelu_erf = vnn_gelu_erf_ukernel_##W##__##ISA, \
        .gelu_tanh = vnn_gelu_tanh_ukernel_##W##__##ISA, .add = vnn_add_ukernel_##W##__##ISA, \
    }

void vnn_eltwise_config_init(vnn_isa isa, struct vnn_eltwise_config *cfg)
{
    VNN_CONFIG_LADDER(isa, cfg, KERNELS, (1, scalar), (32, avx2), (64, avx512), (16, neon));
}

void vnn_eltwise_config_visit(const struct vnn_eltwise_config *cfg, vnn_kernel_visitor fn,
                              void *ctx)
{
    fn("relu", cfg->relu_name, ctx);
    fn("add", cfg->add_name, ctx);
    fn("gelu_erf", cfg->gelu_erf_name, ctx);
    fn("gelu_tanh", cfg->gelu_tanh_name, ctx);
}
