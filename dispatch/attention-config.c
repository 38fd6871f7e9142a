/* Attention table entry per ISA: scalar first, then the ISA's own online-
 * softmax kernel. bq is a multiple of that ISA's GEMM mr, bk of its nr
 * (gemm-config.c): scalar 4x8, AVX2 6x16, AVX-512 14x32, NEON 8x12. */
#include "dispatch/dispatch.h"
#include "kernels/attention/attention-ukernels.h"

#define KERNEL(W, ISA, BQ, BK, PACK_KT)                                                  \
    (struct vnn_attention_config)                                                        \
    {                                                                                    \
        .name = "vnn_attention_ukernel_online" #W "__" #ISA,                             \
        .online = vnn_attention_ukernel_online##W##__##ISA, .pack_kt = PACK_KT,          \
        .bq = BQ, .bk = BK,                                                              \
        .rows_scores = vnn_attention_ukernel_rows_scores__##ISA,                         \
        .rows_accumulate = vnn_attention_ukernel_rows_accumulate__##ISA,                 \
    }

void vnn_attention_config_init(vnn_isa isa, struct vnn_attention_config *cfg)
{
    VNN_CONFIG_LADDER(isa, cfg, KERNEL, (1, scalar, 64, 128, NULL), (8, avx2, 384, 128, vnn_attention_ukernel_pack_kt8__avx2),
                      (16, avx512, 896, 256, vnn_attention_ukernel_pack_kt16__avx512),
                      (4, neon, 256, 192, NULL));
}

void vnn_attention_config_visit(const struct vnn_attention_config *cfg,
                                vnn_kernel_visitor fn, void *ctx)
{
    fn("attention", cfg->name, ctx);
}
