/* LSTM table entry per ISA: scalar first, then the ISA's own kernels. */
#include "dispatch/dispatch.h"
#include "kernels/lstm/lstm-ukernels.h"

#define KERNELS(V, ISA)                                                                  \
    (struct vnn_lstm_config)                                                             \
    {                                                                                    \
        .isa = isa, .gates_name = "vnn_lstm_ukernel_gates" #V "__" #ISA,                 \
        .fused_name = "vnn_lstm_ukernel_1x" #V "__" #ISA,                                \
        .gates = vnn_lstm_ukernel_gates##V##__##ISA, .fused = vnn_lstm_ukernel_1x##V##__##ISA, \
        .block = V,                                                                      \
    }

void vnn_lstm_config_init(vnn_isa isa, struct vnn_lstm_config *cfg)
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

void vnn_lstm_config_visit(const struct vnn_lstm_config *cfg, vnn_kernel_visitor fn, void *ctx)
{
    fn("lstm_gates", cfg->gates_name, ctx);
    fn("lstm_fused", cfg->fused_name, ctx);
}
