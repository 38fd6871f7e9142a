/* Attention suite: every ISA this machine runs, against oneDNN matmul +
 * softmax + matmul (attention-reference.h).
 *
 * Error bound. Attention is not exact in float: the two implementations
 * round the logits, the exp and the sums differently. Each output is a
 * convex combination of V rows, so errors are measured relative to the
 * output's size: nmse = sum (out - ref)^2 / sum ref^2 (ggml's test measure).
 * Sources, per output element, relative: a logit s = scale * q.k of D
 * products carries an absolute error up to about D * 2^-24 * |s|max (for
 * the |s| <= ~20 here: <= 1.5e-4 at D = 128, typically sqrt(D) times less),
 * which exp turns into the same relative error in a probability; vnn's exp
 * adds ~4e-7 relative, the sum of Sk probabilities and of D products
 * ~sqrt(Sk or D) * 6e-8 each on average. Typical relative errors are thus
 * ~1e-5 or below, i.e. nmse ~1e-10; the bound 1e-8 (relative RMS error
 * 1e-4) leaves two orders of magnitude of room yet catches any real bug
 * (a dropped key, a wrong rescale, a missed mask: nmse >~ 1e-4; a skipped
 * accumulator rescale gave 3e-3). Observed on AVX-512/AVX2/scalar: <= 5e-13.
 * The large-logits group (|s| up to 1e4) scales the first source by 500:
 * there the bound is 1e-4 and the point is that nothing is NaN or Inf.
 *
 * The output starts as NaN (an element vnn does not write fails) between
 * guard zones that must come back untouched. One test per (ISA, group);
 * ATTN_SUITE at the bottom generates them, an ISA the machine lacks skips. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention-reference.h"
#include "dispatch/dispatch.h"
#include "vnn/vnn.h"
#include "vt.h"

#define SENTINEL 1234.5f
#define NMSE_BOUND 1e-8
#define NMSE_BOUND_LARGE 1e-4

enum mask_kind { MASK_NONE, MASK_FULL, MASK_KEYS, MASK_ROWS };

struct acase {
    int64_t N, Sq, Sk, Hq, Hkv, D;
    int causal, lengths;
    enum mask_kind mask;
    float scale;     /* 0: default */
    float magnitude; /* inputs uniform in [-magnitude, magnitude] */
};

struct abufs {
    size_t qn, kn, on, mn;
    float *q, *k, *v, *out, *ref, *mask; /* guarded; inputs read-only once filled */
    int64_t *len;
    vnn_attention_params p;
};

static double worst_nmse; /* of the current group, for the log */

static void begin(vnn_isa isa, const char *group)
{
    worst_nmse = 0.0;
    vt_use_isa(isa);
    VT_CHECK(vnn_set_num_threads(2) == VNN_OK, "vnn_set_num_threads(2) failed");
    const struct vnn_kernel_table *t = vnn_kernels();
    vt_log("attention/%s/%s: %s + %s; reference: %s", vnn_isa_name(isa), group,
           t->attention.name, t->gemm.name, attn_ref_name());
}

static float uniform(vt_rng *r, float m)
{
    return (float)vt_rng_int(r, -1000000, 1000000) * (m / 1000000.0f);
}

static void describe(const struct acase *c, char *buf, size_t size)
{
    static const char *const masks[] = {"", " mask", " keymask", " rowmask(-inf)"};
    snprintf(buf, size, "N=%lld Sq=%lld Sk=%lld Hq=%lld Hkv=%lld D=%lld%s%s%s scale=%g mag=%g",
             (long long)c->N, (long long)c->Sq, (long long)c->Sk, (long long)c->Hq,
             (long long)c->Hkv, (long long)c->D, c->causal ? " causal" : "",
             c->lengths ? " lengths" : "", masks[c->mask], (double)c->scale,
             (double)c->magnitude);
}

