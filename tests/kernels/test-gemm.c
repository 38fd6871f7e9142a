/* GEMM suite: every ISA this machine runs, against the reference SGEMM
 * (oneDNN's dnnl_sgemm, see gemm-reference.h).
 *
 * Inputs are small integers (A, B in [-4, 4], C and bias in [-8, 8]) and
 * alpha/beta are small powers of two or small integers, so every product and
 * every partial sum is an integer (or a half) far below 2^24: any summation
 * order gives the same float, and results are compared with ==. Padding of A
 * and B holds NaN (a kernel that reads past a row poisons its result) and
 * padding of C must come back bitwise untouched. The thread and prepacking
 * groups use non-dyadic fractions instead, where summation order matters, and
 * demand bitwise equality.
 *
 * One test per (ISA, group); the groups are generated for every ISA by
 * GEMM_SUITE at the bottom, and an ISA the machine lacks skips with a message. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "gemm-reference.h"
#include "vnn/vnn.h"
#include "vt.h"

/* Tails and ones, primes, and one either side of 32/64/128. */
static const int64_t edge_sizes[] = {1,  2,  3,  4,  5,  6,  7,  8,   9,   10,  11, 12, 13,
                                     14, 15, 16, 17, 31, 33, 63, 65, 127, 129};
#define N_EDGE ((int)(sizeof edge_sizes / sizeof edge_sizes[0]))
static const float alphas[] = {1.0f, -1.0f, 0.5f, 2.0f};
static const float betas[] = {0.0f, 1.0f, -2.0f, 0.5f}; /* 0: C holds NaN */

/* How a case calls vnn. */
enum call_kind {
    CALL_SGEMM = 0, /* vnn_sgemm */
    CALL_EX,        /* vnn_sgemm_ex with the epilogue below */
    CALL_EX_NULL,   /* vnn_sgemm_ex with a NULL epilogue */
};

/* One GEMM problem; leading dimension = stored row length + pad (>= 1). */
struct gcase {
    vnn_transpose ta, tb;
    int64_t M, N, K;
    float alpha, beta;
    int64_t pad_a, pad_b, pad_c;
    enum call_kind call;
    int bias; /* CALL_EX: pass a bias vector */
    vnn_activation act;
};

/* The buffers of one problem. C0 is the input C; C receives vnn's result,
 * ref the reference result. */
struct gbufs {
    int64_t a_rows, a_cols, lda, b_rows, b_cols, ldb, ldc;
    size_t a_n, b_n, c_n;
    float *A, *B, *C0, *C, *ref, *bias;
    float *extra; /* a group's own buffer, freed with the rest */
};

enum fill_kind { FILL_INTS, FILL_FRAC };

/* ------------------------------------------------------------------ setup */

static void begin(vnn_isa isa, const char *group)
{
    vt_use_isa(isa);
    /* Every group starts from the same state whatever ran before it in this
     * process (the in-process runner): two threads, so threaded paths run. */
    VT_CHECK(vnn_set_num_threads(2) == VNN_OK, "vnn_set_num_threads(2) failed");
    const struct vnn_gemm_config *g = &vnn_kernels()->gemm;
    vt_log("gemm/%s/%s: %s (mr=%d nr=%d kc=%d mc=%d nc=%d); reference: %s", vnn_isa_name(isa),
           group, g->name, g->mr, g->nr, g->kc, g->mc, g->nc, gemm_ref_name());
}

static const struct vnn_gemm_config *config(void) { return &vnn_kernels()->gemm; }

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

/* Floats of a rows x cols matrix with leading dimension ld, up to its last
 * element: the guard page follows it (no padding after the last row). */
static size_t tight(int64_t rows, int64_t cols, int64_t ld)
{
    return rows > 0 && cols > 0 ? (size_t)((rows - 1) * ld + cols) : 0;
}

static void gb_alloc(const struct gcase *c, struct gbufs *b)
{
    *b = (struct gbufs){0};
    b->a_rows = c->ta == VNN_TRANS ? c->K : c->M;
    b->a_cols = c->ta == VNN_TRANS ? c->M : c->K;
    b->b_rows = c->tb == VNN_TRANS ? c->N : c->K;
    b->b_cols = c->tb == VNN_TRANS ? c->K : c->N;
    b->lda = max64(1, b->a_cols + c->pad_a);
    b->ldb = max64(1, b->b_cols + c->pad_b);
    b->ldc = max64(1, c->N + c->pad_c);
    b->a_n = tight(b->a_rows, b->a_cols, b->lda);
    b->b_n = tight(b->b_rows, b->b_cols, b->ldb);
    b->c_n = tight(c->M, c->N, b->ldc);
    b->A = vt_alloc_floats(b->a_n);
    b->B = vt_alloc_floats(b->b_n);
    b->C0 = vt_alloc_floats(b->c_n);
    b->C = vt_alloc_floats(b->c_n);
    b->ref = vt_alloc_floats(b->c_n);
    b->bias = vt_alloc_floats((size_t)c->N);
}

static void gb_free(struct gbufs *b)
{
    vt_free(b->A);
    vt_free(b->B);
    vt_free(b->C0);
    vt_free(b->C);
    vt_free(b->ref);
    vt_free(b->bias);
    vt_free(b->extra);
    *b = (struct gbufs){0};
}

static float frac(vt_rng *r) { return (float)vt_rng_int(r, -99999, 99999) / 12345.0f; }

/* rows x cols values (small ints or fractions) with NaN in the padding
 * (none after the last row); x is read-only afterwards. */
static void fill_matrix(vt_rng *r, float *x, int64_t rows, int64_t cols, int64_t ld,
                        enum fill_kind kind, int lo, int hi)
{
    vt_writable(x);
    for (int64_t i = 0; i < rows; i++) {
        float *row = x + i * ld;
        if (kind == FILL_INTS)
            vt_fill_ints(r, row, (size_t)cols, lo, hi);
        else
            for (int64_t j = 0; j < cols; j++)
                row[j] = frac(r);
        if (i + 1 < rows && cols > 0) /* an empty matrix has no buffer */
            vt_fill_nan(row + cols, (size_t)(ld - cols));
    }
    vt_readonly(x);
}

