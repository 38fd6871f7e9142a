/* Vector-math table entry per ISA: scalar first, then the ISA's own. */
#include "dispatch/dispatch.h"
#include "kernels/vmath/vmath-ukernels.h"

#define KERNELS(W, ISA)                                                         \
    (struct vnn_vmath_config)                                                   \
    {                                                                           \
        .exp_name = "vnn_vexp_ukernel_" #W "__" #ISA,                           \
        .sigmoid_name = "vnn_vsigmoid_ukernel_" #W "__" #ISA,                   \
        .tanh_name = "vnn_vtanh_ukernel_" #W "__" #ISA,                         \
        .exp2_nonpos_name = "vnn_vexp2_nonpos_ukernel_" #W "__" #ISA,           \
        .exp = vnn_vexp_ukernel_##W##__##ISA,                                   \
        .sigmoid = vnn_vsigmoid_ukernel_##W##__##ISA,                           \
        .tanh = vnn_vtanh_ukernel_##W##__##ISA,                                 \
        .exp2_nonpos = vnn_vexp2_nonpos_ukernel_##W##__##ISA,                   \
    }

void vnn_vmath_config_init(vnn_isa isa, struct vnn_vmath_config *cfg)
{
    VNN_CONFIG_LADDER(isa, cfg, KERNELS, (1, scalar), (8, avx2), (16, avx512), (4, neon));
}

void vnn_vmath_config_visit(const struct vnn_vmath_config *cfg, vnn_kernel_visitor fn,
                            void *ctx)
{
    fn("exp", cfg->exp_name, ctx);
    fn("sigmoid", cfg->sigmoid_name, ctx);
    fn("tanh", cfg->tanh_name, ctx);
    fn("exp2_nonpos", cfg->exp2_nonpos_name, ctx);
}
