/* Transformer ops suite: every ISA this machine runs (vnn_relu, vnn_add,
 * vnn_gelu in both forms, vnn_layernorm, vnn_softmax, vnn_embedding and the
 * erf the GELU uses) against oneDNN 2.6's primitives (ops-reference.h).
 *
 * Error bounds (each comparison states which one it uses):
 *   relu, add  exact (==): one IEEE operation per element in vnn and oneDNN.
 *   erf        vs double libm, absolute and relative error <= VNN_ERF_MAX_ERR
 *              (4e-7, kernels/simd/erf-constants.h: the fit's measured 3.8e-7
 *              plus evaluation rounding).
 *   the rest   a normalized error, as ggml's test-backend-ops does:
 *                  nmse = sum (got - want)^2 / sum want^2  <=  NMSE_MAX = 1e-10,
 *              plus a per-element bound so one bad lane cannot hide in the
 *              sum: |got - want| <= ELEM_TOL * scale, scale being the size an
 *              element's error is relative to (below). Why 1e-10: both sides
 *              are float computations whose per-element relative errors are a
 *              few 1e-7 (vnn's exp / erf / tanh are within 4e-7 and 1e-6, and
 *              oneDNN's own polynomials are comparable), so their difference
 *              has a relative RMS of about 1e-6, i.e. nmse about 1e-12; 1e-10
 *              leaves a 10x margin in RMS and still fails any real bug (a
 *              wrong lane, tail or row gives nmse >= 1e-6 on these sizes).
 *              ELEM_TOL = 2e-5 relative to `scale`: GELU's scale is
 *              max(1, |x|) (its error is absolute near 0 and |x|-relative in
 *              the tails, where 1 + erf cancels); softmax's is the row's
 *              largest output (values far below it carry absolute error from
 *              the shared sum); layer norm's is |gamma| * (|x - mean| * rstd
 *              + 1) + |beta| (mean and variance are float sums of up to a few
 *              thousand terms: about n * 2^-24 relative in the worst case,
 *              1e-4 for n = 1000 -- far beyond what blocked sums reach, so
 *              the measured worst is logged).
 *              Measured worst (every ISA, x86 and NEON/scalar under qemu
 *              against aarch64 oneDNN): nmse 6.4e-12, element 3.2e-6; the
 *              bounds leave 15x and 6x.
 * Buffers: the output starts as NaN between sentinel guards that must come
 * back untouched, the input sits between NaN guards (a read past it poisons
 * a result). One test per (ISA, group); OPS_SUITE at the bottom generates
 * them, and an ISA the machine lacks skips with a message. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/simd/erf-constants.h"
#include "ops-reference.h"
#include "vnn/vnn.h"
#include "vt.h"

#define SENTINEL 1234.5f
#define NMSE_MAX 1e-10
#define ELEM_TOL 2e-5

enum op { OP_RELU, OP_GELU_ERF, OP_GELU_TANH, OP_ADD, OP_LAYERNORM, OP_SOFTMAX };
static const char *const op_names[] = {"relu", "gelu_erf", "gelu_tanh", "add", "layernorm",
                                       "softmax"};

/* A problem: elementwise ops use n = rows * cols as one array. */
struct ocase {
    enum op op;
    int64_t rows, cols;
    float scale; /* inputs uniform in [-scale, scale] (+ a row offset for layernorm) */
};

/* The worst errors seen in a group, for the log. */
struct worst {
    double nmse, elem; /* elem: |got - want| / scale */
};

struct bufs {
    size_t n;
    float *x, *x2, *gamma, *beta, *y, *ref; /* guarded; inputs read-only once filled */
};

/* ------------------------------------------------------------------ setup */

static void begin(vnn_isa isa, const char *group)
{
    vt_use_isa(isa);
    /* Every group starts from the same state whatever ran before it in this
     * process (the in-process runner): two threads, so threaded paths run. */
    VT_CHECK(vnn_set_num_threads(2) == VNN_OK, "vnn_set_num_threads(2) failed");
    const struct vnn_kernel_table *t = vnn_kernels();
    vt_log("ops/%s/%s: %s, %s, %s, %s, %s, %s; reference: %s", vnn_isa_name(isa), group,
           t->eltwise.relu_name, t->eltwise.add_name, t->eltwise.gelu_erf_name,
           t->eltwise.gelu_tanh_name, t->norm.layernorm_name, t->norm.softmax_name,
           ops_ref_name());
}

static void b_free(struct bufs *b)
{
    vt_free(b->x);
    vt_free(b->x2);
    vt_free(b->y);
    vt_free(b->gamma);
    vt_free(b->beta);
    vt_free(b->ref);
    *b = (struct bufs){0};
}

