/* GEMM table entry per ISA: scalar first, then the ISA's own microkernel.
 * Spelled out rather than VNN_CONFIG_LADDER: the blocking reads best as
 * named fields, and only AVX-512 has tail kernels. */
#include "dispatch/dispatch.h"
#include "dispatch/cache.h"
#include "kernels/gemm/gemm-ukernels.h"

static size_t clamp_sz(size_t v, size_t lo, size_t hi) { return v < lo ? lo : v > hi ? hi : v; }

void vnn_gemm_config_block(struct vnn_gemm_config *cfg, const struct vnn_cache_sizes *c)
{
    size_t mr = (size_t)cfg->mr, nr = (size_t)cfg->nr;
    size_t kc0 = (size_t)cfg->kc, mc0 = (size_t)cfg->mc, nc0 = (size_t)cfg->nc;
    /* The B micro-panel (kc x NR) shares L1D with the A strip: kc follows
     * L1D, in steps of 16, between half and twice the tuned value. */
    size_t kc = kc0 * c->l1d / VNN_GEMM_TUNED_L1D / 16 * 16;
    kc = clamp_sz(kc, kc0 / 2, kc0 * 2);
    /* The A block (mc x kc) keeps its tuned share of L2. */
    double mc = (double)mc0 * (double)kc0 / (double)kc * (double)c->l2 /
                (double)VNN_GEMM_TUNED_L2;
    size_t mcs = (size_t)mc / mr * mr;
    mcs = clamp_sz(mcs, mr, 64 * mr);
    /* The B block (kc x nc) within half of L3, when L3 is known. */
    size_t nc = nc0;
    if (c->l3) {
        size_t fit = c->l3 / 2 / (kc * sizeof(float)) / nr * nr;
        nc = clamp_sz(fit, 16 * nr, nc0);
    }
    cfg->kc = (int)kc;
    cfg->mc = (int)mcs;
    cfg->nc = (int)nc;
    cfg->l2_bytes = c->l2;
}

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
            .ukernel_tail = vnn_gemm_ukernel_4x16__avx2, .mr_tail = 4,
            .ukernel_rows = vnn_gemm_ukernel_rows4__avx2, .rows_max = 4,
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
