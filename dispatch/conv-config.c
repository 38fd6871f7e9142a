/* Convolution table entry per ISA: scalar first, then the ISA's own
 * depthwise kernel and implicit-GEMM families (widest tile first). Spelled
 * out rather than VNN_CONFIG_LADDER: each ISA appends its own number of
 * families. */
#include "dispatch/cache.h"
#include "dispatch/dispatch.h"
#include "kernels/conv/conv-ukernels.h"

#define SET(mr, nr, isa) f->ukernel[mr] = VNN_CONV_UKERNEL(mr, nr, isa);
#define FAMILY(MRS, MR_MAX, NR, ISA)                                                     \
    do {                                                                                 \
        struct vnn_conv_family *f = &cfg->families[cfg->n_families++];                  \
        *f = (struct vnn_conv_family){                                                   \
            .nr = NR, .mr_max = MR_MAX,                                                  \
            .name = "vnn_conv_ukernel_" #MR_MAX "x" #NR "__" #ISA,                       \
        };                                                                               \
        MRS(SET, NR, ISA)                                                                \
    } while (0)

/* Rows for `vnn info`: the widest implicit-GEMM tile and the depthwise
 * kernel. */
void vnn_conv_config_visit(const struct vnn_conv_config *cfg, vnn_kernel_visitor fn, void *ctx)
{
    fn("conv", cfg->families[0].name, ctx);
    fn("dwconv", cfg->dw_name, ctx);
    if (cfg->c1_ukernel)
        fn("conv1c", cfg->c1_name, ctx);
}

void vnn_conv_config_init(vnn_isa isa, struct vnn_conv_config *cfg)
{
    *cfg = (struct vnn_conv_config){
        .isa = VNN_ISA_SCALAR, .dw_name = "vnn_dwconv_ukernel_1c__scalar",
        .dw_ukernel = vnn_dwconv_ukernel_1c__scalar, .dw_ctile = 1,
    };
    FAMILY(VNN_MRS_4, 4, 8, scalar);
    switch (isa) {
#if defined(VNN_ARCH_X86_64)
    case VNN_ISA_AVX2:
        *cfg = (struct vnn_conv_config){
            .isa = isa, .dw_name = "vnn_dwconv_ukernel_8c__avx2",
            .dw_ukernel = vnn_dwconv_ukernel_8c__avx2, .dw_ctile = 8,
            .c1_name = "vnn_conv1c_ukernel_6x16__avx2",
            .c1_ukernel = vnn_conv1c_ukernel_6x16__avx2,
        };
        FAMILY(VNN_MRS_6, 6, 16, avx2);
        FAMILY(VNN_MRS_8, 8, 8, avx2);
        break;
    case VNN_ISA_AVX512:
        *cfg = (struct vnn_conv_config){
            .isa = isa, .dw_name = "vnn_dwconv_ukernel_16c__avx512",
            .dw_ukernel = vnn_dwconv_ukernel_16c__avx512, .dw_ctile = 16,
        };
        FAMILY(VNN_MRS_7, 7, 64, avx512);
        FAMILY(VNN_MRS_14, 14, 32, avx512);
        FAMILY(VNN_MRS_8, 8, 16, avx512);
        break;
#elif defined(VNN_ARCH_AARCH64)
    case VNN_ISA_NEON:
        *cfg = (struct vnn_conv_config){
            .isa = isa, .dw_name = "vnn_dwconv_ukernel_4c__neon",
            .dw_ukernel = vnn_dwconv_ukernel_4c__neon, .dw_ctile = 4,
        };
        FAMILY(VNN_MRS_6, 6, 16, neon);
        FAMILY(VNN_MRS_8, 8, 8, neon);
        break;
#endif
    default:
        break;
    }
}

void vnn_conv_config_block(struct vnn_conv_config *cfg, const struct vnn_cache_sizes *c)
{
    cfg->l2_bytes = c->l2;
}
