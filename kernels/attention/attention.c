/* Public attention entry points: validate everything, then run the driver
 * (attention-driver.c) with the selected ISA's kernels. */
#include <math.h>
#include <stdint.h>

#include "dispatch/dispatch.h"
#include "kernels/common/args.h"
#include "kernels/common/error.h"
#include "kernels/attention/attention-driver.h"
#include "kernels/common/memory.h"
#include "vnn/attention.h"
#include "vnn/cpu.h"

/* Bytes spanned by the mask: its largest offset plus one element. */
static int mask_bytes(const vnn_attention_params *p, size_t *bytes)
{
    int64_t last = p->Sk - 1, t;
    if (p->mask_stride_n < 0 || p->mask_stride_h < 0 || p->mask_stride_q < 0)
        return 0;
    if (__builtin_mul_overflow(p->N - 1, p->mask_stride_n, &t) ||
        __builtin_add_overflow(last, t, &last) ||
        __builtin_mul_overflow(p->Hq - 1, p->mask_stride_h, &t) ||
        __builtin_add_overflow(last, t, &last) ||
        __builtin_mul_overflow(p->Sq - 1, p->mask_stride_q, &t) ||
        __builtin_add_overflow(last, t, &last))
        return 0;
    return vnn_float_bytes4(last + 1, 1, 1, 1, bytes);
}

/* Bytes of q (and out) and of k (and v), counted once by shape_ok. */
struct extents {
    size_t q, kv;
};

/* The shape part of the params (no tensors): sizes, heads, scale. */
static int shape_ok(const vnn_attention_params *p, struct extents *e)
{
    return p && p->N >= 1 && p->Sq >= 1 && p->Sk >= 1 && p->Hq >= 1 && p->Hkv >= 1 &&
           p->D >= 1 && p->Hq % p->Hkv == 0 && isfinite(p->scale) &&
           vnn_float_bytes4(p->N, p->Sq, p->Hq, p->D, &e->q) &&
           vnn_float_bytes4(p->N, p->Sk, p->Hkv, p->D, &e->kv);
}

/* For nt threads: the caller reads the thread count once and runs with the
 * same count it sized the workspace for (another thread may change it). */
static size_t workspace_for(const struct vnn_kernel_table *t, const vnn_attention_params *p,
                            size_t nt)
{
    return vnn_attention_workspace_bytes(&t->attention, &t->gemm, (size_t)p->D, nt);
}

/* Why shape_ok() refused p; VNN_OK if it did not. */
static vnn_status explain_shape(const char *fn, const vnn_attention_params *p)
{
    if (!p)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: params is NULL", fn);
    const struct {
        const char *name;
        int64_t v;
    } sizes[] = {{"N", p->N}, {"Sq", p->Sq}, {"Sk", p->Sk}, {"Hq", p->Hq}, {"Hkv", p->Hkv},
                 {"D", p->D}};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        if (sizes[i].v < 1)
            return vnn_error(VNN_ERR_INVALID_ARG, "%s: params->%s = %lld < 1", fn,
                             sizes[i].name, (long long)sizes[i].v);
    if (p->Hq % p->Hkv != 0)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: params->Hq = %lld is not a multiple of Hkv = %lld", fn,
                         (long long)p->Hq, (long long)p->Hkv);
    if (!isfinite(p->scale))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: params->scale = %g is not finite", fn,
                         (double)p->scale);
    struct extents e;
    if (!shape_ok(p, &e))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: q or k (N %lld, Sq %lld, Sk %lld, Hq %lld, Hkv %lld, D %lld) is "
                         "larger than PTRDIFF_MAX bytes",
                         fn, (long long)p->N, (long long)p->Sq, (long long)p->Sk,
                         (long long)p->Hq, (long long)p->Hkv, (long long)p->D);
    return VNN_OK;
}