static float uniform(vt_rng *r, float lo, float hi)
{
    return lo + (hi - lo) * (float)((double)(vt_rng_next(r) >> 11) * 0x1p-53);
}

static void b_alloc(const struct ocase *c, struct bufs *b, vt_rng *r)
{
    *b = (struct bufs){0};
    b->n = (size_t)(c->rows * c->cols);
    b->x = vt_alloc_floats(b->n);
    b->x2 = vt_alloc_floats(b->n);
    b->y = vt_alloc_floats(b->n);
    b->gamma = vt_alloc_floats((size_t)c->cols);
    b->beta = vt_alloc_floats((size_t)c->cols);
    b->ref = vt_alloc_floats(b->n);
    for (int64_t i = 0; i < c->rows; i++) {
        /* Layer norm rows get an offset, so the two-pass variance matters. */
        float off = c->op == OP_LAYERNORM ? uniform(r, -4, 4) * c->scale : 0.0f;
        for (int64_t j = 0; j < c->cols; j++)
            b->x[i * c->cols + j] = off + uniform(r, -c->scale, c->scale);
    }
    for (size_t i = 0; i < b->n; i++)
        b->x2[i] = uniform(r, -c->scale, c->scale);
    for (int64_t j = 0; j < c->cols; j++) {
        b->gamma[j] = uniform(r, -2, 2);
        b->beta[j] = uniform(r, -1, 1);
    }
    vt_readonly(b->x);
    vt_readonly(b->x2);
    vt_readonly(b->gamma);
    vt_readonly(b->beta);
}

static void reset_y(struct bufs *b) { vt_fill_nan(b->y, b->n); }

/* ------------------------------------------------------------ computing */

#define EPS 1e-5f

static vnn_status run_vnn(const struct ocase *c, const struct bufs *b, const float *x, float *y)
{
    int64_t n = c->rows * c->cols;
    switch (c->op) {
    case OP_RELU:
        return vnn_relu(n, x, y);
    case OP_GELU_ERF:
        return vnn_gelu(VNN_GELU_ERF, n, x, y);
    case OP_GELU_TANH:
        return vnn_gelu(VNN_GELU_TANH, n, x, y);
    case OP_ADD:
        return vnn_add(n, x, b->x2, y);
    case OP_LAYERNORM:
        return vnn_layernorm(c->rows, c->cols, x, b->gamma, b->beta, EPS, y);
    default:
        return vnn_softmax(c->rows, c->cols, x, y);
    }
}

static int run_ref(const struct ocase *c, const struct bufs *b, float *y)
{
    int64_t n = c->rows * c->cols;
    switch (c->op) {
    case OP_RELU:
        return ops_ref_eltwise(OPS_REF_RELU, n, b->x, y);
    case OP_GELU_ERF:
        return ops_ref_eltwise(OPS_REF_GELU_ERF, n, b->x, y);
    case OP_GELU_TANH:
        return ops_ref_eltwise(OPS_REF_GELU_TANH, n, b->x, y);
    case OP_ADD:
        return ops_ref_add(n, b->x, b->x2, y);
    case OP_LAYERNORM:
        return ops_ref_layernorm(c->rows, c->cols, b->x, b->gamma, b->beta, EPS, y);
    default:
        return ops_ref_softmax(c->rows, c->cols, b->x, y);
    }
}

/* ----------------------------------------------------------- comparing */

static _Noreturn void fail_case(const char *group, const struct ocase *c, struct bufs *b,
                                const char *detail)
{
    char desc[200];
    snprintf(desc, sizeof desc, "%s isa=%s threads=%d rows=%" PRId64 " cols=%" PRId64
             " scale=%g", op_names[c->op], vnn_isa_name(vnn_get_isa()), vnn_get_num_threads(),
             c->rows, c->cols, (double)c->scale);
    b_free(b);
    vt_fail(__FILE__, __LINE__, "%s: %s: %s", group, desc, detail);
}

/* The size element i's error is measured against (see the top). */
static double elem_scale(const struct ocase *c, const struct bufs *b, size_t i,
                         const double *row_stat)
{
    size_t row = i / (size_t)c->cols, col = i % (size_t)c->cols;
    switch (c->op) {
    case OP_GELU_ERF:
    case OP_GELU_TANH:
        return fmax(1.0, fabs((double)b->x[i]));
    case OP_SOFTMAX:
        return row_stat[row];
    case OP_LAYERNORM: {
        double z = fabs((double)b->x[i] - row_stat[2 * row]) * row_stat[2 * row + 1];
        return fabs((double)b->gamma[col]) * (z + 1.0) + fabs((double)b->beta[col]);
    }
    default:
        return 0.0; /* exact */
    }
}