/* C (padding included) is all NaN when beta == 0: it must not be read. */
static void gb_fill(const struct gcase *c, struct gbufs *b, vt_rng *r, enum fill_kind kind)
{
    vt_writable(b->C0);
    vt_writable(b->bias);
    fill_matrix(r, b->A, b->a_rows, b->a_cols, b->lda, kind, -4, 4);
    fill_matrix(r, b->B, b->b_rows, b->b_cols, b->ldb, kind, -4, 4);
    if (c->beta == 0.0f)
        vt_fill_nan(b->C0, b->c_n);
    else if (kind == FILL_INTS)
        vt_fill_ints(r, b->C0, b->c_n, -8, 8);
    else
        for (size_t i = 0; i < b->c_n; i++)
            b->C0[i] = frac(r);
    if (kind == FILL_INTS)
        vt_fill_ints(r, b->bias, (size_t)c->N, -8, 8);
    else
        for (int64_t j = 0; j < c->N; j++)
            b->bias[j] = frac(r);
    vt_readonly(b->C0);
    vt_readonly(b->bias);
}

/* ------------------------------------------------------------- messages */

static const char *act_name(vnn_activation a) { return a == VNN_ACT_RELU ? "relu" : "none"; }

static void describe(char *buf, size_t size, const struct gcase *c, const struct gbufs *b)
{
    char ep[64] = "";
    if (c->call == CALL_EX)
        snprintf(ep, sizeof ep, " epilogue(bias=%s act=%s)", c->bias ? "yes" : "no",
                 act_name(c->act));
    else if (c->call == CALL_EX_NULL)
        snprintf(ep, sizeof ep, " epilogue=NULL");
    snprintf(buf, size,
             "isa=%s M=%" PRId64 " N=%" PRId64 " K=%" PRId64 " op(A)=%c op(B)=%c "
             "alpha=%g beta=%g%s lda=%" PRId64 " ldb=%" PRId64 " ldc=%" PRId64 " threads=%d%s",
             vnn_isa_name(vnn_get_isa()), c->M, c->N, c->K, c->ta == VNN_TRANS ? 'T' : 'N',
             c->tb == VNN_TRANS ? 'T' : 'N', (double)c->alpha, (double)c->beta,
             c->beta == 0.0f ? " (C=NaN)" : "", b->lda, b->ldb, b->ldc,
             vnn_get_num_threads(), ep);
}

/* Compare two M x ldc results. Inside M x N by value (== and never NaN, so
 * -0 equals +0: SIMD max and the scalar ReLU may differ in the sign of a
 * zero) or, if `bitwise`, bit for bit and never NaN; the padding of C always
 * bit for bit (it must be untouched). Returns 1 if equal, else writes where. */
static int compare_c(const struct gcase *c, const struct gbufs *b, const float *got,
                     const float *want, int bitwise, char *msg, size_t size)
{
    if (!vt_guard_ok(got, msg, size))
        return 0;
    for (int64_t i = 0; i < c->M; i++) {
        for (int64_t j = 0; j < (i + 1 < c->M ? b->ldc : c->N); j++) {
            float g = got[i * b->ldc + j], w = want[i * b->ldc + j];
            int same = j < c->N && !bitwise ? g == w
                       : memcmp(&g, &w, sizeof g) == 0 && (j >= c->N || !isnan(g));
            if (same)
                continue;
            snprintf(msg, size, "first difference at (i=%" PRId64 ", j=%" PRId64 ")%s: "
                     "got %.9g, expected %.9g", i, j,
                     j >= c->N ? " in the padding of C, which must be untouched" : "",
                     (double)g, (double)w);
            return 0;
        }
    }
    return 1;
}

/* Fail the test with the case, after freeing its buffers. */
static void fail_case(const char *group, const char *what, const struct gcase *c,
                      struct gbufs *b, const char *detail)
{
    char desc[400];
    describe(desc, sizeof desc, c, b);
    gb_free(b);
    vt_fail(__FILE__, __LINE__, "%s: %s: %s: %s", group, what, desc, detail);
}

/* ------------------------------------------------------------ computing */

static vnn_status run_vnn(const struct gcase *c, const struct gbufs *b, float *out)
{
    memcpy(out, b->C0, b->c_n * sizeof *out);
    vnn_gemm_epilogue ep = {.bias = c->bias ? b->bias : NULL, .act = c->act};
    switch (c->call) {
    case CALL_EX:
        return vnn_sgemm_ex(c->ta, c->tb, c->M, c->N, c->K, c->alpha, b->A, b->lda, b->B,
                            b->ldb, c->beta, out, b->ldc, &ep);
    case CALL_EX_NULL:
        return vnn_sgemm_ex(c->ta, c->tb, c->M, c->N, c->K, c->alpha, b->A, b->lda, b->B,
                            b->ldb, c->beta, out, b->ldc, NULL);
    default:
        return vnn_sgemm(c->ta, c->tb, c->M, c->N, c->K, c->alpha, b->A, b->lda, b->B, b->ldb,
                         c->beta, out, b->ldc);
    }
}

/* b->ref = act(alpha * op(A) op(B) + beta * C0 + bias), the product from the
 * reference, the epilogue applied here. Returns 0 if the reference failed. */
static int compute_reference(const struct gcase *c, struct gbufs *b)
{
    memcpy(b->ref, b->C0, b->c_n * sizeof *b->ref);
    if (c->M == 0 || c->N == 0)
        return 1;
    if (c->K == 0 || c->alpha == 0.0f) { /* no product: C = beta * C */
        for (int64_t i = 0; i < c->M; i++)
            for (int64_t j = 0; j < c->N; j++) {
                float *v = &b->ref[i * b->ldc + j];
                *v = c->beta == 0.0f ? 0.0f : c->beta * *v;
            }
    } else if (gemm_ref_sgemm(c->ta, c->tb, c->M, c->N, c->K, c->alpha, b->A, b->lda, b->B,
                              b->ldb, c->beta, b->ref, b->ldc) != 0) {
        return 0;
    }
    if (c->call != CALL_EX)
        return 1;
    for (int64_t i = 0; i < c->M; i++)
        for (int64_t j = 0; j < c->N; j++) {
            float *v = &b->ref[i * b->ldc + j];
            if (c->bias)
                *v += b->bias[j];
            if (c->act == VNN_ACT_RELU && *v < 0.0f)
                *v = 0.0f;
        }
    return 1;
}

