/* LSTM table entry per ISA: scalar first, then the ISA's own kernels. */
#include "dispatch/dispatch.h"
#include "kernels/lstm/lstm-ukernels.h"

#define KERNELS(V, ISA)                                                                  \
    (struct vnn_lstm_config)                                                             \
    {                                                                                    \
        .gates_name = "vnn_lstm_ukernel_gates" #V "__" #ISA,                             \
        .fused_name = "vnn_lstm_ukernel_1x" #V "__" #ISA,                                \
        .gates = vnn_lstm_ukernel_gates##V##__##ISA, .fused = vnn_lstm_ukernel_1x##V##__##ISA, \
        .block = V,                                                                      \
    }

void vnn_lstm_config_init(vnn_isa isa, struct vnn_lstm_config *cfg)
{
    VNN_CONFIG_LADDER(isa, cfg, KERNELS, (1, scalar), (8, avx2), (16, avx512), (4, neon));
}

void vnn_lstm_config_visit(const struct vnn_lstm_config *cfg, vnn_kernel_visitor fn, void *ctx)
{
    fn("lstm_gates", cfg->gates_name, ctx);
    fn("lstm_fused", cfg->fused_name, ctx);
}
