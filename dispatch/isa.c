/* Choosing the ISA: detected once, forced by VNN_ISA or vnn_set_isa(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "dispatch/cache.h"
#include "dispatch/dispatch.h"
#include "kernels/common/error.h"

static const char *const isa_names[VNN_ISA_COUNT] = {"scalar", "avx2", "avx512", "neon"};

static once_flag init_once = ONCE_FLAG_INIT;
static vnn_cpu_features detected;
static struct vnn_kernel_table table;
static bool table_valid;
static char env_error[512];

const char *vnn_isa_name(vnn_isa isa)
{
    return (unsigned)isa < VNN_ISA_COUNT ? isa_names[isa] : "unknown";
}

vnn_status vnn_isa_parse(const char *name, vnn_isa *out)
{
    if (!name || !out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_isa_parse: %s is NULL", name ? "out" : "name");
    for (int i = 0; i < VNN_ISA_COUNT; i++) {
        if (strcmp(name, isa_names[i]) == 0) {
            *out = (vnn_isa)i;
            return VNN_OK;
        }
    }
    return vnn_error(VNN_ERR_UNSUPPORTED_ISA,
                     "vnn_isa_parse: \"%.40s\" is not an ISA name (scalar, avx2, avx512, neon)",
                     name);
}

bool vnn_isa_supported_by(const vnn_cpu_features *f, vnn_isa isa)
{
    switch (isa) {
    case VNN_ISA_SCALAR:
        return true;
#if defined(VNN_ARCH_X86_64)
    case VNN_ISA_AVX2:
        return f->avx2 && f->fma;
    case VNN_ISA_AVX512:
        return f->avx512f && f->avx512bw && f->avx512dq && f->avx512vl;
#elif defined(VNN_ARCH_AARCH64)
    case VNN_ISA_NEON:
        return f->neon;
#endif
    default:
        return false; /* not built into this binary */
    }
}

vnn_isa vnn_isa_best_for(const vnn_cpu_features *f)
{
    static const vnn_isa ladder[] = {VNN_ISA_AVX512, VNN_ISA_AVX2, VNN_ISA_NEON};
    for (size_t i = 0; i < sizeof ladder / sizeof ladder[0]; i++)
        if (vnn_isa_supported_by(f, ladder[i]))
            return ladder[i];
    return VNN_ISA_SCALAR;
}

void vnn_cpu_features_describe(const vnn_cpu_features *f, char *buf, size_t size)
{
    struct { bool on; const char *name; } flags[] = {
        {f->sse42, "sse4.2"},     {f->avx, "avx"},          {f->fma, "fma"},
        {f->avx2, "avx2"},        {f->avx512f, "avx512f"},  {f->avx512bw, "avx512bw"},
        {f->avx512dq, "avx512dq"}, {f->avx512vl, "avx512vl"}, {f->neon, "neon"},
    };
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (!flags[i].on)
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? " " : "", flags[i].name);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (used == 0)
        snprintf(buf, size, "(no SIMD)");
}

void vnn_kernel_table_fill(vnn_isa isa, struct vnn_kernel_table *t)
{
    t->isa = isa;
    vnn_gemm_config_init(isa, &t->gemm);
    vnn_gemm_config_block(&t->gemm, vnn_caches());
    vnn_conv_config_block(&t->conv, vnn_caches());
    vnn_conv_config_init(isa, &t->conv);
    vnn_pool_config_init(isa, &t->pool);
    vnn_vmath_config_init(isa, &t->vmath);
    vnn_eltwise_config_init(isa, &t->eltwise);
    vnn_norm_config_init(isa, &t->norm);
    vnn_lstm_config_init(isa, &t->lstm);
    vnn_attention_config_init(isa, &t->attention);
}