/* Per-row statistics elem_scale needs: softmax, the row's largest
 * reference output; layer norm, the exact mean and 1 / stddev. */
static double *row_stats(const struct ocase *c, const struct bufs *b)
{
    double *s = malloc((size_t)c->rows * 2 * sizeof *s);
    VT_CHECK(s, "out of memory");
    for (int64_t r = 0; r < c->rows; r++) {
        const float *x = b->x + r * c->cols, *ref = b->ref + r * c->cols;
        double m = 0, v = 0, mx = 0;
        for (int64_t j = 0; j < c->cols; j++) {
            m += x[j];
            mx = fmax(mx, (double)ref[j]);
        }
        m /= (double)c->cols;
        for (int64_t j = 0; j < c->cols; j++)
            v += ((double)x[j] - m) * ((double)x[j] - m);
        v /= (double)c->cols;
        if (c->op == OP_SOFTMAX)
            s[r] = mx;
        else
            s[2 * r] = m, s[2 * r + 1] = 1.0 / sqrt(v + EPS);
    }
    return s;
}

/* got vs b->ref over n elements (guards checked); 1 if within the bounds,
 * else 0 and msg says where. */
static int compare(const struct ocase *c, struct bufs *b, const float *got, struct worst *w,
                   char *msg, size_t size)
{
    if (!vt_guard_ok(got, msg, size))
        return 0;
    int exact = c->op == OP_RELU || c->op == OP_ADD;
    double *rs = exact ? NULL : row_stats(c, b);
    double num = 0, den = 0;
    int ok = 1;
    for (size_t i = 0; i < b->n && ok; i++) {
        double g = got[i], r = b->ref[i];
        if (isnan(g) || isinf(g)) {
            snprintf(msg, size, "y[%zu] = %g (x = %.9g)", i, g, (double)b->x[i]);
            ok = 0;
        } else if (exact) {
            if (g != r) {
                snprintf(msg, size, "y[%zu] = %.9g, expected %.9g exactly (x = %.9g)", i, g, r,
                         (double)b->x[i]);
                ok = 0;
            }
        } else {
            double e = fabs(g - r) / elem_scale(c, b, i, rs);
            w->elem = fmax(w->elem, e);
            if (!(e <= ELEM_TOL)) {
                snprintf(msg, size, "y[%zu] (row %zu) = %.9g, expected %.9g: error %.3g of "
                         "its scale, bound %.3g (x = %.9g)", i, i / (size_t)c->cols, g, r, e,
                         ELEM_TOL, (double)b->x[i]);
                ok = 0;
            }
            num += (g - r) * (g - r);
            den += r * r;
        }
    }
    free(rs);
    if (ok && !exact) {
        double nmse = den > 0 ? num / den : num;
        w->nmse = fmax(w->nmse, nmse);
        if (!(nmse <= NMSE_MAX)) {
            snprintf(msg, size, "nmse %.3g > %.3g", nmse, NMSE_MAX);
            ok = 0;
        }
    }
    return ok;
}

/* vnn vs the reference, then the same in place (y = x), which must give the
 * same bits. */
static void check_case(const char *group, const struct ocase *c, vt_rng *r, struct worst *w)
{
    struct bufs b;
    char msg[300];
    b_alloc(c, &b, r);
    if (run_ref(c, &b, b.ref) != 0)
        fail_case(group, c, &b, "the reference failed");
    reset_y(&b);
    vnn_status st = run_vnn(c, &b, b.x, b.y);
    if (st != VNN_OK) {
        snprintf(msg, sizeof msg, "returned %s", vnn_status_str(st));
        fail_case(group, c, &b, msg);
    }
    if (!compare(c, &b, b.y, w, msg, sizeof msg))
        fail_case(group, c, &b, msg);
    /* In place: copy x into y's buffer (still guarded) and run on it. */
    memcpy(b.y, b.x, b.n * sizeof *b.y);
    st = run_vnn(c, &b, b.y, b.y);
    float *inplace = vt_alloc_floats(b.n);
    memcpy(inplace, b.y, b.n * sizeof *inplace);
    reset_y(&b);
    run_vnn(c, &b, b.x, b.y);
    int same = st == VNN_OK && memcmp(inplace, b.y, b.n * sizeof *inplace) == 0;
    vt_guard_check(b.y, "in place");
    vt_free(inplace);
    if (!same)
        fail_case(group, c, &b, st == VNN_OK ? "in place differs from out of place (bitwise)"
                                             : "in place call failed");
    b_free(&b);
}