/* Why args_ok() refused the call, as vnn_last_error(); VNN_ERR_INVALID_ARG. */
static vnn_status explain_args(const char *fn, const vnn_attention_params *p, const float *q,
                               const float *k, const float *v, const float *out)
{
    vnn_status st = explain_shape(fn, p);
    if (st != VNN_OK)
        return st;
    if (!q || !k || !v || !out)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn,
                         !q ? "q" : !k ? "k" : !v ? "v" : "out");
    if (p->key_lengths)
        for (int64_t n = 0; n < p->N; n++)
            if (p->key_lengths[n] < 0 || p->key_lengths[n] > p->Sk)
                return vnn_error(VNN_ERR_INVALID_ARG,
                                 "%s: params->key_lengths[%lld] = %lld outside [0, Sk = %lld]",
                                 fn, (long long)n, (long long)p->key_lengths[n],
                                 (long long)p->Sk);
    size_t mb;
    if (p->mask && !mask_bytes(p, &mb))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: params->mask_stride_n/h/q = %lld/%lld/%lld: negative, or the "
                         "mask spans more than PTRDIFF_MAX bytes",
                         fn, (long long)p->mask_stride_n, (long long)p->mask_stride_h,
                         (long long)p->mask_stride_q);
    return vnn_error(VNN_ERR_INVALID_ARG, "%s: out overlaps q, k, v, the mask or key_lengths",
                     fn);
}

vnn_status vnn_attention_workspace_size(const vnn_attention_params *params, size_t *bytes)
{
    struct extents e;
    if (!bytes)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_attention_workspace_size: bytes is NULL");
    if (!shape_ok(params, &e))
        return explain_shape("vnn_attention_workspace_size", params);
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    size_t b = workspace_for(t, params, (size_t)vnn_get_num_threads());
    if (!b)
        return VNN_ERR_INVALID_ARG;
    *bytes = b;
    return VNN_OK;
}

/* Everything but the workspace; e is set when it returns 1. */
static int args_ok(const vnn_attention_params *p, const float *q, const float *k,
                   const float *v, const float *out, struct extents *e)
{
    size_t mb = 0;
    if (!shape_ok(p, e) || !q || !k || !v || !out)
        return 0;
    const size_t qb = e->q, kb = e->kv;
    if (p->key_lengths)
        for (int64_t n = 0; n < p->N; n++)
            if (p->key_lengths[n] < 0 || p->key_lengths[n] > p->Sk)
                return 0;
    if (p->mask && (!mask_bytes(p, &mb) || vnn_overlaps(p->mask, mb, out, qb)))
        return 0;
    if (p->key_lengths && vnn_overlaps(p->key_lengths, (size_t)p->N * sizeof(int64_t), out, qb))
        return 0;
    return !vnn_overlaps(q, qb, out, qb) && !vnn_overlaps(k, kb, out, qb) &&
           !vnn_overlaps(v, kb, out, qb);
}

vnn_status vnn_attention(const vnn_attention_params *params, const float *q, const float *k,
                         const float *v, float *out, void *workspace, size_t workspace_bytes)
{
    static const char fn[] = "vnn_attention";
    struct extents e;
    if (!args_ok(params, q, k, v, out, &e))
        return explain_args(fn, params, q, k, v, out);
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    const size_t nt = (size_t)vnn_get_num_threads();
    size_t need = workspace_for(t, params, nt);
    if (!need)
        return VNN_ERR_INVALID_ARG;
    if (workspace) {
        if (workspace_bytes < need)
            return vnn_error(VNN_ERR_INVALID_ARG,
                             "%s: workspace_bytes = %zu, less than the %zu "
                             "vnn_attention_workspace_size() gives for %zu threads",
                             fn, workspace_bytes, need, nt);
        if (vnn_overlaps(workspace, workspace_bytes, out, e.q))
            return vnn_error(VNN_ERR_INVALID_ARG, "%s: workspace overlaps out", fn);
    } else if (!(workspace = vnn_scratch(need))) {
        return VNN_ERR_OUT_OF_MEMORY;
    }
    const vnn_attention_params *p = params;
    struct vnn_attention_job j = {
        .cfg = &t->attention, .gemm = &t->gemm,
        .N = (size_t)p->N, .Sq = (size_t)p->Sq, .Sk = (size_t)p->Sk, .Hq = (size_t)p->Hq,
        .Hkv = (size_t)p->Hkv, .D = (size_t)p->D,
        .scale = p->scale != 0.0f ? p->scale : (float)(1.0 / sqrt((double)p->D)),
        .causal = p->causal, .key_lengths = p->key_lengths, .mask = p->mask,
        .mask_sn = (size_t)p->mask_stride_n, .mask_sh = (size_t)p->mask_stride_h,
        .mask_sq = (size_t)p->mask_stride_q, .q = q, .k = k, .v = v, .out = out,
    };
    vnn_attention_execute(&j, workspace, nt);
    return VNN_OK;
}