static void ab_make(const struct acase *c, vt_rng *r, struct abufs *b)
{
    *b = (struct abufs){0};
    b->qn = (size_t)(c->N * c->Sq * c->Hq * c->D);
    b->kn = (size_t)(c->N * c->Sk * c->Hkv * c->D);
    b->on = b->qn;
    b->q = vt_alloc_floats(b->qn);
    b->k = vt_alloc_floats(b->kn);
    b->v = vt_alloc_floats(b->kn);
    b->out = vt_alloc_floats(b->on);
    b->ref = vt_alloc_floats(b->on);
    for (size_t i = 0; i < b->qn; i++)
        b->q[i] = uniform(r, c->magnitude);
    for (size_t i = 0; i < b->kn; i++) {
        b->k[i] = uniform(r, c->magnitude);
        b->v[i] = uniform(r, 1.0f);
    }
    vnn_attention_params p = {
        .N = c->N, .Sq = c->Sq, .Sk = c->Sk, .Hq = c->Hq, .Hkv = c->Hkv, .D = c->D,
        .scale = c->scale, .causal = c->causal,
    };
    if (c->lengths) {
        b->len = vt_alloc_bytes((size_t)c->N * sizeof(int64_t), sizeof(int64_t));
        for (int64_t n = 0; n < c->N; n++) /* 0 (all masked) now and then */
            b->len[n] = vt_rng_int(r, 0, 7) == 0 ? 0 : vt_rng_int(r, 1, (int)c->Sk);
        p.key_lengths = b->len;
    }
    if (c->mask == MASK_FULL) { /* [N][Hq][Sq][Sk], some -inf */
        b->mn = (size_t)(c->N * c->Hq * c->Sq * c->Sk);
        b->mask = vt_alloc_floats(b->mn);
        for (size_t i = 0; i < b->mn; i++)
            b->mask[i] = vt_rng_int(r, 0, 9) == 0 ? -INFINITY : uniform(r, 2.0f);
        p.mask_stride_q = c->Sk;
        p.mask_stride_h = c->Sq * c->Sk;
        p.mask_stride_n = c->Hq * c->Sq * c->Sk;
    } else if (c->mask == MASK_KEYS) { /* [N][Sk] 0 / -inf, broadcast */
        b->mn = (size_t)(c->N * c->Sk);
        b->mask = vt_alloc_floats(b->mn);
        for (size_t i = 0; i < b->mn; i++)
            b->mask[i] = vt_rng_int(r, 0, 3) == 0 ? -INFINITY : 0.0f;
        p.mask_stride_n = c->Sk;
    } else if (c->mask == MASK_ROWS) { /* [Sq][Sk]: every other row all -inf */
        b->mn = (size_t)(c->Sq * c->Sk);
        b->mask = vt_alloc_floats(b->mn);
        for (int64_t i = 0; i < c->Sq; i++)
            for (int64_t j = 0; j < c->Sk; j++)
                b->mask[i * c->Sk + j] = i % 2 ? -INFINITY : uniform(r, 1.0f);
        p.mask_stride_q = c->Sk;
    }
    p.mask = b->mask;
    b->p = p;
    vt_readonly(b->q);
    vt_readonly(b->k);
    vt_readonly(b->v);
    vt_readonly(b->len);
    vt_readonly(b->mask);
}

static void ab_free(struct abufs *b)
{
    vt_free(b->q);
    vt_free(b->k);
    vt_free(b->v);
    vt_free(b->out);
    vt_free(b->ref);
    vt_free(b->mask);
    vt_free(b->len);
    *b = (struct abufs){0};
}

/* Runs vnn (workspace from the API, or vnn's own) and checks it against
 * the reference computed earlier into b->ref; `what` names the case. */