static void log_worst(const char *group, int cases, const struct worst *w)
{
    vt_log("%s: %d cases; worst nmse %.3g (bound %.3g), worst element error %.3g of its "
           "scale (bound %.3g)", group, cases, w->nmse, NMSE_MAX, w->elem, ELEM_TOL);
}

/* ------------------------------------------------------------------ groups */

/* Every vector body and tail of every kernel: 1-3 (NEON's scalar tail),
 * around 8, 16, 32, 64 (the AVX2 / AVX-512 steps) and larger odd sizes. */
static const int64_t edge_sizes[] = {1,  2,  3,  4,  5,  7,  8,  9,  15,  16,  17,  31,  32,
                                     33, 47, 63, 64, 65, 95, 127, 128, 129, 255, 1000, 4099};
#define N_EDGE (sizeof edge_sizes / sizeof edge_sizes[0])

static void group_eltwise_edge(vnn_isa isa)
{
    begin(isa, "eltwise_edge");
    vt_rng r = vt_rng_make("ops/eltwise_edge");
    struct worst w = {0};
    int n = 0;
    for (int op = OP_RELU; op <= OP_ADD; op++)
        for (size_t i = 0; i < N_EDGE; i++, n++) {
            struct ocase c = {(enum op)op, 1, edge_sizes[i], 8.0f};
            check_case("eltwise_edge", &c, &r, &w);
        }
    /* Large enough to be split over threads. */
    for (int op = OP_RELU; op <= OP_ADD; op++, n++) {
        struct ocase c = {(enum op)op, 1, 100003, 8.0f};
        check_case("eltwise_edge", &c, &r, &w);
    }
    log_worst("eltwise_edge (relu, gelu_erf, gelu_tanh, add)", n, &w);
}

static void group_eltwise_random(vnn_isa isa)
{
    begin(isa, "eltwise_random");
    vt_rng r = vt_rng_make("ops/eltwise_random");
    static const float scales[] = {0.5f, 3.0f, 8.0f, 30.0f};
    struct worst w = {0};
    int count = vt_count(150);
    for (int i = 0; i < count; i++) {
        struct ocase c = {(enum op)vt_rng_int(&r, OP_RELU, OP_ADD), 1, vt_rng_int(&r, 1, 5000),
                          scales[vt_rng_int(&r, 0, 3)]};
        check_case("eltwise_random", &c, &r, &w);
    }
    log_worst("eltwise_random", count, &w);
}

static void group_norm_edge(vnn_isa isa)
{
    begin(isa, "norm_edge");
    vt_rng r = vt_rng_make("ops/norm_edge");
    static const int64_t rows[] = {1, 2, 17};
    struct worst w = {0};
    int n = 0;
    for (int op = OP_LAYERNORM; op <= OP_SOFTMAX; op++)
        for (size_t i = 0; i < N_EDGE; i++)
            for (size_t j = 0; j < sizeof rows / sizeof rows[0]; j++, n++) {
                struct ocase c = {(enum op)op, rows[j], edge_sizes[i], 3.0f};
                check_case("norm_edge", &c, &r, &w);
            }
    log_worst("norm_edge (layernorm, softmax)", n, &w);
}

static void group_norm_random(vnn_isa isa)
{
    begin(isa, "norm_random");
    vt_rng r = vt_rng_make("ops/norm_random");
    static const float scales[] = {0.01f, 1.0f, 5.0f, 20.0f};
    struct worst w = {0};
    int count = vt_count(150);
    for (int i = 0; i < count; i++) {
        struct ocase c = {(enum op)vt_rng_int(&r, OP_LAYERNORM, OP_SOFTMAX),
                          vt_rng_int(&r, 1, 40), vt_rng_int(&r, 1, 2100),
                          scales[vt_rng_int(&r, 0, 3)]};
        check_case("norm_random", &c, &r, &w);
    }
    log_worst("norm_random", count, &w);
}

/* Logits up to +-1e4 (scores of an unscaled attention): exp must never
 * overflow, every output is finite, in [0, 1], and each row sums to 1. */
