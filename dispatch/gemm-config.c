/* GEMM table entry per ISA: scalar first, then the ISA's own microkernel.
 * Spelled out rather than VNN_CONFIG_LADDER: the blocking reads best as
 * named fields, and only AVX-512 has tail kernels. */
#include "dispatch/dispatch.h"
#include "kernels/gemm/gemm-ukernels.h"

void vnn_gemm_config_init(vnn_isa isa, struct vnn_gemm_config *cfg)
{
    *cfg = (struct vnn_gemm_config){
        .isa = VNN_ISA_SCALAR, .name = "vnn_gemm_ukernel_4x8__scalar",
        .ukernel = vnn_gemm_ukernel_4x8__scalar, .mr = 4, .nr = 8,
        .kc = 256, .mc = 128, .nc = 4096,
    };
    switch (isa) {
#if defined(VNN_ARCH_X86_64)
    case VNN_ISA_AVX2:
        *cfg = (struct vnn_gemm_config){
            .isa = isa, .name = "vnn_gemm_ukernel_6x16__avx2",
            .ukernel = vnn_gemm_ukernel_6x16__avx2, .mr = 6, .nr = 16,
            .kc = 256, .mc = 144, .nc = 4096,
        };
        break;
    case VNN_ISA_AVX512:
        *cfg = (struct vnn_gemm_config){
            .isa = isa, .name = "vnn_gemm_ukernel_14x32__avx512",
            .ukernel = vnn_gemm_ukernel_14x32__avx512, .mr = 14, .nr = 32,
            .ukernel_tail = vnn_gemm_ukernel_4x32__avx512, .mr_tail = 4,
            .ukernel_ntail = vnn_gemm_ukernel_14x16__avx512, .nr_tail = 16,
            .kc = 512, .mc = 168, .nc = 4096,
        };
        break;
#elif defined(VNN_ARCH_AARCH64)
    case VNN_ISA_NEON:
        *cfg = (struct vnn_gemm_config){
            .isa = isa, .name = "vnn_gemm_ukernel_8x12__neon",
            .ukernel = vnn_gemm_ukernel_8x12__neon, .mr = 8, .nr = 12,
            .kc = 256, .mc = 128, .nc = 4092,
        };
        break;
#endif
    default:
        break;
    }
}