static void check_out(struct abufs *b, double bound, int own_ws, const char *what)
{
    vt_fill_nan(b->out, b->on);
    size_t ws_bytes = 0;
    void *ws = NULL;
    if (!own_ws) {
        VT_CHECK(vnn_attention_workspace_size(&b->p, &ws_bytes) == VNN_OK,
                 "%s: workspace query failed", what);
        ws = vt_alloc_bytes(ws_bytes, sizeof(float)); /* alignment only recommended */
    }
    vnn_status st = vnn_attention(&b->p, b->q, b->k, b->v, b->out, ws, ws_bytes);
    vt_guard_check(ws, what);
    vt_free(ws);
    VT_CHECK(st == VNN_OK, "%s: vnn_attention returned %s", what, vnn_status_str(st));
    vt_guard_check(b->out, what);
    double err = 0.0, mag = 0.0;
    for (size_t i = 0; i < b->on; i++) {
        VT_CHECK(isfinite(b->out[i]), "%s: out[%zu] = %g is not finite", what, i,
                 (double)b->out[i]);
        double d = (double)b->out[i] - b->ref[i];
        err += d * d;
        mag += (double)b->ref[i] * b->ref[i];
    }
    double nmse = mag > 0.0 ? err / mag : err;
    worst_nmse = nmse > worst_nmse ? nmse : worst_nmse;
    VT_CHECK(nmse <= bound, "%s: nmse %.3g > %.3g", what, nmse, bound);
}

/* Rows the reference zeroes (fully masked) must be exactly zero in vnn. */
static void check_zero_rows(const struct acase *c, const struct abufs *b)
{
    const int64_t D = c->D;
    for (size_t row = 0; row < b->on / (size_t)D; row++) {
        int zero = 1;
        for (int64_t d = 0; d < D; d++)
            zero &= b->ref[row * (size_t)D + (size_t)d] == 0.0f;
        if (!zero)
            continue;
        for (int64_t d = 0; d < D; d++)
            VT_CHECK(b->out[row * (size_t)D + (size_t)d] == 0.0f,
                     "fully masked row %zu: out = %g, expected 0", row,
                     (double)b->out[row * (size_t)D + (size_t)d]);
    }
}

static void end_group(void) { vt_log("worst nmse %.3g", worst_nmse); }

static void run_case(const struct acase *c, vt_rng *r, double bound, int own_ws)
{
    struct abufs b;
    ab_make(c, r, &b);
    char what[200];
    describe(c, what, sizeof what);
    VT_CHECK(attn_ref(&b.p, b.q, b.k, b.v, b.ref) == 0, "%s: reference failed", what);
    check_out(&b, bound, own_ws, what);
    check_zero_rows(c, &b);
    ab_free(&b);
}

/* A table of n cases; vnn's own workspace every other case if alternate_ws,
 * else always the API's. */
static void run_cases(const struct acase *cases, size_t n, vt_rng *r, double bound,
                      int alternate_ws)
{
    for (size_t i = 0; i < n; i++)
        run_case(&cases[i], r, bound, alternate_ws ? (int)i % 2 : 0);
}

/* ------------------------------------------------------------- groups */

static const int64_t edge_s[] = {1, 2, 17, 63, 65};
static const int64_t edge_d[] = {1, 8, 40, 64, 80, 128};