/* The check every correctness group uses: integer data, vnn vs reference. */
static void check_case(const char *group, const struct gcase *c, vt_rng *r)
{
    struct gbufs b;
    char msg[300];
    gb_alloc(c, &b);
    gb_fill(c, &b, r, FILL_INTS);
    vnn_status st = run_vnn(c, &b, b.C);
    if (st != VNN_OK) {
        snprintf(msg, sizeof msg, "returned %s", vnn_status_str(st));
        fail_case(group, "vnn", c, &b, msg);
    }
    if (!compute_reference(c, &b))
        fail_case(group, "reference", c, &b, "the reference GEMM failed");
    if (!compare_c(c, &b, b.C, b.ref, 0, msg, sizeof msg))
        fail_case(group, "vnn != reference", c, &b, msg);
    gb_free(&b);
}

/* ------------------------------------------------------- random shapes */

static int64_t pick_pad(vt_rng *r)
{
    switch (vt_rng_int(r, 0, 3)) {
    case 1:
        return vt_rng_int(r, 1, 3);
    case 2:
        return vt_rng_int(r, 4, 40);
    default:
        return 0;
    }
}

static int64_t pick_dim(vt_rng *r, int hi)
{
    return vt_rng_int(r, 0, 3) == 0 ? vt_rng_int(r, 1, 20) : vt_rng_int(r, 1, hi);
}

/* Sizes up to ~300, one in eight with one dimension of 600..1200 (several
 * K blocks, several M blocks, threads); random transposes, alpha, beta,
 * padding. */
static struct gcase random_case(vt_rng *r)
{
    /* One statement per draw: the order of evaluation inside an initializer
     * is unspecified, and a seed must give the same shapes on every build. */
    struct gcase c = {0};
    c.ta = (vnn_transpose)vt_rng_int(r, 0, 1);
    c.tb = (vnn_transpose)vt_rng_int(r, 0, 1);
    c.M = pick_dim(r, 300);
    c.N = pick_dim(r, 300);
    c.K = pick_dim(r, 300);
    c.alpha = alphas[vt_rng_int(r, 0, 3)];
    c.beta = betas[vt_rng_int(r, 0, 3)];
    c.pad_a = pick_pad(r);
    c.pad_b = pick_pad(r);
    c.pad_c = pick_pad(r);
    if (vt_rng_int(r, 0, 7) == 0) {
        int64_t big = vt_rng_int(r, 600, 1200);
        switch (vt_rng_int(r, 0, 2)) {
        case 0: c.M = big; break;
        case 1: c.N = big; break;
        default: c.K = big; break;
        }
    }
    return c;
}

static void random_epilogue(vt_rng *r, struct gcase *c)
{
    c->call = (enum call_kind)vt_rng_int(r, 0, 2);
    c->bias = vt_rng_int(r, 0, 1);
    c->act = (vnn_activation)vt_rng_int(r, 0, 1);
}

/* -------------------------------------------------------------- groups */

static void group_edge_shapes(vnn_isa isa)
{
    begin(isa, "edge_shapes");
    vt_rng r = vt_rng_make("gemm/edge_shapes");
    static const int64_t pads[] = {0, 1, 5, 16};
    int reps = vt_count(4), n = 0;
    /* Each of M, N, K takes every edge size while the other two step through
     * the set with different strides (a spread, not the 23^3 cross product);
     * every shape runs all four transposes; alpha/beta walk all 16 pairs. */
    for (int d = 0; d < 3; d++) {
        for (int v = 0; v < N_EDGE; v++) {
            for (int rep = 0; rep < reps; rep++) {
                int64_t dims[3];
                dims[d] = edge_sizes[v];
                dims[(d + 1) % 3] = edge_sizes[(v * 7 + rep * 11 + 3) % N_EDGE];
                dims[(d + 2) % 3] = edge_sizes[(v * 13 + rep * 5 + 17 + d) % N_EDGE];
                for (int t = 0; t < 4; t++, n++) {
                    struct gcase c = {
                        .ta = (vnn_transpose)(t & 1), .tb = (vnn_transpose)(t >> 1),
                        .M = dims[0], .N = dims[1], .K = dims[2],
                        .alpha = alphas[n % 4], .beta = betas[(n / 4) % 4],
                    };
                    c.pad_a = pads[vt_rng_int(&r, 0, 3)];
                    c.pad_b = pads[vt_rng_int(&r, 0, 3)];
                    c.pad_c = pads[vt_rng_int(&r, 0, 3)];
                    check_case("edge_shapes", &c, &r);
                }
            }
        }
    }
    vt_log("edge_shapes: %d GEMMs", n);
}

static void group_random_shapes(vnn_isa isa)
{
    begin(isa, "random_shapes");
    vt_rng r = vt_rng_make("gemm/random_shapes");
    int count = vt_count(250), big = 0;
    for (int i = 0; i < count; i++) {
        struct gcase c = random_case(&r);
        big += c.M >= 600 || c.N >= 600 || c.K >= 600;
        check_case("random_shapes", &c, &r);
    }
    vt_log("random_shapes: %d GEMMs, %d with a dimension >= 600", count, big);
}