static void group_softmax_large(vnn_isa isa)
{
    begin(isa, "softmax_large");
    vt_rng r = vt_rng_make("ops/softmax_large");
    static const int64_t cols[] = {1, 2, 17, 63, 65, 512, 1000};
    struct worst w = {0};
    int n = 0;
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++, n++) {
        struct ocase c = {OP_SOFTMAX, 7, cols[i], 1e4f};
        check_case("softmax_large", &c, &r, &w);
        struct bufs b;
        b_alloc(&c, &b, &r);
        vt_writable(b.x);
        b.x[0] = 1e4f, b.x[b.n - 1] = -1e4f; /* both extremes present */
        vt_readonly(b.x);
        reset_y(&b);
        VT_CHECK(vnn_softmax(c.rows, c.cols, b.x, b.y) == VNN_OK, "softmax failed");
        for (int64_t row = 0; row < c.rows; row++) {
            double sum = 0;
            for (int64_t j = 0; j < c.cols; j++) {
                float v = b.y[row * c.cols + j];
                VT_CHECK(v >= 0.0f && v <= 1.0f, "softmax_large: cols=%" PRId64
                         " y[%" PRId64 "][%" PRId64 "] = %g", c.cols, row, j, (double)v);
                sum += v;
            }
            VT_CHECK(fabs(sum - 1.0) <= 1e-5, "softmax_large: cols=%" PRId64 " row %" PRId64
                     " sums to %.9g", c.cols, row, sum);
        }
        b_free(&b);
    }
    log_worst("softmax_large (logits in +-1e4, rows sum to 1 within 1e-5)", n, &w);
}

/* erf against double libm over [-6, 6] (both clamps), plus the specials. */
static void group_erf(vnn_isa isa)
{
    begin(isa, "erf");
    const struct vnn_eltwise_config *e = &vnn_kernels()->eltwise;
    size_t n = (size_t)vt_count(1 << 20) + 8;
    float *x = vt_alloc_floats(n), *y = vt_alloc_floats(n);
    vt_rng r = vt_rng_make("ops/erf");
    for (size_t i = 0; i < n - 8; i++)
        x[i] = i % 2 ? uniform(&r, -6, 6) : -6.0f + 12.0f * (float)i / (float)(n - 8);
    const float specials[8] = {0.0f, -0.0f, 1e-30f, -1e-20f, 1e-6f, INFINITY, -INFINITY, NAN};
    memcpy(x + n - 8, specials, sizeof specials);
    vt_readonly(x);
    e->erf(n, x, y);
    double worst = 0;
    for (size_t i = 0; i < n - 1; i++) {
        double ref = erf((double)x[i]), err = fabs((double)y[i] - ref);
        double rel = ref != 0 ? err / fabs(ref) : err;
        VT_CHECK(err <= VNN_ERF_MAX_ERR && rel <= VNN_ERF_MAX_ERR,
                 "%s: erf(%.9g) = %.9g, expected %.9g (abs err %.3g, rel %.3g)", e->erf_name,
                 (double)x[i], (double)y[i], ref, err, rel);
        worst = fmax(worst, fmax(err, rel));
    }
    VT_CHECK(isnan(y[n - 1]), "%s: erf(NaN) = %g", e->erf_name, (double)y[n - 1]);
    vt_free(x);
    vt_free(y);
    vt_log("erf: %s, %zu points in [-6, 6] and specials; worst error %.3g (bound %.3g)",
           e->erf_name, n, worst, VNN_ERF_MAX_ERR);
}

/* Embedding: rows gathered exactly; an out-of-range id anywhere fails
 * before anything is written. */
static void group_embedding(vnn_isa isa)
{
    begin(isa, "embedding");
    vt_rng r = vt_rng_make("ops/embedding");
    static const int64_t dims[] = {1, 3, 17, 64, 768};
    static const int64_t tokens[] = {1, 5, 300};
    const int64_t vocab = 1000;
    int n = 0;
    for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++)
        for (size_t ti = 0; ti < sizeof tokens / sizeof tokens[0]; ti++, n++) {
            int64_t dim = dims[di], T = tokens[ti];
            size_t yn = (size_t)(T * dim);
            float *table = vt_alloc_floats((size_t)(vocab * dim));
            float *y = vt_alloc_floats(yn);
            int64_t *ids = vt_alloc_bytes((size_t)T * sizeof *ids, sizeof *ids);
            for (int64_t i = 0; i < vocab * dim; i++)
                table[i] = uniform(&r, -1, 1);
            for (int64_t t = 0; t < T; t++)
                ids[t] = t == 0 ? vocab - 1 : t == 1 ? 0 : vt_rng_int(&r, 0, (int)vocab - 1);
            vt_readonly(table);
            vt_readonly(ids);
            vt_fill_nan(y, yn);
            VT_CHECK(vnn_embedding(T, ids, vocab, dim, table, y) == VNN_OK, "embedding failed");
            for (int64_t t = 0; t < T; t++)
                VT_CHECK(memcmp(y + t * dim, table + ids[t] * dim, (size_t)dim * sizeof *y) == 0,
                         "embedding: dim=%" PRId64 " token %" PRId64 " (id %" PRId64
                         ") is not its table row", dim, t, ids[t]);
            vt_guard_check(y, "embedding");
            vt_writable(ids);
            /* One bad id (first, middle or last; too large or negative). */
            static const int64_t bad[] = {-1, INT64_MIN, 1000, INT64_MAX};
            for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
                int64_t at = (int64_t)k % 3 == 0 ? 0 : (int64_t)k % 3 == 1 ? T / 2 : T - 1;
                int64_t keep = ids[at];
                ids[at] = bad[k];
                vt_fill_nan(y, yn);
                vnn_status st = vnn_embedding(T, ids, vocab, dim, table, y);
                ids[at] = keep;
                VT_CHECK(st == VNN_ERR_INVALID_ARG, "embedding: id %" PRId64 " gave %s",
                         bad[k], vnn_status_str(st));
                for (size_t i = 0; i < yn; i++)
                    VT_CHECK(isnan(y[i]), "embedding: id %" PRId64 " wrote y[%zu]", bad[k], i);
            }
            vt_free(table);
            vt_free(y);
            vt_free(ids);
        }
    vt_log("embedding: %d shapes, 4 bad ids each", n);
}