static void group_edge(vnn_isa isa)
{
    begin(isa, "edge");
    vt_rng r = vt_rng_make("attention-edge");
    int n = 0;
    for (size_t si = 0; si < sizeof edge_s / sizeof edge_s[0]; si++)
        for (size_t di = 0; di < sizeof edge_d / sizeof edge_d[0]; di++, n++) {
            struct acase c = {
                .N = 1 + n % 2, .Sq = edge_s[si], .Sk = edge_s[si],
                .Hq = (1 + n / 2 % 2) * (1 + n % 3), .Hkv = 1 + n / 2 % 2, .D = edge_d[di], .causal = n % 2, .lengths = n % 5 == 1,
                .mask = (enum mask_kind)(n % 4 == 3 ? MASK_FULL : MASK_NONE),
                .magnitude = 1.5f,
            };
            run_case(&c, &r, NMSE_BOUND, n % 2);
        }
    /* S = 1000, and causal with Sq != Sk (bottom-right: with Sq > Sk the
     * first Sq - Sk rows see nothing and are zero). */
    static const struct acase more[] = {
        {1, 1000, 1000, 1, 1, 40, 0, 0, MASK_NONE, 0.0f, 1.0f},
        {1, 1000, 1000, 1, 1, 8, 1, 0, MASK_NONE, 0.0f, 2.0f},
        {1, 17, 65, 2, 2, 40, 1, 0, MASK_NONE, 0.0f, 1.0f},
        {2, 65, 17, 4, 2, 64, 1, 0, MASK_NONE, 0.0f, 1.0f},
        {1, 1, 1000, 8, 2, 128, 1, 0, MASK_NONE, 0.0f, 1.0f},
        {2, 63, 2, 3, 1, 80, 1, 1, MASK_NONE, 0.0f, 1.0f},
        {1, 2, 63, 4, 4, 32, 1, 1, MASK_KEYS, 0.0f, 1.0f},
        {1, 300, 257, 1, 1, 128, 1, 1, MASK_NONE, 0.3f, 1.0f},
    };
    run_cases(more, sizeof more / sizeof more[0], &r, NMSE_BOUND, 1);
    end_group();
}

static int64_t pick_d(vt_rng *r)
{
    static const int64_t common[] = {32, 64, 128};
    return vt_rng_int(r, 0, 1) ? common[vt_rng_int(r, 0, 2)] : vt_rng_int(r, 1, 130);
}

static void group_random(vnn_isa isa)
{
    begin(isa, "random");
    vt_rng r = vt_rng_make("attention-random");
    int count = vt_count(100);
    for (int t = 0; t < count; t++) {
        int64_t hkv = vt_rng_int(&r, 1, 2);
        struct acase c = {
            .N = vt_rng_int(&r, 1, 2), .Sq = vt_rng_int(&r, 1, 64),
            .Sk = vt_rng_int(&r, 1, 200), .Hq = hkv * vt_rng_int(&r, 1, 3), .Hkv = hkv,
            .D = pick_d(&r), .causal = vt_rng_int(&r, 0, 1), .lengths = vt_rng_int(&r, 0, 2) == 0,
            .mask = (enum mask_kind)vt_rng_int(&r, 0, 3),
            .scale = vt_rng_int(&r, 0, 3) == 0 ? uniform(&r, 0.5f) : 0.0f,
            .magnitude = 0.5f + (float)vt_rng_int(&r, 0, 30) / 10.0f,
        };
        run_case(&c, &r, NMSE_BOUND, t % 2);
    }
    end_group();
}

/* Logits of +-1e4: nothing may overflow into Inf or NaN. */
static void group_large_logits(vnn_isa isa)
{
    begin(isa, "large_logits");
    vt_rng r = vt_rng_make("attention-large");
    static const struct acase cases[] = {
        {1, 33, 300, 2, 1, 64, 0, 0, MASK_NONE, 1e4f / 64.0f, 1.0f},
        {1, 70, 70, 2, 2, 16, 1, 0, MASK_NONE, 1e4f / 16.0f, 1.0f},
        {1, 1, 700, 4, 1, 128, 0, 0, MASK_NONE, -1e4f / 128.0f, 1.0f},
        {2, 20, 40, 2, 1, 8, 1, 1, MASK_FULL, 1e4f / 8.0f, 1.0f},
    };
    run_cases(cases, sizeof cases / sizeof cases[0], &r, NMSE_BOUND_LARGE, 0);
    end_group();
}