static void group_big_blocks(vnn_isa isa)
{
    begin(isa, "big_blocks");
    vt_rng r = vt_rng_make("gemm/big_blocks");
    const struct vnn_gemm_config *g = config();
    int64_t mr = g->mr, nr = g->nr, kc = g->kc, mc = g->mc;
    /* Larger than every cache block but nc; then tall-skinny. */
    const struct gcase fixed[] = {
        {VNN_NO_TRANS, VNN_NO_TRANS, 700, 1100, 900, 1.0f, 0.0f, 0, 0, 0, 0, 0, 0},
        {VNN_NO_TRANS, VNN_NO_TRANS, 5000, 64, 288, 1.0f, 1.0f, 0, 0, 0, 0, 0, 0},
        {VNN_TRANS, VNN_TRANS, 700, 1100, 900, -1.0f, 0.5f, 3, 1, 7, 0, 0, 0},
        {VNN_TRANS, VNN_NO_TRANS, 5000, 64, 288, 2.0f, 0.0f, 0, 5, 1, 0, 0, 0},
        {VNN_NO_TRANS, VNN_TRANS, 700, 1100, 900, 0.5f, -2.0f, 1, 0, 0, 0, 0, 0},
        {VNN_TRANS, VNN_NO_TRANS, 700, 1100, 900, 2.0f, 1.0f, 0, 16, 3, 0, 0, 0},
    };
    int n_fixed = vt_count((int)(sizeof fixed / sizeof fixed[0]));
    for (int i = 0; i < n_fixed; i++)
        check_case("big_blocks", &fixed[i], &r);
    /* More than one N block (cheap: M and K small). */
    const struct gcase wide = {VNN_TRANS, VNN_TRANS, 2 * mr + 1, g->nc + nr + 3, kc + 5,
                               -1.0f, 1.0f, 1, 2, 3, 0, 0, 0};
    check_case("big_blocks", &wide, &r);
    /* Either side of this ISA's block sizes: M around mc, K around kc. */
    const int64_t ms[] = {mc - 1, mc, mc + 1, 2 * mc + mr + 1};
    const int64_t ks[] = {kc - 1, kc, kc + 1, 2 * kc + 1};
    const int64_t ns[] = {nr - 1, nr + 1, 3 * nr};
    int n = 0, limit = vt_count(16);
    for (int i = 0; i < 4 && n < limit; i++)
        for (int k = 0; k < 4 && n < limit; k++, n++) {
            struct gcase c = {
                .ta = (vnn_transpose)(n & 1), .tb = (vnn_transpose)((n >> 1) & 1),
                .M = ms[i], .N = ns[n % 3], .K = ks[k],
                .alpha = alphas[n % 4], .beta = betas[(n / 4) % 4],
                .pad_a = n % 3, .pad_b = (n + 1) % 3, .pad_c = (n + 2) % 3,
            };
            check_case("big_blocks", &c, &r);
        }
    vt_log("big_blocks: %d large GEMMs, 1 with N > nc, %d around the block sizes", n_fixed, n);
}

static void group_epilogue(vnn_isa isa)
{
    begin(isa, "epilogue");
    vt_rng r = vt_rng_make("gemm/epilogue");
    const struct vnn_gemm_config *g = config();
    int64_t mr = g->mr, nr = g->nr, kc = g->kc;
    /* K > kc (and = kc, 3 kc): the epilogue must be applied exactly once,
     * after the last K block, however many there are. K = 0 and alpha = 0
     * take the no-product path. */
    const int64_t shapes[][3] = {
        {1, 1, 1},      {5, 7, 3},       {17, 33, 65},        {mr + 1, nr + 1, kc + 1},
        {33, 70, 2 * kc + 7}, {129, 65, kc}, {200, 2 * nr + 3, 3 * kc}, {9, 13, 0},
    };
    const int n_shapes = (int)(sizeof shapes / sizeof shapes[0]);
    const float ep_betas[] = {0.0f, 1.0f, -2.0f};
    int n = 0;
    for (int s = 0; s < n_shapes; s++)
        for (int combo = 0; combo < 12; combo++, n++) {
            struct gcase c = {
                .ta = (vnn_transpose)(n & 1), .tb = (vnn_transpose)((n >> 1) & 1),
                .M = shapes[s][0], .N = shapes[s][1], .K = shapes[s][2],
                .alpha = alphas[n % 4], .beta = ep_betas[combo % 3],
                .pad_a = n % 2, .pad_b = n % 3, .pad_c = n % 5,
                .call = CALL_EX, .bias = (combo / 3) & 1,
                .act = (vnn_activation)((combo / 6) & 1),
            };
            check_case("epilogue", &c, &r);
            if (combo == 0) { /* alpha = 0: C = act(beta C + bias), A/B unread */
                c.alpha = 0.0f;
                c.beta = -2.0f;
                c.bias = 1;
                c.act = VNN_ACT_RELU;
                check_case("epilogue", &c, &r);
                n++;
            }
        }
    int count = vt_count(40);
    for (int i = 0; i < count; i++, n++) {
        struct gcase c = random_case(&r);
        random_epilogue(&r, &c);
        check_case("epilogue", &c, &r);
    }
    vt_log("epilogue: %d GEMMs", n);
}

static vnn_gemm_epilogue epilogue_of(const struct gcase *c, const struct gbufs *b)
{
    return (vnn_gemm_epilogue){.bias = c->bias ? b->bias : NULL, .act = c->act};
}

/* Like run_vnn, through vnn_sgemm_pack_b + vnn_sgemm_packed. */
static vnn_status run_packed(const struct gcase *c, const struct gbufs *b, float *out)
{
    memcpy(out, b->C0, b->c_n * sizeof *out);
    vnn_packed_b *p = NULL;
    vnn_status st = vnn_sgemm_pack_b(c->tb, c->K, c->N, b->B, b->ldb, &p);
    if (st != VNN_OK)
        return st;
    vnn_gemm_epilogue ep = epilogue_of(c, b);
    st = vnn_sgemm_packed(c->ta, c->M, c->alpha, b->A, b->lda, p, c->beta, out, b->ldc,
                          c->call == CALL_EX ? &ep : NULL);
    vnn_packed_b_destroy(p);
    return st;
}

/* Pack B once, then multiply it with A of several heights and both
 * transposes: each must equal vnn_sgemm on the same data bit for bit
 * (fractional data, so a different summation order would show). With
 * `other` (an ISA + 1, 0 for none) the packed GEMM runs once more after
 * switching to that ISA: a packed B keeps the kernels it was packed for. */