void vnn_kernel_table_visit(const struct vnn_kernel_table *t, vnn_kernel_visitor fn, void *ctx)
{
    fn("gemm", t->gemm.name, ctx);
    vnn_conv_config_visit(&t->conv, fn, ctx);
    vnn_pool_config_visit(&t->pool, fn, ctx);
    vnn_vmath_config_visit(&t->vmath, fn, ctx);
    vnn_eltwise_config_visit(&t->eltwise, fn, ctx);
    vnn_norm_config_visit(&t->norm, fn, ctx);
    vnn_lstm_config_visit(&t->lstm, fn, ctx);
    vnn_attention_config_visit(&t->attention, fn, ctx);
}

/* Message naming what was asked and what this machine offers. */
static void describe_unusable_to(const char *prefix, const char *requested, char *buf,
                                 size_t size)
{
    char have[256];
    vnn_cpu_features_describe(&detected, have, sizeof have);
    char usable[128] = "scalar";
    for (int i = 1; i < VNN_ISA_COUNT; i++) {
        if (vnn_isa_supported_by(&detected, (vnn_isa)i)) {
            strncat(usable, ", ", sizeof usable - strlen(usable) - 1);
            strncat(usable, isa_names[i], sizeof usable - strlen(usable) - 1);
        }
    }
    snprintf(buf, size, "%s%s cannot run here: this CPU (%s) has %s; usable values: %s",
             prefix, requested, detected.model, have, usable);
}

static void describe_unusable(const char *requested)
{
    describe_unusable_to("VNN_ISA=", requested, env_error, sizeof env_error);
}

static void init(void)
{
    vnn_cpu_detect(&detected);
    const char *req = getenv("VNN_ISA");
    vnn_isa isa = vnn_isa_best_for(&detected);
    if (req && *req) {
        vnn_isa forced;
        if (vnn_isa_parse(req, &forced) != VNN_OK || !vnn_isa_supported_by(&detected, forced)) {
            describe_unusable(req);
            return; /* table stays invalid: ops refuse to run */
        }
        isa = forced;
    }
    vnn_kernel_table_fill(isa, &table);
    table_valid = true;
}

const vnn_cpu_features *vnn_cpu_detected(void)
{
    call_once(&init_once, init);
    return &detected;
}

const struct vnn_kernel_table *vnn_kernels(void)
{
    call_once(&init_once, init);
    if (!table_valid) /* every op refuses to run: this is why */
        vnn_error(VNN_ERR_UNSUPPORTED_ISA, "%s", env_error);
    return table_valid ? &table : NULL;
}

vnn_status vnn_cpu_features_get(vnn_cpu_features *out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_cpu_features_get: out is NULL");
    *out = *vnn_cpu_detected();
    return VNN_OK;
}

bool vnn_isa_supported(vnn_isa isa)
{
    return vnn_isa_supported_by(vnn_cpu_detected(), isa);
}

vnn_isa vnn_get_isa(void)
{
    const struct vnn_kernel_table *t = vnn_kernels();
    return t ? t->isa : VNN_ISA_SCALAR;
}

vnn_status vnn_set_isa(vnn_isa isa)
{
    call_once(&init_once, init);
    if ((unsigned)isa >= VNN_ISA_COUNT)
        return vnn_error(VNN_ERR_UNSUPPORTED_ISA,
                         "vnn_set_isa: isa = %d is not a vnn_isa (0 .. %d)", (int)isa,
                         VNN_ISA_COUNT - 1);
    if (!vnn_isa_supported_by(&detected, isa)) {
        char why[512];
        describe_unusable_to("vnn_set_isa: ", isa_names[isa], why, sizeof why);
        return vnn_error(VNN_ERR_UNSUPPORTED_ISA, "%s", why);
    }
    vnn_kernel_table_fill(isa, &table);
    table_valid = true;
    env_error[0] = '\0';
    return VNN_OK;
}

const char *vnn_isa_env_error(void)
{
    call_once(&init_once, init);
    return env_error[0] ? env_error : NULL;
}
