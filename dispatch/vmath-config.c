/* Vector-math table entry per ISA: scalar first, then the ISA's own. */
#include "dispatch/dispatch.h"
#include "kernels/vmath/vmath-ukernels.h"

#define KERNELS(W, ISA)                                                         \
    (struct vnn_vmath_config)                                                   \
    {                                                                           \
        .isa = isa, .exp_name = "vnn_vexp_ukernel_" #W "__" #ISA,               \
        .sigmoid_name = "vnn_vsigmoid_ukernel_" #W "__" #ISA,                   \
        .tanh_name = "vnn_vtanh_ukernel_" #W "__" #ISA,                         \
        .exp = vnn_vexp_ukernel_##W##__##ISA,                                   \
        .sigmoid = vnn_vsigmoid_ukernel_##W##__##ISA,                           \
        .tanh = vnn_vtanh_ukernel_##W##__##ISA,                                 \
    }

void vnn_vmath_config_init(vnn_isa isa, struct vnn_vmath_config *cfg)
{
    *cfg = KERNELS(1, scalar);
    cfg->isa = VNN_ISA_SCALAR;
    switch (isa) {
#if defined(VNN_ARCH_X86_64)
    case VNN_ISA_AVX2:
        *cfg = KERNELS(8, avx2);
        break;
    case VNN_ISA_AVX512:
        *cfg = KERNELS(16, avx512);
        break;
#elif defined(VNN_ARCH_AARCH64)
    case VNN_ISA_NEON:
        *cfg = KERNELS(4, neon);
        break;
#endif
    default:
        break;
    }
}

void vnn_vmath_config_visit(const struct vnn_vmath_config *cfg, vnn_kernel_visitor fn,
                            void *ctx)
{
    fn("exp", cfg->exp_name, ctx);
    fn("sigmoid", cfg->sigmoid_name, ctx);
    fn("tanh", cfg->tanh_name, ctx);
}