static void check_prepacked(const struct gcase *base, vt_rng *r, vnn_isa isa, int other)
{
    struct gcase c = *base;
    struct gbufs b;
    char msg[300];
    gb_alloc(&c, &b);
    gb_fill(&c, &b, r, FILL_FRAC);
    int64_t mk = max64(1, max64(c.M, c.K));
    b.extra = vt_alloc_floats((size_t)(mk * (mk + c.pad_a))); /* A for any height/transpose */
    vnn_packed_b *p = NULL;
    vnn_status st = vnn_sgemm_pack_b(c.tb, c.K, c.N, b.B, b.ldb, &p);
    if (st != VNN_OK || !p) {
        snprintf(msg, sizeof msg, "vnn_sgemm_pack_b returned %s", vnn_status_str(st));
        fail_case("prepacked", "pack", &c, &b, msg);
    }
    int64_t pk = -1, pn = -1;
    if (vnn_packed_b_dims(p, &pk, &pn) != VNN_OK || pk != c.K || pn != c.N) {
        vnn_packed_b_destroy(p);
        snprintf(msg, sizeof msg, "vnn_packed_b_dims gave K=%" PRId64 " N=%" PRId64, pk, pn);
        fail_case("prepacked", "dims", &c, &b, msg);
    }
    const int64_t heights[] = {c.M, (c.M + 1) / 2, 1};
    for (int h = 0; h < 3; h++) {
        struct gcase u = c;
        u.M = heights[h];
        u.ta = (vnn_transpose)((c.ta + h) & 1);
        struct gbufs v = b; /* same B, C and bias; its own A */
        v.A = b.extra;
        v.extra = b.A;
        v.a_rows = u.ta == VNN_TRANS ? u.K : u.M;
        v.a_cols = u.ta == VNN_TRANS ? u.M : u.K;
        v.lda = max64(1, v.a_cols + c.pad_a);
        fill_matrix(r, v.A, v.a_rows, v.a_cols, v.lda, FILL_FRAC, 0, 0);
        v.c_n = tight(u.M, u.N, v.ldc);
        st = run_vnn(&u, &v, v.ref);
        vnn_gemm_epilogue ep = epilogue_of(&u, &v);
        for (int pass = 0; pass < 1 + (other > 0); pass++) {
            if (pass == 1)
                vnn_set_isa((vnn_isa)(other - 1));
            memcpy(v.C, v.C0, v.c_n * sizeof *v.C);
            vnn_status sp = vnn_sgemm_packed(u.ta, u.M, u.alpha, v.A, v.lda, p, u.beta, v.C,
                                             v.ldc, u.call == CALL_EX ? &ep : NULL);
            if (pass == 1)
                vnn_set_isa(isa);
            if (st == VNN_OK && sp == VNN_OK && compare_c(&u, &v, v.C, v.ref, 1, msg, sizeof msg))
                continue;
            vnn_packed_b_destroy(p);
            if (st != VNN_OK || sp != VNN_OK)
                snprintf(msg, sizeof msg, "vnn_sgemm returned %s, vnn_sgemm_packed %s",
                         vnn_status_str(st), vnn_status_str(sp));
            if (pass == 1)
                snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
                         " (packed on %s, multiplied after switching to %s)",
                         vnn_isa_name(isa), vnn_isa_name((vnn_isa)(other - 1)));
            fail_case("prepacked", "vnn_sgemm_packed != vnn_sgemm (bitwise)", &u, &v, msg);
        }
    }
    vnn_packed_b_destroy(p);
    gb_free(&b);
}

static void group_prepacked(vnn_isa isa)
{
    begin(isa, "prepacked");
    vt_rng r = vt_rng_make("gemm/prepacked");
    /* An ISA to switch to after packing (stored +1, 0 = none). */
    int other = 0;
    for (int i = 0; i < VNN_ISA_COUNT && !other; i++)
        if ((vnn_isa)i != isa && vnn_isa_supported((vnn_isa)i))
            other = i + 1;
    const struct vnn_gemm_config *g = config();
    int64_t nr = g->nr, kc = g->kc, mr = g->mr;
    const int64_t shapes[][3] = {
        {1, 1, 1},    {mr + 1, nr - 1, kc + 1}, {2 * mr, nr + 1, 2 * kc + 3},
        {65, 31, 17}, {mr + 1, g->nc + 5, 7}, /* N > nc: packed blocks beyond the first */
        /* Few rows: AVX2 runs the unpacked call on its rows kernel, which
         * must match the packed (blocked) path bitwise, full tail tiles
         * (4 rows) and partial ones, several K blocks, every beta. */
        {3, nr + 9, 2 * kc + 1}, {4, 2 * nr + 3, kc + 5}, {1, 600, 9}, {2, 520, kc},
    };
    int n = 0;
    for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
        for (int t = 0; t < 4; t++, n++) {
            struct gcase c = {
                .ta = (vnn_transpose)(t & 1), .tb = (vnn_transpose)(t >> 1),
                .M = shapes[s][0], .N = shapes[s][1], .K = shapes[s][2],
                .alpha = alphas[n % 4], .beta = betas[(n / 4) % 4],
                .pad_a = t, .pad_b = 3 - t, .pad_c = t % 2,
                .call = t == 3 ? CALL_EX : CALL_SGEMM, .bias = 1, .act = VNN_ACT_RELU,
            };
            check_prepacked(&c, &r, isa, other);
        }
    int count = vt_count(30);
    for (int i = 0; i < count; i++, n++) {
        struct gcase c = random_case(&r);
        if (i % 3 == 0)
            random_epilogue(&r, &c);
        if (c.call == CALL_EX_NULL)
            c.call = CALL_EX; /* packed takes the epilogue pointer directly */
        check_prepacked(&c, &r, isa, other);
    }
    /* K == 0: the packed B is empty and C becomes beta * C. */
    float c2[6] = {1, 2, 3, 4, 5, 6};
    vnn_packed_b *p = NULL;
    VT_CHECK(vnn_sgemm_pack_b(VNN_NO_TRANS, 0, 3, NULL, 3, &p) == VNN_OK && p,
             "prepacked: packing K=0 N=3 with B=NULL must work");
    vnn_status st = vnn_sgemm_packed(VNN_NO_TRANS, 2, 1.0f, NULL, 1, p, -2.0f, c2, 3, NULL);
    vnn_packed_b_destroy(p);
    VT_CHECK(st == VNN_OK && c2[0] == -2 && c2[5] == -12,
             "prepacked: K=0 must give C = beta*C (status %s, C[0]=%g)", vnn_status_str(st),
             (double)c2[0]);
    VT_CHECK(vnn_packed_b_destroy(NULL) == VNN_OK, "prepacked: destroy(NULL) must be OK");
    vt_log("prepacked: %d packed B, each used with up to 3 A%s", n,
           other ? " and after an ISA switch" : "");
}