/* Fully masked rows (lengths 0, all -inf rows, causal with Sq > Sk). */
static void group_masked(vnn_isa isa)
{
    begin(isa, "masked");
    vt_rng r = vt_rng_make("attention-masked");
    static const struct acase cases[] = {
        {2, 9, 30, 2, 1, 64, 0, 0, MASK_ROWS, 0.0f, 1.0f},
        {1, 40, 5, 2, 2, 32, 1, 0, MASK_ROWS, 0.0f, 1.0f},
        {3, 12, 300, 2, 2, 8, 0, 1, MASK_NONE, 0.0f, 1.0f},
        {1, 1, 600, 1, 1, 64, 0, 0, MASK_ROWS, 0.0f, 1.0f}, /* the one row is masked */
    };
    run_cases(cases, sizeof cases / sizeof cases[0], &r, NMSE_BOUND, 1);
    end_group();
}

/* Decode: one query, long keys, few heads, two threads: the split-key path
 * with merged partial states, also with lengths and GQA. */
static void group_decode(vnn_isa isa)
{
    begin(isa, "decode");
    vt_rng r = vt_rng_make("attention-decode");
    static const struct acase cases[] = {
        {1, 1, 4000, 1, 1, 128, 0, 0, MASK_NONE, 0.0f, 2.0f},
        {1, 1, 3001, 4, 1, 64, 1, 0, MASK_KEYS, 0.0f, 2.0f},
        {1, 1, 2500, 1, 1, 32, 0, 1, MASK_NONE, 0.0f, 2.0f},
        {1, 3, 1200, 2, 2, 80, 1, 0, MASK_NONE, 0.0f, 2.0f},
        /* the row path: several kv heads per item, straight from K and V */
        {2, 1, 3000, 8, 8, 64, 0, 1, MASK_KEYS, 0.0f, 2.0f},
        {1, 1, 1500, 6, 3, 80, 1, 0, MASK_FULL, 0.0f, 2.0f},
        {3, 2, 300, 5, 5, 33, 1, 1, MASK_NONE, 0.0f, 2.0f},
    };
    run_cases(cases, sizeof cases / sizeof cases[0], &r, NMSE_BOUND, 1);
    /* One thread gives the same answer within the bound. */
    VT_CHECK(vnn_set_num_threads(1) == VNN_OK, "vnn_set_num_threads(1) failed");
    run_case(&cases[0], &r, NMSE_BOUND, 0);
    VT_CHECK(vnn_set_num_threads(2) == VNN_OK, "vnn_set_num_threads(2) failed");
    end_group();
}

/* The workspace size does not depend on Sq or Sk; a short one is refused. */
static void group_workspace(vnn_isa isa)
{
    begin(isa, "workspace");
    vnn_attention_params p = {.N = 1, .Sq = 16, .Sk = 16, .Hq = 8, .Hkv = 8, .D = 64};
    size_t small, big;
    VT_CHECK(vnn_attention_workspace_size(&p, &small) == VNN_OK, "query failed");
    p.Sq = p.Sk = 1 << 20;
    VT_CHECK(vnn_attention_workspace_size(&p, &big) == VNN_OK, "query failed");
    VT_CHECK(small == big, "workspace depends on S: %zu vs %zu", small, big);
    vt_log("workspace for D=64 on 2 threads: %zu bytes", big);
    VT_CHECK(big < 4u << 20, "workspace %zu bytes: over 2 MiB per thread", big);
}

