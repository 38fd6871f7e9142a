/* attention/<label>/<impl>: multi-head attention for each line of the
 * shapes file ("label N Sq Sk H Hkv D causal"):
 *   vnn     vnn_attention on the ISA vnn selected, q/k/v [N][S][H][D], its
 *           workspace queried and allocated once outside the timed loop
 *   onednn  what a oneDNN 2.6 user composes (it has no fused attention):
 *           matmul (S = scale * Q K^T), for causal a binary add of a
 *           broadcast [Sq][Sk] 0/-inf mask, softmax, matmul (O = P V), on head-major [N*H][S][D] copies (the
 *           layout its matmul likes best; the copies are not timed). The
 *           primitives and the N*H*Sq*Sk score buffer are created once,
 *           outside the timed loop. Skipped (with the reason) when the score
 *           buffer exceeds a quarter of the available memory.
 * Counters: GFLOPS = 4 * Sq * Sk * D * H per call (the two products), halved
 * for causal square problems (the work a causal kernel can skip), so both
 * impls of a shape have the same count; workspace_bytes = the extra memory
 * the impl needs (vnn: vnn_attention_workspace_size, every thread; oneDNN:
 * the score matrix plus its primitives' scratchpads).
 * Both run once before timing and a few rows are checked against a double
 * reference, so a broken implementation fails instead of reporting. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#include "bench-rand.h"
#include "bench.h"
#include "shapes-file.h"
#include "dispatch/dispatch.h" /* the microkernel names for the label */
#include "shim/vnn_bench.h"
#include "vnn/vnn.h"

enum impl { IMPL_VNN, IMPL_ONEDNN };

struct attn_case {
    char label[64];
    int64_t N, Sq, Sk, H, Hkv, D;
    int causal;
    enum impl impl;
};

#define SAMPLES 6

/* Inputs of the current shape, kept across runs (as bench-gemm.c). */
static struct {
    const struct attn_case *shape;
    float *q, *k, *v, *out;    /* [N][S][H][D] */
    float *qh, *kh, *vh, *oh;  /* head-major copies for oneDNN */
} cur;

static float *alloc_floats(int64_t n)
{
    return vb_alloc((size_t)n * sizeof(float));
}

static void data_free(void)
{
    float **bufs[] = {&cur.q, &cur.k, &cur.v, &cur.out, &cur.qh, &cur.kh, &cur.vh, &cur.oh};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        free(*bufs[i]);
        *bufs[i] = NULL;
    }
    cur.shape = NULL;
}

static int same_shape(const struct attn_case *a, const struct attn_case *b)
{
    return a && b && a->N == b->N && a->Sq == b->Sq && a->Sk == b->Sk && a->H == b->H &&
           a->Hkv == b->Hkv && a->D == b->D;
}

/* [N][S][H][D] -> [N][H][S][D] (K/V heads repeated for the query heads). */
static void to_heads(const float *x, int64_t N, int64_t S, int64_t Hx, int64_t H, int64_t D,
                     float *y)
{
    for (int64_t n = 0; n < N; n++)
        for (int64_t h = 0; h < H; h++)
            for (int64_t s = 0; s < S; s++)
                memcpy(y + ((n * H + h) * S + s) * D, x + ((n * S + s) * Hx + h / (H / Hx)) * D,
                       (size_t)D * sizeof(float));
}

static int data_get(const struct attn_case *c)
{
    if (same_shape(cur.shape, c))
        return 1;
    data_free();
    int64_t nq = c->N * c->Sq * c->H * c->D, nk = c->N * c->Sk * c->Hkv * c->D;
    int64_t nkh = c->N * c->Sk * c->H * c->D;
    cur.q = alloc_floats(nq), cur.out = alloc_floats(nq);
    cur.k = alloc_floats(nk), cur.v = alloc_floats(nk);
    cur.qh = alloc_floats(nq), cur.oh = alloc_floats(nq);
    cur.kh = alloc_floats(nkh), cur.vh = alloc_floats(nkh);
    if (!cur.q || !cur.out || !cur.k || !cur.v || !cur.qh || !cur.oh || !cur.kh || !cur.vh) {
        data_free();
        return 0;
    }
    for (int64_t i = 0; i < nq; i++)
        cur.q[i] = vb_rand_pm1();
    for (int64_t i = 0; i < nk; i++)
        cur.k[i] = vb_rand_pm1(), cur.v[i] = vb_rand_pm1();
    to_heads(cur.q, c->N, c->Sq, c->H, c->H, c->D, cur.qh);
    to_heads(cur.k, c->N, c->Sk, c->Hkv, c->H, c->D, cur.kh);
    to_heads(cur.v, c->N, c->Sk, c->Hkv, c->H, c->D, cur.vh);
    cur.shape = c;
    return 1;
}