/* Same problem at 1, 2 and 3 threads, fractional data: bitwise equal, for
 * vnn_sgemm[_ex] and (every third problem) the prepacked path. */
static void group_threads(vnn_isa isa)
{
    begin(isa, "threads");
    vt_rng r = vt_rng_make("gemm/threads");
    const struct vnn_gemm_config *g = config();
    int count = vt_count(40), threaded = 0;
    char msg[300];
    for (int i = 0; i < count; i++) {
        struct gcase c = random_case(&r);
        if (i % 3 == 0) { /* too few rows to split: threads take column panels */
            c.M = vt_rng_int(&r, 1, g->mr);
            c.N = vt_rng_int(&r, 2 * g->nr, 1500);
        }
        if (c.K < 100)
            c.K += 100;
        random_epilogue(&r, &c);
        threaded += c.M * c.N * c.K >= 250000; /* the driver's threshold */
        struct gbufs b;
        gb_alloc(&c, &b);
        gb_fill(&c, &b, &r, FILL_FRAC);
        for (int path = 0; path < 1 + (i % 3 == 1); path++) {
            vnn_status (*run)(const struct gcase *, const struct gbufs *, float *) =
                path ? run_packed : run_vnn;
            const char *name = path ? "vnn_sgemm_packed" : "vnn_sgemm";
            vnn_set_num_threads(1);
            vnn_status st = run(&c, &b, b.ref);
            for (int t = 2; t <= 3; t++) {
                vnn_set_num_threads(t);
                vnn_status st2 = run(&c, &b, b.C);
                if (st != VNN_OK || st2 != VNN_OK) {
                    snprintf(msg, sizeof msg, "%s: status %s with 1 thread, %s with %d", name,
                             vnn_status_str(st), vnn_status_str(st2), t);
                    fail_case("threads", "vnn", &c, &b, msg);
                }
                if (!compare_c(&c, &b, b.C, b.ref, 1, msg, sizeof msg))
                    fail_case("threads", path ? "vnn_sgemm_packed result differs from 1 "
                                                "thread (bitwise)"
                                              : "vnn_sgemm result differs from 1 thread "
                                                "(bitwise)",
                              &c, &b, msg);
            }
        }
        gb_free(&b);
    }
    vnn_set_num_threads(2);
    vt_log("threads: %d problems, %d large enough to run threaded", count, threaded);
}

/* -------------------------------------------------------------- bad input */

#define SENTINEL 1234.5f
#define BUF 256

struct call {
    vnn_transpose ta, tb;
    int64_t M, N, K;
    float alpha;
    const float *A;
    int64_t lda;
    const float *B;
    int64_t ldb;
    float beta;
    float *C;
    int64_t ldc;
    const vnn_gemm_epilogue *ep;
};

static vnn_status do_call(const struct call *c, int ex)
{
    if (ex)
        return vnn_sgemm_ex(c->ta, c->tb, c->M, c->N, c->K, c->alpha, c->A, c->lda, c->B,
                            c->ldb, c->beta, c->C, c->ldc, c->ep);
    return vnn_sgemm(c->ta, c->tb, c->M, c->N, c->K, c->alpha, c->A, c->lda, c->B, c->ldb,
                     c->beta, c->C, c->ldc);
}

static int untouched(const float *c)
{
    for (int i = 0; i < BUF; i++)
        if (c[i] != SENTINEL)
            return 0;
    return 1;
}

/* `want` from vnn_sgemm (when there is no epilogue) and vnn_sgemm_ex, and
 * the sentinel-filled C buffer unchanged. */
static void expect_status(const char *what, const struct call *c, float *cbuf, vnn_status want)
{
    for (int ex = c->ep ? 1 : 0; ex < 2; ex++) {
        for (int i = 0; i < BUF; i++)
            cbuf[i] = SENTINEL;
        vnn_status st = do_call(c, ex);
        VT_CHECK(st == want, "bad_input: %s: %s returned %s, expected %s", what,
                 ex ? "vnn_sgemm_ex" : "vnn_sgemm", vnn_status_str(st), vnn_status_str(want));
        VT_CHECK(untouched(cbuf), "bad_input: %s: %s wrote to C", what,
                 ex ? "vnn_sgemm_ex" : "vnn_sgemm");
    }
}

#define BAD(what, ...)                                                         \
    do {                                                                       \
        struct call c = base;                                                  \
        __VA_ARGS__;                                                           \
        expect_status(what, &c, C, VNN_ERR_INVALID_ARG);                       \
        n++;                                                                   \
    } while (0)

