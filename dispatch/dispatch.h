/* Internal: the kernel tables and how they are chosen. Only dispatch/ knows
 * which CPU we are on; drivers ask it for the table of the selected ISA. */
#ifndef VNN_DISPATCH_H
#define VNN_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "vnn/cpu.h"
#include "kernels/gemm/gemm-config.h"
#include "kernels/conv/conv-config.h"
#include "kernels/pool/pool-config.h"
#include "kernels/vmath/vmath-config.h"
#include "kernels/eltwise/eltwise-config.h"
#include "kernels/norm/norm-config.h"
#include "kernels/lstm/lstm-config.h"
#include "kernels/attention/attention-config.h"

/* Every slot of every op is valid: filled with scalar first, then the
 * best supported ISA overrides (BLIS cntx_init / XNNPACK config ladder). */
struct vnn_kernel_table {
    vnn_isa isa;
    struct vnn_gemm_config gemm;
    struct vnn_conv_config conv;
    struct vnn_pool_config pool;
    struct vnn_vmath_config vmath;
    struct vnn_eltwise_config eltwise;
    struct vnn_norm_config norm;
    struct vnn_lstm_config lstm;
    struct vnn_attention_config attention;
};

/* config_init of an op whose entry per ISA is one literal from its MAKE
 * macro: scalar, then the requested ISA if this build has its kernels (the
 * other architecture's are not linked in). SCALAR .. NEON are MAKE's
 * parenthesized argument lists; the ladder sets .isa. */
#define VNN_CONFIG_LADDER(req, cfg, MAKE, SCALAR, AVX2, AVX512, NEON)                  \
    do {                                                                                \
        *(cfg) = MAKE SCALAR;                                                           \
        (cfg)->isa = VNN_ISA_SCALAR;                                                    \
        VNN_CONFIG_RUNGS_(req, cfg, MAKE, AVX2, AVX512, NEON)                           \
    } while (0)
#define VNN_CONFIG_RUNG_(req, cfg, MAKE, ARGS, LEVEL)                                  \
    if ((req) == (LEVEL)) {                                                             \
        *(cfg) = MAKE ARGS;                                                             \
        (cfg)->isa = (LEVEL);                                                           \
    }
#if defined(VNN_ARCH_X86_64)
#define VNN_CONFIG_RUNGS_(req, cfg, MAKE, AVX2, AVX512, NEON)                          \
    VNN_CONFIG_RUNG_(req, cfg, MAKE, AVX2, VNN_ISA_AVX2)                                \
    VNN_CONFIG_RUNG_(req, cfg, MAKE, AVX512, VNN_ISA_AVX512)
#elif defined(VNN_ARCH_AARCH64)
#define VNN_CONFIG_RUNGS_(req, cfg, MAKE, AVX2, AVX512, NEON)                          \
    VNN_CONFIG_RUNG_(req, cfg, MAKE, NEON, VNN_ISA_NEON)
#else
#define VNN_CONFIG_RUNGS_(req, cfg, MAKE, AVX2, AVX512, NEON) (void)(req);
#endif

/* Detection, done once; the result can be replaced by tests (mockable). */
const vnn_cpu_features *vnn_cpu_detected(void);
void vnn_cpu_detect(vnn_cpu_features *out);

/* Pure functions of a features struct, so tests can hand in masked ones. */
bool vnn_isa_supported_by(const vnn_cpu_features *f, vnn_isa isa);
vnn_isa vnn_isa_best_for(const vnn_cpu_features *f);
void vnn_kernel_table_fill(vnn_isa isa, struct vnn_kernel_table *table);

/* Writes "avx2 fma avx512f ..." (what the CPU has) into buf. */
void vnn_cpu_features_describe(const vnn_cpu_features *f, char *buf, size_t size);

/* The table of the selected ISA, or NULL when VNN_ISA asked for something
 * this machine cannot run (ops then return VNN_ERR_UNSUPPORTED_ISA). */
const struct vnn_kernel_table *vnn_kernels(void);

/* One row per op for `vnn info`: op name and the microkernel it runs. */
typedef void (*vnn_kernel_visitor)(const char *op, const char *ukernel, void *ctx);
void vnn_kernel_table_visit(const struct vnn_kernel_table *t, vnn_kernel_visitor fn,
                            void *ctx);

#endif
