/* Row-normalization table entry per ISA: scalar first, then the ISA's own
 * kernels. */
#include "dispatch/dispatch.h"
#include "kernels/norm/norm-ukernels.h"

#define KERNELS(LW, SW, ISA)                                                                  \
    (struct vnn_norm_config)                                                             \
    {                                                                                    \
        .layernorm_name = "vnn_layernorm_ukernel_" #LW "__" #ISA,                         \
        .softmax_name = "vnn_softmax_ukernel_" #SW "__" #ISA,                             \
        .layernorm = vnn_layernorm_ukernel_##LW##__##ISA,                                 \
        .softmax = vnn_softmax_ukernel_##SW##__##ISA,                                     \
    }

void vnn_norm_config_init(vnn_isa isa, struct vnn_norm_config *cfg)
{
    VNN_CONFIG_LADDER(isa, cfg, KERNELS, (1, 1, scalar), (16, 16, avx2), (64, 32, avx512),
                      (8, 8, neon));
}

void vnn_norm_config_visit(const struct vnn_norm_config *cfg, vnn_kernel_visitor fn, void *ctx)
{
    fn("layernorm", cfg->layernorm_name, ctx);
    fn("softmax", cfg->softmax_name, ctx);
}