/* 1, 2 and 3 threads give the same bits. */
static void group_threads(vnn_isa isa)
{
    begin(isa, "threads");
    vt_rng r = vt_rng_make("ops/threads");
    const struct ocase cases[] = {
        {OP_RELU, 1, 300007, 8.0f},      {OP_GELU_ERF, 1, 300007, 8.0f},
        {OP_GELU_TANH, 1, 300007, 8.0f}, {OP_ADD, 1, 300007, 8.0f},
        {OP_LAYERNORM, 301, 769, 2.0f},  {OP_SOFTMAX, 301, 769, 5.0f},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct ocase *c = &cases[i];
        struct bufs b;
        b_alloc(c, &b, &r);
        vnn_set_num_threads(1);
        vnn_status st = run_vnn(c, &b, b.x, b.ref);
        for (int t = 2; t <= 3; t++) {
            vnn_set_num_threads(t);
            reset_y(&b);
            vnn_status st2 = run_vnn(c, &b, b.x, b.y);
            if (st != VNN_OK || st2 != VNN_OK || memcmp(b.y, b.ref, b.n * sizeof *b.y) != 0)
                fail_case("threads", c, &b, "result differs from 1 thread (bitwise)");
        }
        b_free(&b);
    }
    vnn_set_num_threads(2);
    vt_log("threads: %zu problems, 1 vs 2 vs 3 threads", sizeof cases / sizeof cases[0]);
}

/* The benchmarked shapes (bench/shapes/ops.txt), against the reference. */
static void group_labels(vnn_isa isa)
{
    begin(isa, "labels");
    vt_rng r = vt_rng_make("ops/labels");
    const struct ocase cases[] = {
        {OP_LAYERNORM, 128, 768, 1.0f}, {OP_LAYERNORM, 512, 768, 1.0f},
        {OP_SOFTMAX, 1024, 512, 4.0f},  {OP_GELU_ERF, 128, 3072, 4.0f},
        {OP_GELU_TANH, 128, 3072, 4.0f}, {OP_RELU, 128, 3072, 4.0f},
        {OP_ADD, 512, 768, 4.0f},
    };
    struct worst w = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case("labels", &cases[i], &r, &w);
    log_worst("labels", (int)(sizeof cases / sizeof cases[0]), &w);
}

/* ------------------------------------- sigmoid, tanh, layernorm statistics */

/* vnn_sigmoid and vnn_tanh (the vmath kernels behind a validated, threaded
 * entry point; test-vmath.c holds the kernels to their bound everywhere)
 * against double libm within their documented 1e-6 absolute, over sizes
 * that cover the vector tails and the threaded split, in place too; and
 * vnn_layernorm_stats against double sums (mean within 1e-6 relative to
 * the row's scale, rstd within 1e-5 relative). */