/* Row (n, h, i) of the output in double, from the [N][S][H][D] inputs. */
static void ref_row(const struct attn_case *c, int64_t n, int64_t h, int64_t i, double *o)
{
    const int64_t G = c->H / c->Hkv, D = c->D;
    const double scale = 1.0 / sqrt((double)D);
    int64_t last = c->causal ? i + c->Sk - c->Sq : c->Sk - 1;
    double mx = -INFINITY, sum = 0.0;
    const float *q = cur.q + ((n * c->Sq + i) * c->H + h) * D;
    double *s = malloc((size_t)(last + 1) * sizeof *s);
    for (int64_t j = 0; j <= last; j++) {
        const float *k = cur.k + ((n * c->Sk + j) * c->Hkv + h / G) * D;
        double dot = 0.0;
        for (int64_t d = 0; d < D; d++)
            dot += (double)q[d] * k[d];
        s[j] = dot * scale;
        mx = s[j] > mx ? s[j] : mx;
    }
    for (int64_t d = 0; d < D; d++)
        o[d] = 0.0;
    for (int64_t j = 0; j <= last; j++) {
        double e = exp(s[j] - mx);
        sum += e;
        const float *v = cur.v + ((n * c->Sk + j) * c->Hkv + h / G) * D;
        for (int64_t d = 0; d < D; d++)
            o[d] += e * v[d];
    }
    for (int64_t d = 0; d < D; d++)
        o[d] /= sum;
    free(s);
}

static const char *check(const struct attn_case *c, const float *out, int head_major)
{
    static char msg[160];
    double *o = malloc((size_t)c->D * sizeof *o);
    for (int t = 0; t < SAMPLES; t++) {
        int64_t n = t % c->N, h = (t * 5) % c->H, i = (t * 7919) % c->Sq;
        if (t == 0)
            i = c->Sq - 1;
        ref_row(c, n, h, i, o);
        const float *row = head_major ? out + ((n * c->H + h) * c->Sq + i) * c->D
                                      : out + ((n * c->Sq + i) * c->H + h) * c->D;
        for (int64_t d = 0; d < c->D; d++)
            if (!(fabs(row[d] - o[d]) <= 1e-4)) {
                snprintf(msg, sizeof msg, "wrong result: out[%lld][%lld][%lld][%lld] = %.7g, "
                         "expected %.7g", (long long)n, (long long)i, (long long)h,
                         (long long)d, (double)row[d], o[d]);
                free(o);
                return msg;
            }
    }
    free(o);
    return NULL;
}

static double flops(const struct attn_case *c)
{
    double f = 4.0 * (double)c->Sq * (double)c->Sk * (double)c->D * (double)c->H * (double)c->N;
    return c->causal && c->Sq == c->Sk ? f / 2.0 : f;
}

static void finish(vb_state *st, const struct attn_case *c, const char *label, double ws)
{
    vb_set_label(st, label);
    vb_set_counter(st, "GFLOPS", flops(c) * (double)vb_iterations(st) / 1e9, VB_RATE);
    vb_set_counter(st, "workspace_bytes", ws, VB_PLAIN);
}