static int bad_sgemm_args(float *A, float *B, float *C)
{
    const int64_t M = 3, N = 4, K = 5;
    static const vnn_gemm_epilogue bad_act = {NULL, (vnn_activation)7};
    static const vnn_gemm_epilogue bad_act_neg = {NULL, (vnn_activation)-1};
    int n = 0;
    for (int t = 0; t < 4; t++) {
        vnn_transpose ta = (vnn_transpose)(t & 1), tb = (vnn_transpose)(t >> 1);
        int64_t lda = ta ? M : K, ldb = tb ? K : N; /* the smallest valid */
        const struct call base = {ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 1.0f, C, N, NULL};
        char what[64];
        /* The base call itself is valid, so each failure below is its field's. */
        for (int i = 0; i < BUF; i++)
            A[i] = B[i] = 1.0f;
        {
            struct call c = base;
            for (int i = 0; i < BUF; i++)
                C[i] = 0.0f;
            VT_CHECK(do_call(&c, 0) == VNN_OK && C[0] == (float)K,
                     "bad_input: the valid base call (%c%c) failed", "NT"[ta], "NT"[tb]);
        }
#define W(s) (snprintf(what, sizeof what, "%c%c: %s", "NT"[ta], "NT"[tb], s), what)
        BAD(W("A == NULL"), c.A = NULL);
        BAD(W("B == NULL"), c.B = NULL);
        BAD(W("C == NULL"), c.C = NULL);
        BAD(W("M < 0"), c.M = -1);
        BAD(W("N < 0"), c.N = -1);
        BAD(W("K < 0"), c.K = -1);
        BAD(W("M = INT64_MIN"), c.M = INT64_MIN);
        BAD(W("lda < row of A"), c.lda = lda - 1);
        BAD(W("ldb < row of B"), c.ldb = ldb - 1);
        BAD(W("ldc < N"), c.ldc = N - 1);
        BAD(W("lda = 0"), c.lda = 0);
        BAD(W("ldb = 0"), c.ldb = 0);
        BAD(W("ldc = 0"), c.ldc = 0);
        BAD(W("lda < 0"), c.lda = -5);
        BAD(W("ldc < 0"), c.ldc = INT64_MIN);
        BAD(W("ldc = 0 with N = 0"), c.N = 0, c.ldc = 0);
        BAD(W("lda = 0 with K = 0"), c.K = 0, c.lda = 0, c.ldb = tb ? 1 : N);
        /* Byte counts that overflow size_t, or exceed PTRDIFF_MAX. */
        BAD(W("M = INT64_MAX"), c.M = INT64_MAX, c.lda = ta ? INT64_MAX : K);
        BAD(W("M*ldc*4 > PTRDIFF_MAX"), c.M = INT64_C(1) << 61, c.N = 1, c.K = 1, c.lda = 1,
            c.ldb = 1, c.ldc = 1);
        BAD(W("N = 2^62"), c.N = INT64_C(1) << 62, c.ldc = c.N, c.ldb = tb ? K : c.N);
        BAD(W("K = INT64_MAX"), c.K = INT64_MAX, c.lda = ta ? M : INT64_MAX,
            c.ldb = tb ? INT64_MAX : N);
        BAD(W("ldc = INT64_MAX"), c.ldc = INT64_MAX);
        BAD(W("lda = INT64_MAX / 2"), c.lda = INT64_MAX / 2);
        BAD(W("ldb = 2^62"), c.ldb = INT64_C(1) << 62);
        BAD(W("bad trans_a"), c.ta = (vnn_transpose)2);
        BAD(W("bad trans_b"), c.tb = (vnn_transpose)-1);
        BAD(W("bad activation"), c.ep = &bad_act);
        BAD(W("negative activation"), c.ep = &bad_act_neg);
        BAD(W("A == NULL with beta == 0"), c.A = NULL, c.beta = 0.0f);
#undef W
    }
    return n;
}

/* K == 0, M == 0, N == 0 and alpha == 0 are valid: check what they do. */
static void empty_sizes(float *A, float *B, float *C)
{
    float cin[12];
    for (int i = 0; i < 12; i++)
        cin[i] = C[i] = (float)(i - 5);
    /* K == 0, A and B NULL: C = beta * C, padding column untouched (ldc 4). */
    C[3] = C[7] = C[11] = SENTINEL;
    VT_CHECK(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 3, 3, 0, 1.0f, NULL, 1, NULL, 3, -2.0f, C,
                       4) == VNN_OK, "bad_input: K = 0 with NULL A/B must be OK");
    for (int i = 0; i < 12; i++) {
        float want = i % 4 == 3 ? SENTINEL : -2.0f * cin[i];
        VT_CHECK(C[i] == want, "bad_input: K = 0: C[%d] = %g, want %g (C = beta C)", i,
                 (double)C[i], (double)want);
    }
    /* K == 0, beta == 0 over NaN: zeros; with bias + ReLU: relu(bias). */
    vt_fill_nan(C, 12);
    float bias[3] = {-1.0f, 0.0f, 2.0f};
    vnn_gemm_epilogue ep = {bias, VNN_ACT_RELU};
    VT_CHECK(vnn_sgemm_ex(VNN_TRANS, VNN_TRANS, 4, 3, 0, 1.0f, NULL, 4, NULL, 1, 0.0f, C, 3,
                          &ep) == VNN_OK, "bad_input: K = 0 (TT) with epilogue must be OK");
    for (int i = 0; i < 12; i++) {
        float want = i % 3 == 2 ? 2.0f : 0.0f;
        VT_CHECK(C[i] == want, "bad_input: K = 0, beta = 0, bias+relu: C[%d] = %g, want %g",
                 i, (double)C[i], (double)want);
    }
    /* M == 0 / N == 0: nothing touched, NULL pointers fine. */
    for (int i = 0; i < BUF; i++)
        C[i] = SENTINEL;
    VT_CHECK(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 0, 4, 5, 1.0f, A, 5, B, 4, 0.0f, C, 4) ==
                 VNN_OK && untouched(C), "bad_input: M = 0 must be OK and touch nothing");
    VT_CHECK(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 3, 0, 5, 1.0f, A, 5, B, 1, 0.0f, C, 1) ==
                 VNN_OK && untouched(C), "bad_input: N = 0 must be OK and touch nothing");
    VT_CHECK(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 0, 4, 5, 1.0f, NULL, 5, NULL, 4, 0.0f,
                       NULL, 4) == VNN_OK, "bad_input: M = 0 with NULL pointers must be OK");
    /* alpha == 0: A and B are not read (BLAS), C = beta * C. */
    vt_fill_nan(A, BUF);
    vt_fill_nan(B, BUF);
    for (int i = 0; i < 12; i++)
        C[i] = (float)(i - 5);
    VT_CHECK(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 3, 4, 5, 0.0f, A, 5, B, 4, 0.5f, C, 4) ==
                 VNN_OK, "bad_input: alpha = 0 must be OK");
    for (int i = 0; i < 12; i++)
        VT_CHECK(C[i] == 0.5f * (float)(i - 5), "bad_input: alpha = 0: C[%d] = %g, want %g",
                 i, (double)C[i], 0.5 * (i - 5));
}