static void group_sigmoid_tanh_stats(vnn_isa isa)
{
    begin(isa, "sigmoid_tanh_stats");
    static const int64_t sizes[] = {1, 7, 16, 33, 255, 70001};
    vt_rng r = vt_rng_make("sigmoid_tanh_stats");
    double worst = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        int64_t n = sizes[s];
        float *x = malloc((size_t)n * 4), *y = malloc((size_t)n * 4 + 4);
        VT_CHECK(x && y, "out of memory");
        for (int64_t i = 0; i < n; i++)
            x[i] = (float)vt_rng_int(&r, -12000, 12000) / 1000.0f;
        for (int which = 0; which < 2; which++) {
            y[n] = SENTINEL;
            VT_CHECK((which ? vnn_tanh(n, x, y) : vnn_sigmoid(n, x, y)) == VNN_OK, "%s",
                     vnn_last_error());
            for (int64_t i = 0; i < n; i++) {
                double want = which ? tanh((double)x[i]) : 1.0 / (1.0 + exp(-(double)x[i]));
                double e = fabs(y[i] - want);
                worst = e > worst ? e : worst;
                VT_CHECK(e <= 1e-6, "%s(%g) = %.9g, expected %.9g (n = %" PRId64 ")",
                         which ? "tanh" : "sigmoid", (double)x[i], (double)y[i], want, n);
            }
            VT_CHECK(y[n] == SENTINEL, "wrote past y (n = %" PRId64 ")", n);
        }
        memcpy(y, x, (size_t)n * 4);
        VT_CHECK(vnn_sigmoid(n, y, y) == VNN_OK, "in place");
        for (int64_t i = 0; i < n; i++)
            VT_CHECK(fabs(y[i] - 1.0 / (1.0 + exp(-(double)x[i]))) <= 1e-6, "in place");
        free(x);
        free(y);
    }
    enum { ROWS = 5, COLS = 301 };
    static float x[ROWS * COLS], mean[ROWS], rstd[ROWS];
    for (int i = 0; i < ROWS * COLS; i++)
        x[i] = (float)vt_rng_int(&r, -3000, 3000) / 1000.0f + (float)(i / COLS) * 10.0f;
    VT_CHECK(vnn_layernorm_stats(ROWS, COLS, x, 1e-5f, mean, rstd) == VNN_OK, "%s",
             vnn_last_error());
    for (int row = 0; row < ROWS; row++) {
        double m = 0, v = 0;
        for (int c = 0; c < COLS; c++)
            m += x[row * COLS + c];
        m /= COLS;
        for (int c = 0; c < COLS; c++)
            v += (x[row * COLS + c] - m) * (x[row * COLS + c] - m);
        double want_rstd = 1.0 / sqrt(v / COLS + 1e-5);
        VT_CHECK(fabs(mean[row] - m) <= 1e-6 * (fabs(m) + 3.0), "mean[%d] %.9g vs %.9g", row,
                 (double)mean[row], m);
        VT_CHECK(fabs(rstd[row] - want_rstd) <= 1e-5 * want_rstd, "rstd[%d] %.9g vs %.9g", row,
                 (double)rstd[row], want_rstd);
    }
    vt_log("sigmoid_tanh_stats: worst sigmoid/tanh error %.3g (bound 1e-6)", worst);
}

/* ------------------------------------------------------------- bad input */