static void bench_vnn(vb_state *st, const struct attn_case *c)
{
    vnn_attention_params p = {
        .N = c->N, .Sq = c->Sq, .Sk = c->Sk, .Hq = c->H, .Hkv = c->Hkv, .D = c->D,
        .causal = c->causal,
    };
    size_t ws_bytes = 0;
    vnn_status s = vnn_attention_workspace_size(&p, &ws_bytes);
    void *ws = s == VNN_OK ? vb_alloc(ws_bytes) : NULL;
    const char *err = s != VNN_OK ? vnn_status_str(s) : !ws ? "out of memory" : NULL;
    if (!err) {
        s = vnn_attention(&p, cur.q, cur.k, cur.v, cur.out, ws, ws_bytes);
        err = s == VNN_OK ? check(c, cur.out, 0) : vnn_status_str(s);
    }
    if (err) {
        vb_skip_with_error(st, err);
    } else {
        while (vb_keep_running(st))
            vnn_attention(&p, cur.q, cur.k, cur.v, cur.out, ws, ws_bytes);
        const struct vnn_kernel_table *t = vnn_kernels();
        char label[160];
        snprintf(label, sizeof label, "%s %s + %s", vnn_isa_name(vnn_get_isa()),
                 t->attention.name, t->gemm.name);
        finish(st, c, label, (double)ws_bytes);
    }
    free(ws);
}

/* ------------------------------------------------------------- oneDNN */

/* The composed reference: up to four primitives run in order, each with its
 * own argument list (and a user scratchpad, so nothing is allocated in the
 * timed loop). */
#define MAX_STEPS 4
struct dnnl_plan {
    dnnl_engine_t eng;
    dnnl_stream_t strm;
    int steps;
    dnnl_primitive_desc_t pd[MAX_STEPS];
    dnnl_primitive_t prim[MAX_STEPS];
    dnnl_exec_arg_t args[MAX_STEPS][5];
    int nargs[MAX_STEPS];
    dnnl_memory_t mem[6 + MAX_STEPS]; /* q, k, s, v, o, mask, scratchpads */
    float *scores, *mask;
    void *scratch[MAX_STEPS];
    size_t bytes;
};

#define TRY(call)                                                                        \
    do {                                                                                 \
        dnnl_status_t st_ = (call);                                                      \
        if (st_ != dnnl_success) {                                                       \
            err = dnnl_status2str(st_);                                                  \
            goto out;                                                                    \
        }                                                                                \
    } while (0)

static void plan_free(struct dnnl_plan *P)
{
    for (int i = 0; i < 6 + MAX_STEPS; i++)
        dnnl_memory_destroy(P->mem[i]);
    for (int i = 0; i < MAX_STEPS; i++) {
        dnnl_primitive_destroy(P->prim[i]);
        dnnl_primitive_desc_destroy(P->pd[i]);
        free(P->scratch[i]);
    }
    free(P->scores);
    free(P->mask);
    dnnl_stream_destroy(P->strm);
    dnnl_engine_destroy(P->eng);
}

enum { M_Q, M_K, M_S, M_V, M_O, M_MASK, M_SCRATCH };

/* Appends a step: its primitive, its arguments (id, memory index) and a
 * scratchpad if it wants one; if scale is not NULL, *scale as an output
 * scale. */