/* Bad input: an error, and nothing written. */
static void group_bad_input(vnn_isa isa)
{
    begin(isa, "bad_input");
    enum { N = 1, S = 4, H = 2, D = 8, NQ = N * S * H * D };
    float q[NQ], k[NQ], v[NQ], out[NQ], mask[S * S];
    for (int i = 0; i < NQ; i++)
        q[i] = k[i] = v[i] = 0.5f, out[i] = SENTINEL;
    for (int i = 0; i < S * S; i++)
        mask[i] = 0.0f;
    const vnn_attention_params good = {.N = N, .Sq = S, .Sk = S, .Hq = H, .Hkv = H, .D = D};
    size_t ws_bytes = 0;
    VT_CHECK(vnn_attention_workspace_size(&good, &ws_bytes) == VNN_OK, "query failed");
    void *ws = vt_alloc_bytes(ws_bytes, 64);
    int64_t bad_len[1] = {S + 1}, neg_len[1] = {-1};
    struct {
        const char *what;
        vnn_attention_params p;
        const float *q, *k, *v;
        float *out;
        void *ws;
        size_t ws_bytes;
    } cases[] = {
        {"NULL params", good, q, k, v, out, NULL, 0},
        {"NULL q", good, NULL, k, v, out, NULL, 0},
        {"NULL out", good, q, k, v, NULL, NULL, 0},
        {"N = 0", good, q, k, v, out, NULL, 0},
        {"D = 0", good, q, k, v, out, NULL, 0},
        {"Sk = -1", good, q, k, v, out, NULL, 0},
        {"Hq % Hkv", good, q, k, v, out, NULL, 0},
        {"NaN scale", good, q, k, v, out, NULL, 0},
        {"length > Sk", good, q, k, v, out, NULL, 0},
        {"length < 0", good, q, k, v, out, NULL, 0},
        {"negative mask stride", good, q, k, v, out, NULL, 0},
        {"overflowing sizes", good, q, k, v, out, NULL, 0},
        {"out overlaps q", good, q, k, v, q + 1, NULL, 0},
        {"short workspace", good, q, k, v, out, ws, 16},
    };
    cases[3].p.N = 0;
    cases[4].p.D = 0;
    cases[5].p.Sk = -1;
    cases[6].p.Hkv = 3;
    cases[7].p.scale = NAN;
    cases[8].p.key_lengths = bad_len;
    cases[9].p.key_lengths = neg_len;
    cases[10].p.mask = mask;
    cases[10].p.mask_stride_q = -1;
    cases[11].p.Sq = INT64_MAX / 2;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float qcopy[NQ];
        memcpy(qcopy, q, sizeof q);
        vnn_status st = vnn_attention(i == 0 ? NULL : &cases[i].p, cases[i].q, cases[i].k,
                                      cases[i].v, cases[i].out, cases[i].ws,
                                      cases[i].ws_bytes);
        VT_CHECK(st == VNN_ERR_INVALID_ARG, "%s: returned %s", cases[i].what,
                 vnn_status_str(st));
        for (int e = 0; e < NQ; e++)
            VT_CHECK(out[e] == SENTINEL && q[e] == qcopy[e], "%s: wrote output",
                     cases[i].what);
    }
    size_t b;
    VT_CHECK(vnn_attention_workspace_size(NULL, &b) == VNN_ERR_INVALID_ARG, "NULL params");
    VT_CHECK(vnn_attention_workspace_size(&good, NULL) == VNN_ERR_INVALID_ARG, "NULL bytes");
    VT_CHECK(vnn_attention(&good, q, k, v, out, ws, ws_bytes) == VNN_OK, "good call failed");
    vt_free(ws);
}

#define ATTN_SUITE(isa, suite)                                                   \
    VT_TEST(suite, edge_shapes) { group_edge(isa); }                             \
    VT_TEST(suite, random) { group_random(isa); }                                \
    VT_TEST(suite, large_logits) { group_large_logits(isa); }                    \
    VT_TEST(suite, masked) { group_masked(isa); }                                \
    VT_TEST(suite, decode) { group_decode(isa); }                                \
    VT_TEST(suite, workspace) { group_workspace(isa); }                          \
    VT_TEST(suite, bad_input) { group_bad_input(isa); }

ATTN_SUITE(VNN_ISA_SCALAR, attention_scalar)
ATTN_SUITE(VNN_ISA_AVX2, attention_avx2)
ATTN_SUITE(VNN_ISA_AVX512, attention_avx512)
ATTN_SUITE(VNN_ISA_NEON, attention_neon)