/* Every call must fail with VNN_ERR_INVALID_ARG and leave y untouched. */
static void group_bad_input(vnn_isa isa)
{
    begin(isa, "bad_input");
    enum { N = 64 };
    static float x[N], y[N + 8], g[N], bt[N];
    int64_t ids[4] = {0, 1, 2, 3};
    for (int i = 0; i < N; i++)
        x[i] = (float)i, g[i] = 1.0f, bt[i] = 0.0f;
    const int64_t huge = INT64_MAX / 2;
    struct {
        const char *what;
        vnn_status st;
    } calls[96];
    int k = 0;
#define BAD(call) (calls[k].what = #call, calls[k].st = (call), k++)
    for (int i = 0; i < N + 8; i++)
        y[i] = SENTINEL;
    BAD(vnn_relu(0, x, y));
    BAD(vnn_relu(-1, x, y));
    BAD(vnn_relu(N, NULL, y));
    BAD(vnn_relu(N, x, NULL));
    BAD(vnn_relu(huge, x, y));
    BAD(vnn_relu(N, y, y + 1)); /* partial overlap */
    BAD(vnn_gelu((vnn_gelu_approx)2, N, x, y));
    BAD(vnn_gelu((vnn_gelu_approx)-1, N, x, y));
    BAD(vnn_gelu(VNN_GELU_ERF, 0, x, y));
    BAD(vnn_gelu(VNN_GELU_TANH, N, NULL, y));
    BAD(vnn_gelu(VNN_GELU_TANH, N, y + 3, y));
    BAD(vnn_sigmoid(0, x, y));
    BAD(vnn_sigmoid(N, NULL, y));
    BAD(vnn_sigmoid(N, y + 1, y));
    BAD(vnn_tanh(huge, x, y));
    BAD(vnn_tanh(N, x, NULL));
    BAD(vnn_layernorm_stats(0, N, x, EPS, y, y + 1));
    BAD(vnn_layernorm_stats(1, N, NULL, EPS, y, y + 1));
    BAD(vnn_layernorm_stats(1, N, x, EPS, NULL, y + 1));
    BAD(vnn_layernorm_stats(1, N, x, EPS, y, NULL));
    BAD(vnn_layernorm_stats(1, N, x, -1.0f, y, y + 1));
    BAD(vnn_layernorm_stats(2, N, x, EPS, y, y + 1)); /* mean [2] overlaps rstd */
    BAD(vnn_layernorm_stats(1, N, y, EPS, y + 8, y + 9)); /* x overlaps mean */
    BAD(vnn_add(N, x, g, NULL));
    BAD(vnn_add(N, NULL, g, y));
    BAD(vnn_add(N, x, NULL, y));
    BAD(vnn_add(0, x, g, y));
    BAD(vnn_add(huge, x, g, y));
    BAD(vnn_add(N, y + 1, g, y));
    BAD(vnn_add(N, x, y + 2, y));
    BAD(vnn_layernorm(0, N, x, g, bt, EPS, y));
    BAD(vnn_layernorm(1, 0, x, g, bt, EPS, y));
    BAD(vnn_layernorm(huge, 4, x, g, bt, EPS, y));
    BAD(vnn_layernorm(1, N, NULL, g, bt, EPS, y));
    BAD(vnn_layernorm(1, N, x, NULL, bt, EPS, y));
    BAD(vnn_layernorm(1, N, x, g, NULL, EPS, y));
    BAD(vnn_layernorm(1, N, x, g, bt, EPS, NULL));
    BAD(vnn_layernorm(1, N, x, g, bt, -1.0f, y));
    BAD(vnn_layernorm(1, N, x, g, bt, NAN, y));
    BAD(vnn_layernorm(1, N, x, g, bt, INFINITY, y));
    BAD(vnn_layernorm(2, N / 2, y + 1, g, bt, EPS, y));
    BAD(vnn_layernorm(1, N, x, y + 4, bt, EPS, y));
    BAD(vnn_layernorm(1, N, x, g, y, EPS, y));
    BAD(vnn_softmax(0, N, x, y));
    BAD(vnn_softmax(N, 0, x, y));
    BAD(vnn_softmax(-3, N, x, y));
    BAD(vnn_softmax(huge, huge, x, y));
    BAD(vnn_softmax(1, N, NULL, y));
    BAD(vnn_softmax(1, N, x, NULL));
    BAD(vnn_softmax(1, N, y + 5, y));
    BAD(vnn_embedding(0, ids, 4, 2, x, y));
    BAD(vnn_embedding(4, NULL, 4, 2, x, y));
    BAD(vnn_embedding(4, ids, 4, 2, NULL, y));
    BAD(vnn_embedding(4, ids, 4, 2, x, NULL));
    BAD(vnn_embedding(4, ids, 0, 2, x, y));
    BAD(vnn_embedding(4, ids, 4, 0, x, y));
    BAD(vnn_embedding(4, ids, 3, 2, x, y)); /* id 3 >= vocab 3 */
    BAD(vnn_embedding(4, ids, huge, huge, x, y));
    BAD(vnn_embedding(4, ids, 4, 2, y + 1, y)); /* table overlaps y */
#undef BAD
    for (int i = 0; i < k; i++)
        VT_CHECK(calls[i].st == VNN_ERR_INVALID_ARG, "%s returned %s, expected an invalid "
                 "argument error", calls[i].what, vnn_status_str(calls[i].st));
    for (int i = 0; i < N + 8; i++)
        VT_CHECK(y[i] == SENTINEL, "a rejected call wrote y[%d]", i);
    vt_log("bad_input: %d rejected calls, nothing written", k);
}

/* ------------------------------------------------------------- the suite */

#define OPS_SUITE(isa, suite)                                                  \
    VT_TEST(suite, erf) { group_erf(isa); }                                    \
    VT_TEST(suite, eltwise_edge) { group_eltwise_edge(isa); }                  \
    VT_TEST(suite, eltwise_random) { group_eltwise_random(isa); }              \
    VT_TEST(suite, norm_edge) { group_norm_edge(isa); }                        \
    VT_TEST(suite, norm_random) { group_norm_random(isa); }                    \
    VT_TEST(suite, softmax_large) { group_softmax_large(isa); }                \
    VT_TEST(suite, embedding) { group_embedding(isa); }                        \
    VT_TEST(suite, labels) { group_labels(isa); }                              \
    VT_TEST(suite, threads) { group_threads(isa); }                            \
    VT_TEST(suite, sigmoid_tanh_stats) { group_sigmoid_tanh_stats(isa); }      \
    VT_TEST(suite, bad_input) { group_bad_input(isa); }

OPS_SUITE(VNN_ISA_SCALAR, ops_scalar)
OPS_SUITE(VNN_ISA_AVX2, ops_avx2)
OPS_SUITE(VNN_ISA_AVX512, ops_avx512)
OPS_SUITE(VNN_ISA_NEON, ops_neon)