static const char *add_step(struct dnnl_plan *P, const void *desc, int n, const int *ids,
                            const int *mems, const float *scale)
{
    const char *err = NULL;
    dnnl_primitive_attr_t attr = NULL;
    int i = P->steps++;
    TRY(dnnl_primitive_attr_create(&attr));
    TRY(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
    if (scale)
        TRY(dnnl_primitive_attr_set_output_scales(attr, 1, 0, scale));
    TRY(dnnl_primitive_desc_create(&P->pd[i], desc, attr, P->eng, NULL));
    TRY(dnnl_primitive_create(&P->prim[i], P->pd[i]));
    for (int a = 0; a < n; a++)
        P->args[i][a] = (dnnl_exec_arg_t){ids[a], P->mem[mems[a]]};
    P->nargs[i] = n;
    const dnnl_memory_desc_t *spd =
        dnnl_primitive_desc_query_md(P->pd[i], dnnl_query_scratchpad_md, 0);
    size_t sz = spd ? dnnl_memory_desc_get_size(spd) : 0;
    if (sz) {
        P->scratch[i] = vb_alloc(sz);
        if (!P->scratch[i]) {
            err = "out of memory for a scratchpad";
            goto out;
        }
        P->bytes += sz;
        TRY(dnnl_memory_create(&P->mem[M_SCRATCH + i], spd, P->eng, P->scratch[i]));
        P->args[i][P->nargs[i]++] =
            (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, P->mem[M_SCRATCH + i]};
    }
out:
    dnnl_primitive_attr_destroy(attr);
    return err;
}

static const char *plan_make(const struct attn_case *c, struct dnnl_plan *P)
{
    const char *err = NULL;
    const int64_t B = c->N * c->H, Sq = c->Sq, Sk = c->Sk, D = c->D;
    TRY(dnnl_engine_create(&P->eng, dnnl_cpu, 0));
    TRY(dnnl_stream_create(&P->strm, P->eng, dnnl_stream_default_flags));
    dnnl_memory_desc_t qd, kd, sd, vd, od, md;
    dnnl_dims_t qdims = {B, Sq, D}, kdims = {B, D, Sk}, sdims = {B, Sq, Sk},
                vdims = {B, Sk, D}, mdims = {1, Sq, Sk};
    dnnl_dims_t kstr = {Sk * D, 1, D}; /* K stored [B][Sk][D]: K^T by strides */
    TRY(dnnl_memory_desc_init_by_tag(&qd, 3, qdims, dnnl_f32, dnnl_abc));
    TRY(dnnl_memory_desc_init_by_strides(&kd, 3, kdims, dnnl_f32, kstr));
    TRY(dnnl_memory_desc_init_by_tag(&sd, 3, sdims, dnnl_f32, dnnl_abc));
    TRY(dnnl_memory_desc_init_by_tag(&vd, 3, vdims, dnnl_f32, dnnl_abc));
    TRY(dnnl_memory_desc_init_by_tag(&od, 3, qdims, dnnl_f32, dnnl_abc));
    TRY(dnnl_memory_desc_init_by_tag(&md, 3, mdims, dnnl_f32, dnnl_abc));
    P->scores = alloc_floats(B * Sq * Sk);
    if (!P->scores) {
        err = "out of memory for the score matrix";
        goto out;
    }
    P->bytes = (size_t)(B * Sq * Sk) * sizeof(float);
    TRY(dnnl_memory_create(&P->mem[M_Q], &qd, P->eng, cur.qh));
    TRY(dnnl_memory_create(&P->mem[M_K], &kd, P->eng, cur.kh));
    TRY(dnnl_memory_create(&P->mem[M_S], &sd, P->eng, P->scores));
    TRY(dnnl_memory_create(&P->mem[M_V], &vd, P->eng, cur.vh));
    TRY(dnnl_memory_create(&P->mem[M_O], &od, P->eng, cur.oh));
    /* S = scale * Q K^T: the scale as an output scale of the matmul. */
    {
        float scale = (float)(1.0 / sqrt((double)D));
        dnnl_matmul_desc_t m1;
        TRY(dnnl_matmul_desc_init(&m1, &qd, &kd, NULL, &sd));
        int ids[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
        int mems[3] = {M_Q, M_K, M_S};
        if ((err = add_step(P, &m1, 3, ids, mems, &scale)))
            goto out;
    }
    if (c->causal) { /* S += mask: -inf above the bottom-right diagonal, broadcast */
        P->mask = alloc_floats(Sq * Sk);
        if (!P->mask) {
            err = "out of memory for the mask";
            goto out;
        }
        for (int64_t i = 0; i < Sq; i++)
            for (int64_t j = 0; j < Sk; j++)
                P->mask[i * Sk + j] = j <= i + Sk - Sq ? 0.0f : -INFINITY;
        P->bytes += (size_t)(Sq * Sk) * sizeof(float);
        TRY(dnnl_memory_create(&P->mem[M_MASK], &md, P->eng, P->mask));
        dnnl_binary_desc_t bd;
        TRY(dnnl_binary_desc_init(&bd, dnnl_binary_add, &sd, &md, &sd));
        int ids[3] = {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST};
        int mems[3] = {M_S, M_MASK, M_S};
        if ((err = add_step(P, &bd, 3, ids, mems, NULL)))
            goto out;
    }
    dnnl_softmax_desc_t sm;
    TRY(dnnl_softmax_forward_desc_init(&sm, dnnl_forward_inference, &sd, 2));
    {
        int ids[2] = {DNNL_ARG_SRC, DNNL_ARG_DST}, mems[2] = {M_S, M_S};
        if ((err = add_step(P, &sm, 2, ids, mems, NULL)))
            goto out;
    }
    dnnl_matmul_desc_t m2;
    TRY(dnnl_matmul_desc_init(&m2, &sd, &vd, NULL, &od));
    {
        int ids[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
        int mems[3] = {M_S, M_V, M_O};
        err = add_step(P, &m2, 3, ids, mems, NULL);
    }
out:
    return err;
}

static const char *plan_run(const struct dnnl_plan *P)
{
    dnnl_status_t st = dnnl_success;
    for (int i = 0; i < P->steps && st == dnnl_success; i++)
        st = dnnl_primitive_execute(P->prim[i], P->strm, P->nargs[i], P->args[i]);
    if (st == dnnl_success)
        st = dnnl_stream_wait(P->strm);
    return st == dnnl_success ? NULL : dnnl_status2str(st);
}

static void bench_onednn(vb_state *st, const struct attn_case *c)
{
    double score_bytes = (double)c->N * (double)c->H * (double)c->Sq * (double)c->Sk * 4.0;
    double avail = (double)sysconf(_SC_AVPHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (score_bytes > avail / 4) {
        char msg[160];
        snprintf(msg, sizeof msg, "skipped: the %.0f MiB score matrix exceeds a quarter of "
                 "the %.0f MiB available", score_bytes / 1048576.0, avail / 1048576.0);
        vb_skip_with_error(st, msg);
        return;
    }
    struct dnnl_plan P = {0};
    const char *err = plan_make(c, &P);
    if (!err)
        err = plan_run(&P);
    if (!err)
        err = check(c, cur.oh, 1);
    if (err) {
        vb_skip_with_error(st, err);
    } else {
        while (vb_keep_running(st))
            plan_run(&P);
        char label[160];
        int len = vb_onednn_label(label, sizeof label, NULL);
        for (int i = 0; i < P.steps && len > 0 && (size_t)len < sizeof label; i++) {
            const char *impl = "";
            dnnl_primitive_desc_query(P.pd[i], dnnl_query_impl_info_str, 0, &impl);
            len += snprintf(label + len, sizeof label - (size_t)len, "%s%s", i ? "+" : " ",
                            impl);
        }
        finish(st, c, label, (double)P.bytes);
    }
    plan_free(&P);
}

static void bench_attention(vb_state *st, void *arg)
{
    const struct attn_case *c = arg;
    if (!data_get(c)) {
        vb_skip_with_error(st, "out of memory");
        return;
    }
    if (c->impl == IMPL_VNN)
        bench_vnn(st, c);
    else
        bench_onednn(st, c);
}

/* "label N Sq Sk H Hkv D causal", # starts a comment. */
static bool add_line(const struct vb_shape_line *line, void *ctx)
{
    (void)ctx;
    int64_t v[7];
    if (line->nfields != 8 || !vb_shape_label_ok(line) || !vb_shape_ints(line, 1, 6, 1, v) ||
        !vb_shape_ints(line, 7, 1, 0, v + 6) || v[3] % v[4] != 0 || v[6] > 1) {
        fprintf(stderr, "vnn-bench: %s:%d: expected \"label N Sq Sk H Hkv D causal\"\n",
                line->path, line->lineno);
        return false;
    }
    static const char *const names[] = {"vnn", "onednn"};
    for (int impl = IMPL_VNN; impl <= IMPL_ONEDNN; impl++) {
        struct attn_case *p = malloc(sizeof *p); /* lives until exit */
        if (!p) {
            fprintf(stderr, "vnn-bench: out of memory\n");
            return false;
        }
        *p = (struct attn_case){.N = v[0], .Sq = v[1], .Sk = v[2], .H = v[3], .Hkv = v[4],
                                .D = v[5], .causal = (int)v[6], .impl = (enum impl)impl};
        snprintf(p->label, sizeof p->label, "%s", line->field[0]);
        char name[128];
        snprintf(name, sizeof name, "attention/%s/%s", line->field[0], names[impl]);
        vb_register(name, bench_attention, p);
    }
    return true;
}

bool vb_register_attention(const char *shapes_path)
{
    return vb_read_shapes(shapes_path, "attention", add_line, NULL);
}