static int bad_packed_args(float *A, float *B, float *C)
{
    int n = 0;
    vnn_packed_b *p = (vnn_packed_b *)&n; /* must be reset to NULL on failure */
    const struct {
        const char *what;
        vnn_transpose t;
        int64_t K, N, ldb;
        const float *B;
    } packs[] = {
        {"B == NULL", VNN_NO_TRANS, 5, 4, 4, NULL},
        {"K < 0", VNN_NO_TRANS, -1, 4, 4, B},
        {"N < 0", VNN_NO_TRANS, 5, -1, 4, B},
        {"ldb < N", VNN_NO_TRANS, 5, 4, 3, B},
        {"ldb < K (trans)", VNN_TRANS, 5, 4, 4, B},
        {"ldb = 0", VNN_NO_TRANS, 0, 0, 0, B},
        {"bad trans", (vnn_transpose)5, 5, 4, 4, B},
        {"K*ldb overflows", VNN_NO_TRANS, INT64_MAX, 4, 4, B},
        {"ldb*N > PTRDIFF_MAX (trans)", VNN_TRANS, 1, INT64_C(1) << 62, 4, B},
    };
    for (size_t i = 0; i < sizeof packs / sizeof packs[0]; i++, n++) {
        p = (vnn_packed_b *)&n;
        vnn_status st = vnn_sgemm_pack_b(packs[i].t, packs[i].K, packs[i].N, packs[i].B,
                                         packs[i].ldb, &p);
        VT_CHECK(st == VNN_ERR_INVALID_ARG && p == NULL,
                 "bad_input: pack_b %s returned %s (out %s)", packs[i].what,
                 vnn_status_str(st), p ? "not reset to NULL" : "NULL");
    }
    VT_CHECK(vnn_sgemm_pack_b(VNN_NO_TRANS, 5, 4, B, 4, NULL) == VNN_ERR_INVALID_ARG,
             "bad_input: pack_b with out == NULL accepted");
    n++;
    int64_t k, nn;
    VT_CHECK(vnn_packed_b_dims(NULL, &k, &nn) == VNN_ERR_INVALID_ARG,
             "bad_input: packed_b_dims(NULL) accepted");
    n++;

    VT_CHECK(vnn_sgemm_pack_b(VNN_NO_TRANS, 5, 4, B, 4, &p) == VNN_OK, "pack_b failed");
    VT_CHECK(vnn_packed_b_dims(p, NULL, &nn) == VNN_ERR_INVALID_ARG &&
                 vnn_packed_b_dims(p, &k, NULL) == VNN_ERR_INVALID_ARG,
             "bad_input: packed_b_dims with a NULL output accepted");
    static const vnn_gemm_epilogue bad_act = {NULL, (vnn_activation)3};
    const struct {
        const char *what;
        vnn_transpose ta;
        int64_t M;
        const float *A;
        int64_t lda;
        int null_b;
        int64_t ldc;
        const vnn_gemm_epilogue *ep;
    } calls[] = {
        {"B == NULL", VNN_NO_TRANS, 3, A, 5, 1, 4, NULL},
        {"A == NULL", VNN_NO_TRANS, 3, NULL, 5, 0, 4, NULL},
        {"M < 0", VNN_NO_TRANS, -3, A, 5, 0, 4, NULL},
        {"lda < K", VNN_NO_TRANS, 3, A, 4, 0, 4, NULL},
        {"lda < M (trans)", VNN_TRANS, 3, A, 2, 0, 4, NULL},
        {"ldc < N", VNN_NO_TRANS, 3, A, 5, 0, 3, NULL},
        {"ldc = 0", VNN_NO_TRANS, 3, A, 5, 0, 0, NULL},
        {"M = INT64_MAX", VNN_NO_TRANS, INT64_MAX, A, 5, 0, 4, NULL},
        {"bad trans_a", (vnn_transpose)2, 3, A, 5, 0, 4, NULL},
        {"bad activation", VNN_NO_TRANS, 3, A, 5, 0, 4, &bad_act},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++, n++) {
        for (int j = 0; j < BUF; j++)
            C[j] = SENTINEL;
        vnn_status st = vnn_sgemm_packed(calls[i].ta, calls[i].M, 1.0f, calls[i].A,
                                         calls[i].lda, calls[i].null_b ? NULL : p, 1.0f, C,
                                         calls[i].ldc, calls[i].ep);
        int clean = untouched(C);
        if (st != VNN_ERR_INVALID_ARG || !clean)
            vnn_packed_b_destroy(p);
        VT_CHECK(st == VNN_ERR_INVALID_ARG, "bad_input: sgemm_packed %s returned %s",
                 calls[i].what, vnn_status_str(st));
        VT_CHECK(clean, "bad_input: sgemm_packed %s wrote to C", calls[i].what);
    }
    vnn_packed_b_destroy(p);
    return n;
}

static void group_bad_input(vnn_isa isa)
{
    begin(isa, "bad_input");
    float *A = vt_alloc_floats(BUF), *B = vt_alloc_floats(BUF), *C = vt_alloc_floats(BUF);
    int n = bad_sgemm_args(A, B, C);
    n += bad_packed_args(A, B, C);
    empty_sizes(A, B, C);
    vt_free(A);
    vt_free(B);
    vt_free(C);
    vt_log("bad_input: %d invalid calls refused without writing C", n);
}

/* ------------------------------------------------------------- the suite */

#define GEMM_SUITE(isa, suite)                                                 \
    VT_TEST(suite, edge_shapes) { group_edge_shapes(isa); }                    \
    VT_TEST(suite, random_shapes) { group_random_shapes(isa); }                \
    VT_TEST(suite, big_blocks) { group_big_blocks(isa); }                      \
    VT_TEST(suite, epilogue) { group_epilogue(isa); }                          \
    VT_TEST(suite, prepacked) { group_prepacked(isa); }                        \
    VT_TEST(suite, threads) { group_threads(isa); }                            \
    VT_TEST(suite, bad_input) { group_bad_input(isa); }

GEMM_SUITE(VNN_ISA_SCALAR, gemm_scalar)
GEMM_SUITE(VNN_ISA_AVX2, gemm_avx2)
GEMM_SUITE(VNN_ISA_AVX512, gemm_avx512)
GEMM_SUITE(VNN_ISA_NEON, gemm_neon)
