/* LSTM suite: every ISA this machine runs, against oneDNN's lstm_forward
 * (or, without oneDNN, a double-precision loop nest; lstm-reference.h).
 *
 * Weights are made in oneDNN's layout (ldigo, one bias) and converted for
 * vnn with vnn_lstm_import_weights(VNN_LSTM_FORMAT_ONEDNN), so every case
 * also checks that import. Values are uniform in [-1, 1] (weights scaled
 * by 1/sqrt(H), PyTorch's init), so gate preactivations are O(1).
 *
 * Bound: |got - want| <= TOL * (1 + |want|). sigmoid and tanh are
 * approximations (vnn's: absolute error <= 1e-6, held by the math group
 * here; oneDNN's jit ones are similar), the GEMMs sum in different orders
 * (a few float ulps of O(1) preactivations), and the error of h feeds back
 * through the recurrence, contracting (|d tanh| <= 1, |sigmoid'| <= 1/4) but
 * adding up over T steps. Cases have T <= 16; the measured worst case is
 * logged by each group (about 4e-7 on x86) and stays under TOL = 5e-6.
 *
 * Output buffers start as NaN between guards that must come back
 * untouched. Per-sequence lengths are checked against oneDNN run on each
 * sequence alone at its own length, rows past the end against zero. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/lstm/lstm-driver.h" /* vnn_lstm_force_mode */
#include "kernels/simd/math-constants.h"
#include "lstm-reference.h"
#include "vnn/vnn.h"
#include "vt.h"

#define TOL 5e-6
#define SENTINEL 1234.5f

struct lcase {
    int64_t T, N, I, H;
    int D;
    bool init, batch_first, lengths;
};

struct lprob {
    struct lcase c;
    float *x_tnc, *x;                 /* oneDNN's time-major input, vnn's input */
    float *h0, *c0;                   /* [D][N][H] (NULL without init) */
    float *wl, *wi, *bias;            /* oneDNN [D][I][4][H], [D][H][4][H], [D][4][H] */
    float *w_ih[2], *w_hh[2], *b_ih[2], *b_hh[2];
    int64_t *len;
    size_t yn, sn;
    float *y, *hn, *cn;               /* vnn's outputs */
    float *ry, *rhn, *rcn;            /* the reference, time-major */
};

static double worst; /* the largest normalized error of the group */

static void begin(vnn_isa isa, const char *group)
{
    vt_use_isa(isa);
    VT_CHECK(vnn_set_num_threads(2) == VNN_OK, "vnn_set_num_threads(2) failed");
    const struct vnn_lstm_config *c = &vnn_kernels()->lstm;
    vt_log("lstm/%s/%s: %s, %s; reference: %s", vnn_isa_name(isa), group, c->gates_name,
           c->fused_name, lstm_ref_name());
    worst = 0.0;
}

/* Zeroed guarded buffers (vt_alloc_bytes), freed with vt_free. */
static void *xalloc(size_t n, size_t size)
{
    VT_CHECK(size == 0 || n <= SIZE_MAX / size, "test bug: %zu x %zu bytes", n, size);
    void *p = vt_alloc_bytes(n * size, size);
    memset(p, 0, n * size);
    return p;
}

static float uni(vt_rng *r) { return (float)vt_rng_int(r, -1000000, 1000000) / 1e6f; }

static void fill(vt_rng *r, float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++)
        x[i] = uni(r) * scale;
}

static void describe(char *buf, size_t size, const struct lcase *c)
{
    snprintf(buf, size,
             "isa=%s threads=%d T=%" PRId64 " N=%" PRId64 " I=%" PRId64 " H=%" PRId64
             " D=%d init=%d batch_first=%d lengths=%d",
             vnn_isa_name(vnn_get_isa()), vnn_get_num_threads(), c->T, c->N, c->I, c->H,
             c->D, (int)c->init, (int)c->batch_first, (int)c->lengths);
}

static void lp_free(struct lprob *p)
{
    vt_free(p->x_tnc);
    vt_free(p->x);
    vt_free(p->h0);
    vt_free(p->c0);
    vt_free(p->wl);
    vt_free(p->wi);
    vt_free(p->bias);
    for (int d = 0; d < 2; d++) {
        vt_free(p->w_ih[d]);
        vt_free(p->w_hh[d]);
        vt_free(p->b_ih[d]);
        vt_free(p->b_hh[d]);
    }
    vt_free(p->len);
    vt_free(p->y);
    vt_free(p->hn);
    vt_free(p->cn);
    vt_free(p->ry);
    vt_free(p->rhn);
    vt_free(p->rcn);
    *p = (struct lprob){0};
}

static void lp_make(struct lprob *p, const struct lcase *c, vt_rng *r)
{
    *p = (struct lprob){.c = *c};
    size_t T = (size_t)c->T, N = (size_t)c->N, I = (size_t)c->I, H = (size_t)c->H;
    size_t D = (size_t)c->D, G = 4 * H;
    p->x_tnc = xalloc(T * N * I, sizeof(float));
    fill(r, p->x_tnc, T * N * I, 1.0f);
    p->x = xalloc(T * N * I, sizeof(float));
    for (size_t t = 0; t < T; t++)
        for (size_t n = 0; n < N; n++)
            memcpy(p->x + (c->batch_first ? n * T + t : t * N + n) * I,
                   p->x_tnc + (t * N + n) * I, I * sizeof(float));
    p->sn = D * N * H;
    if (c->init) {
        p->h0 = xalloc(p->sn, sizeof(float));
        p->c0 = xalloc(p->sn, sizeof(float));
        fill(r, p->h0, p->sn, 1.0f);
        fill(r, p->c0, p->sn, 2.0f);
    }
    float scale = 1.0f / sqrtf((float)H);
    p->wl = xalloc(D * I * G, sizeof(float));
    p->wi = xalloc(D * H * G, sizeof(float));
    p->bias = xalloc(D * G, sizeof(float));
    fill(r, p->wl, D * I * G, scale);
    fill(r, p->wi, D * H * G, scale);
    fill(r, p->bias, D * G, scale);
    for (size_t d = 0; d < D; d++) {
        p->w_ih[d] = xalloc(G * I, sizeof(float));
        p->w_hh[d] = xalloc(G * H, sizeof(float));
        p->b_ih[d] = xalloc(G, sizeof(float));
        p->b_hh[d] = xalloc(G, sizeof(float));
        VT_CHECK(vnn_lstm_import_weights(VNN_LSTM_FORMAT_ONEDNN, c->I, c->H, p->wl + d * I * G,
                                         p->wi + d * H * G, p->bias + d * G, p->w_ih[d],
                                         p->w_hh[d], p->b_ih[d], p->b_hh[d]) == VNN_OK,
                 "import failed");
    }
    p->len = xalloc(N, sizeof(int64_t));
    for (size_t n = 0; n < N; n++)
        p->len[n] = c->lengths ? vt_rng_int(r, 1, (int)T) : c->T;
    if (c->lengths && N > 1 && vt_rng_int(r, 0, 1))
        p->len[vt_rng_int(r, 0, (int)N - 1)] = c->T; /* often one full-length */
    p->yn = T * N * D * H;
    p->y = xalloc(p->yn, sizeof(float));
    p->hn = xalloc(p->sn, sizeof(float));
    p->cn = xalloc(p->sn, sizeof(float));
    p->ry = xalloc(p->yn, sizeof(float));
    p->rhn = xalloc(p->sn, sizeof(float));
    p->rcn = xalloc(p->sn, sizeof(float));
    const void *inputs[] = {p->x, p->h0, p->c0, p->len, p->w_ih[0], p->w_hh[0], p->b_ih[0],
                            p->b_hh[0], p->w_ih[1], p->w_hh[1], p->b_ih[1], p->b_hh[1]};
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++)
        vt_readonly(inputs[i]);
}

static void reset_outputs(struct lprob *p)
{
    vt_fill_nan(p->y, p->yn);
    vt_fill_nan(p->hn, p->sn);
    vt_fill_nan(p->cn, p->sn);
}

static vnn_lstm_weights weights_of(const struct lprob *p, int d)
{
    return (vnn_lstm_weights){p->w_ih[d], p->w_hh[d], p->b_ih[d], p->b_hh[d]};
}

/* The reference into ry, rhn, rcn: the whole batch at once, or each
 * sequence alone at its own length (rows past it zero). */
static void reference(struct lprob *p)
{
    const struct lcase *c = &p->c;
    size_t T = (size_t)c->T, N = (size_t)c->N, I = (size_t)c->I, H = (size_t)c->H;
    size_t D = (size_t)c->D;
    if (!c->lengths) {
        VT_CHECK(lstm_ref(c->T, c->N, c->I, c->H, c->D, p->x_tnc, p->h0, p->c0, p->wl, p->wi,
                          p->bias, p->ry, p->rhn, p->rcn) == 0, "reference failed");
        return;
    }
    float *xs = xalloc(T * I, sizeof(float)), *ys = xalloc(T * D * H, sizeof(float));
    float *h0 = xalloc(D * H, sizeof(float)), *c0 = xalloc(D * H, sizeof(float));
    float *hs = xalloc(D * H, sizeof(float)), *cs = xalloc(D * H, sizeof(float));
    memset(p->ry, 0, p->yn * sizeof(float));
    for (size_t n = 0; n < N; n++) {
        size_t len = (size_t)p->len[n];
        for (size_t t = 0; t < len; t++)
            memcpy(xs + t * I, p->x_tnc + (t * N + n) * I, I * sizeof(float));
        for (size_t d = 0; d < D && c->init; d++) {
            memcpy(h0 + d * H, p->h0 + (d * N + n) * H, H * sizeof(float));
            memcpy(c0 + d * H, p->c0 + (d * N + n) * H, H * sizeof(float));
        }
        VT_CHECK(lstm_ref((int64_t)len, 1, c->I, c->H, c->D, xs, c->init ? h0 : NULL,
                          c->init ? c0 : NULL, p->wl, p->wi, p->bias, ys, hs, cs) == 0,
                 "reference failed");
        for (size_t t = 0; t < len; t++)
            memcpy(p->ry + (t * N + n) * D * H, ys + t * D * H, D * H * sizeof(float));
        for (size_t d = 0; d < D; d++) {
            memcpy(p->rhn + (d * N + n) * H, hs + d * H, H * sizeof(float));
            memcpy(p->rcn + (d * N + n) * H, cs + d * H, H * sizeof(float));
        }
    }
    vt_free(xs);
    vt_free(ys);
    vt_free(h0);
    vt_free(c0);
    vt_free(hs);
    vt_free(cs);
}

static _Noreturn void fail_case(const char *group, const struct lprob *p, const char *detail)
{
    char desc[300];
    describe(desc, sizeof desc, &p->c);
    vt_fail(__FILE__, __LINE__, "%s: %s: %s", group, desc, detail);
}

/* got (guarded) vs want over n floats; want_zero: exact zeros expected. */
static int close_enough(const char *what, const float *got, const float *want, size_t n,
                        char *msg, size_t size)
{
    char where[300];
    if (!vt_guard_ok(got, where, sizeof where)) {
        snprintf(msg, size, "%s: %s", what, where);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)got[i] - want[i]) / (1.0 + fabs((double)want[i]));
        if (!(e <= TOL)) {
            snprintf(msg, size, "%s[%zu] = %.9g, reference %.9g (error %.3g > %.3g)", what, i,
                     (double)got[i], (double)want[i], e, TOL);
            return 0;
        }
        if (want[i] == 0.0f && got[i] != 0.0f) {
            snprintf(msg, size, "%s[%zu] = %.9g, expected exactly 0 (past the end)", what, i,
                     (double)got[i]);
            return 0;
        }
        worst = e > worst ? e : worst;
    }
    return 1;
}

/* Runs vnn on p (plan from its weights) and compares with the reference. */
static void check_case(const char *group, struct lprob *p)
{
    const struct lcase *c = &p->c;
    size_t T = (size_t)c->T, N = (size_t)c->N, DH = (size_t)c->D * (size_t)c->H;
    vnn_lstm_desc desc = {c->I, c->H, c->D == 2};
    vnn_lstm_weights w[2] = {weights_of(p, 0), weights_of(p, c->D - 1)};
    vnn_lstm_plan *plan = NULL;
    vnn_status s = vnn_lstm_plan_create(&desc, w, &plan);
    if (s != VNN_OK)
        fail_case(group, p, vnn_status_str(s));
    reset_outputs(p);
    s = vnn_lstm_plan_run(plan, c->T, c->N, c->batch_first, p->x, c->lengths ? p->len : NULL,
                          p->h0, p->c0, p->y, p->hn, p->cn);
    vnn_lstm_plan_destroy(plan);
    if (s != VNN_OK)
        fail_case(group, p, vnn_status_str(s));
    reference(p);
    /* vnn's y in time-major order for the comparison (guards kept). */
    if (c->batch_first) {
        float *tmp = xalloc(p->yn, sizeof(float));
        for (size_t t = 0; t < T; t++)
            for (size_t n = 0; n < N; n++)
                memcpy(tmp + (t * N + n) * DH, p->y + (n * T + t) * DH, DH * sizeof(float));
        memcpy(p->y, tmp, p->yn * sizeof(float));
        vt_free(tmp);
    }
    char msg[400];
    if (!close_enough("y", p->y, p->ry, p->yn, msg, sizeof msg) ||
        !close_enough("hn", p->hn, p->rhn, p->sn, msg, sizeof msg) ||
        !close_enough("cn", p->cn, p->rcn, p->sn, msg, sizeof msg))
        fail_case(group, p, msg);
}

static void run_one(const char *group, const struct lcase *c, vt_rng *r)
{
    struct lprob p;
    lp_make(&p, c, r);
    check_case(group, &p);
    lp_free(&p);
}

/* ------------------------------------------------------------------ groups */

static const int64_t edge_sizes[] = {1, 3, 15, 17, 33, 65};
#define N_EDGE (sizeof edge_sizes / sizeof edge_sizes[0])

/* Every I x H of the edge sizes, T and N of 1 and a few, both directions,
 * with and without initial states. */
static void group_edge(vnn_isa isa)
{
    begin(isa, "edge");
    vt_rng r = vt_rng_make("lstm/edge");
    int k = 0;
    for (size_t a = 0; a < N_EDGE; a++)
        for (size_t b = 0; b < N_EDGE; b++, k++) {
            struct lcase c = {.T = k % 3 == 0 ? 1 : 1 + k % 4, .N = k % 2 ? 1 : 1 + k % 7,
                              .I = edge_sizes[a], .H = edge_sizes[b], .D = 1 + k % 2,
                              .init = (k / 2) % 2 == 1};
            run_one("edge", &c, &r);
            c.D = 3 - c.D;
            c.init = !c.init;
            run_one("edge", &c, &r);
        }
    vt_log("edge: %d cases, worst normalized error %.3g (bound %.3g)", 2 * k, worst, TOL);
}

static void random_case(vt_rng *r, struct lcase *c)
{
    *c = (struct lcase){
        .T = vt_rng_int(r, 1, 16), .N = vt_rng_int(r, 1, 3) == 1 ? vt_rng_int(r, 1, 4)
                                                                 : vt_rng_int(r, 1, 32),
        .I = vt_rng_int(r, 1, 80), .H = vt_rng_int(r, 1, 80), .D = vt_rng_int(r, 1, 2),
        .init = vt_rng_int(r, 0, 1), .batch_first = vt_rng_int(r, 0, 1),
    };
}

static void group_random(vnn_isa isa)
{
    begin(isa, "random");
    vt_rng r = vt_rng_make("lstm/random");
    int count = vt_count(100);
    for (int i = 0; i < count; i++) {
        struct lcase c;
        random_case(&r, &c);
        run_one("random", &c, &r);
    }
    vt_log("random: %d cases, worst normalized error %.3g (bound %.3g)", count, worst, TOL);
}

/* Each way the recurrence can run, forced on random shapes with lengths
 * (the driver otherwise picks one by batch and weight size). */
static void group_modes(vnn_isa isa)
{
    begin(isa, "modes");
    static const char *const names[] = {"fused", "split", "concat"};
    for (int mode = 0; mode < 3; mode++) {
        vt_rng r = vt_rng_make(names[mode]);
        int count = vt_count(14);
        vnn_lstm_force_mode = mode;
        for (int i = 0; i < count; i++) {
            struct lcase c;
            random_case(&r, &c);
            c.lengths = i % 2 == 1;
            run_one(names[mode], &c, &r);
        }
        vnn_lstm_force_mode = -1;
        vt_log("modes: %s: %d cases, worst normalized error so far %.3g", names[mode], count,
               worst);
    }
}

/* Per-sequence lengths (sorted or not), each sequence against oneDNN run
 * on it alone. */
static void group_lengths(vnn_isa isa)
{
    begin(isa, "lengths");
    vt_rng r = vt_rng_make("lstm/lengths");
    int count = vt_count(30);
    for (int i = 0; i < count; i++) {
        struct lcase c;
        random_case(&r, &c);
        c.lengths = true;
        c.N = vt_rng_int(&r, 1, 20);
        c.T = vt_rng_int(&r, 1, 16);
        struct lprob p;
        lp_make(&p, &c, &r);
        vt_writable(p.len);
        if (i % 3 == 0) /* non-increasing, as pack_padded_sequence sorts them */
            for (int64_t a = 0; a < c.N; a++)
                for (int64_t b = a + 1; b < c.N; b++)
                    if (p.len[b] > p.len[a]) {
                        int64_t t = p.len[a];
                        p.len[a] = p.len[b];
                        p.len[b] = t;
                    }
        vt_readonly(p.len);
        check_case("lengths", &p);
        lp_free(&p);
    }
    vt_log("lengths: %d cases, worst normalized error %.3g (bound %.3g)", count, worst, TOL);
}

/* vnn_lstm_cell against the layer with T = 1: the same kernels, so the
 * same bits; also in place, and with NULL states. */
static void group_cell(vnn_isa isa)
{
    begin(isa, "cell");
    vt_rng r = vt_rng_make("lstm/cell");
    int count = vt_count(30);
    for (int i = 0; i < count; i++) {
        struct lcase c;
        random_case(&r, &c);
        c.T = 1;
        c.D = 2;
        c.init = i % 4 != 3;
        c.batch_first = false;
        struct lprob p;
        lp_make(&p, &c, &r);
        vnn_lstm_desc desc = {c.I, c.H, true};
        vnn_lstm_weights w[2] = {weights_of(&p, 0), weights_of(&p, 1)};
        vnn_lstm_plan *plan;
        VT_CHECK(vnn_lstm_plan_create(&desc, w, &plan) == VNN_OK, "plan_create failed");
        reset_outputs(&p);
        VT_CHECK(vnn_lstm_plan_run(plan, 1, c.N, false, p.x, NULL, p.h0, p.c0, p.y, p.hn,
                                   p.cn) == VNN_OK, "plan_run failed");
        size_t NH = (size_t)(c.N * c.H);
        float *h = xalloc(NH, sizeof(float)), *cc = xalloc(NH, sizeof(float));
        for (int d = 0; d < 2; d++) {
            const float *h0 = p.h0 ? p.h0 + d * NH : NULL, *c0 = p.c0 ? p.c0 + d * NH : NULL;
            if (h0) {
                memcpy(h, h0, NH * sizeof(float));
                memcpy(cc, c0, NH * sizeof(float));
            }
            if (i % 2 && h0) /* in place */
                VT_CHECK(vnn_lstm_cell(plan, d, c.N, p.x, h, cc, h, cc) == VNN_OK,
                         "cell failed");
            else
                VT_CHECK(vnn_lstm_cell(plan, d, c.N, p.x, h0, c0, h, cc) == VNN_OK,
                         "cell failed");
            char desc_s[300];
            describe(desc_s, sizeof desc_s, &c);
            VT_CHECK(memcmp(h, p.hn + d * NH, NH * sizeof(float)) == 0 &&
                         memcmp(cc, p.cn + d * NH, NH * sizeof(float)) == 0,
                     "cell: %s direction %d: cell and layer (T=1) differ", desc_s, d);
        }
        vt_free(h);
        vt_free(cc);
        vnn_lstm_plan_destroy(plan);
        lp_free(&p);
    }
    vt_log("cell: %d cases, bitwise equal to the layer", count);
}

/* One and two threads give the same bits (threads split rows and
 * directions, never a sum). */
static void group_threads(vnn_isa isa)
{
    begin(isa, "threads");
    vt_rng r = vt_rng_make("lstm/threads");
    int count = vt_count(12);
    for (int i = 0; i < count; i++) {
        struct lcase c = {.T = vt_rng_int(&r, 1, 12), .N = i % 3 ? vt_rng_int(&r, 20, 70) : 1,
                          .I = vt_rng_int(&r, 1, 70), .H = vt_rng_int(&r, 1, 70),
                          .D = 1 + i % 2, .init = i % 2 == 0, .lengths = i % 4 == 1};
        struct lprob p;
        lp_make(&p, &c, &r);
        vnn_lstm_desc desc = {c.I, c.H, c.D == 2};
        vnn_lstm_weights w[2] = {weights_of(&p, 0), weights_of(&p, c.D - 1)};
        vnn_lstm_plan *plan;
        VT_CHECK(vnn_lstm_plan_create(&desc, w, &plan) == VNN_OK, "plan_create failed");
        float *y1 = xalloc(p.yn, sizeof(float)), *h1 = xalloc(p.sn, sizeof(float));
        for (int nt = 1; nt <= 3; nt++) {
            VT_CHECK(vnn_set_num_threads(nt) == VNN_OK, "set threads");
            reset_outputs(&p);
            VT_CHECK(vnn_lstm_plan_run(plan, c.T, c.N, false, p.x, c.lengths ? p.len : NULL,
                                       p.h0, p.c0, p.y, p.hn, p.cn) == VNN_OK, "run failed");
            if (nt == 1) {
                memcpy(y1, p.y, p.yn * sizeof(float));
                memcpy(h1, p.hn, p.sn * sizeof(float));
            } else {
                char desc_s[300];
                describe(desc_s, sizeof desc_s, &c);
                VT_CHECK(memcmp(y1, p.y, p.yn * sizeof(float)) == 0 &&
                             memcmp(h1, p.hn, p.sn * sizeof(float)) == 0,
                         "threads: %s: %d threads differ from 1", desc_s, nt);
            }
        }
        VT_CHECK(vnn_set_num_threads(2) == VNN_OK, "set threads");
        vt_free(y1);
        vt_free(h1);
        vnn_lstm_plan_destroy(plan);
        lp_free(&p);
    }
}

/* sigmoid and tanh through the gate kernel, held to the stated bound:
 *   i = +100 (sigmoid exactly 1), c = 0:  c' = tanh(g)
 *   i = -100 (sigmoid exactly 0), c = 1:  c' = sigmoid(f)
 * Sweeps [-20, 20] finely, then random arguments; H = 153 covers, on every
 * ISA, the grouped vector body (GATES_GROUP vectors at a time), single
 * vectors and the tail. */
static void group_math(vnn_isa isa)
{
    begin(isa, "math");
    const struct vnn_lstm_config *cfg = &vnn_kernels()->lstm;
    enum { H = 153 };
    float gx[4 * H], c[H], h[H];
    double max_t = 0, max_s = 0;
    vt_rng r = vt_rng_make("lstm/math");
    int rounds = 2 * 40000 / H;
    for (int round = 0; round < rounds; round++) {
        float arg[H];
        for (int j = 0; j < H; j++)
            arg[j] = round < rounds / 2 ? -20.0f + 40.0f * (float)(round * H + j) /
                                                     (float)(rounds / 2 * H)
                                       : uni(&r) * (round % 2 ? 3.0f : 12.0f);
        for (int which = 0; which < 2; which++) {
            for (int j = 0; j < H; j++) {
                gx[j] = which == 0 ? 100.0f : -100.0f;
                gx[H + j] = which == 0 ? 0.0f : arg[j];
                gx[2 * H + j] = which == 0 ? arg[j] : 0.0f;
                gx[3 * H + j] = 0.0f;
                c[j] = which == 0 ? 0.0f : 1.0f;
            }
            cfg->gates(H, gx, NULL, c, h, NULL);
            for (int j = 0; j < H; j++) {
                double want = which == 0 ? tanh((double)arg[j]) : 1.0 / (1.0 + exp(-(double)arg[j]));
                double e = fabs((double)c[j] - want);
                VT_CHECK(e <= VNN_SIGMOID_TANH_MAX_ABS_ERR,
                         "math: %s(%.9g) = %.9g, want %.9g: error %.3g > %g",
                         which == 0 ? "tanh" : "sigmoid", (double)arg[j], (double)c[j], want, e,
                         (double)VNN_SIGMOID_TANH_MAX_ABS_ERR);
                if (which == 0)
                    max_t = e > max_t ? e : max_t;
                else
                    max_s = e > max_s ? e : max_s;
            }
        }
    }
    vt_log("math: %d arguments: max |error| tanh %.3g, sigmoid %.3g (bound %g)", rounds * H,
           max_t, max_s, (double)VNN_SIGMOID_TANH_MAX_ABS_ERR);
}

/* Invalid calls return an error and leave every output as it was. */
static void group_bad_input(vnn_isa isa)
{
    begin(isa, "bad_input");
    enum { T = 3, N = 2, I = 3, H = 4, D = 2 };
    static float x[T * N * I], w_ih[4 * H * I], w_hh[4 * H * H], st[D * N * H];
    static float y[T * N * D * H], hn[D * N * H], cn[D * N * H];
    for (size_t i = 0; i < sizeof w_ih / sizeof *w_ih; i++)
        w_ih[i] = 0.1f;
    vnn_lstm_desc desc = {I, H, true};
    vnn_lstm_weights w[2] = {{w_ih, w_hh, NULL, NULL}, {w_ih, w_hh, NULL, NULL}};
    vnn_lstm_plan *plan = NULL;
    VT_CHECK(vnn_lstm_plan_create(&desc, w, &plan) == VNN_OK, "plan_create failed");
    int64_t good_len[N] = {3, 1}, bad_hi[N] = {4, 1}, bad_lo[N] = {3, 0};
    for (size_t i = 0; i < sizeof y / sizeof *y; i++)
        y[i] = SENTINEL;
    for (size_t i = 0; i < D * N * H; i++)
        hn[i] = cn[i] = SENTINEL;
    int n = 0;
#define BAD(call)                                                                        \
    do {                                                                                 \
        vnn_status s_ = (call);                                                          \
        VT_CHECK(s_ == VNN_ERR_INVALID_ARG, "bad_input: %s returned %s", #call,          \
                 vnn_status_str(s_));                                                    \
        n++;                                                                             \
    } while (0)
    BAD(vnn_lstm_plan_run(NULL, T, N, false, x, NULL, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, T, N, false, NULL, NULL, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, T, N, false, x, NULL, NULL, NULL, NULL, hn, cn));
    BAD(vnn_lstm_plan_run(plan, 0, N, false, x, NULL, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, T, 0, false, x, NULL, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, -1, N, false, x, NULL, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, T, N, false, x, bad_hi, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, T, N, false, x, bad_lo, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, INT64_MAX, N, false, x, NULL, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, T, INT64_MAX / 2, false, x, NULL, NULL, NULL, y, hn, cn));
    BAD(vnn_lstm_plan_run(plan, T, N, false, x, good_len, NULL, NULL, y, y, cn));   /* overlap */
    BAD(vnn_lstm_plan_run(plan, T, N, false, x, good_len, y, NULL, y + 4, hn, cn)); /* overlap */
    BAD(vnn_lstm_cell(plan, 2, N, x, st, st + N * H, hn, cn));
    BAD(vnn_lstm_cell(plan, -1, N, x, st, st + N * H, hn, cn));
    BAD(vnn_lstm_cell(plan, 0, 0, x, st, st + N * H, hn, cn));
    BAD(vnn_lstm_cell(plan, 0, N, NULL, st, st + N * H, hn, cn));
    BAD(vnn_lstm_cell(plan, 0, N, x, st, st + N * H, NULL, cn));
    BAD(vnn_lstm_cell(plan, 0, N, x, st, st + N * H, hn, hn));
    BAD(vnn_lstm_cell(NULL, 0, N, x, st, st + N * H, hn, cn));
    for (size_t i = 0; i < sizeof y / sizeof *y; i++)
        VT_CHECK(y[i] == SENTINEL, "bad_input: y written");
    for (size_t i = 0; i < D * N * H; i++)
        VT_CHECK(hn[i] == SENTINEL && cn[i] == SENTINEL, "bad_input: hn/cn written");
    vnn_lstm_plan *p2 = (vnn_lstm_plan *)&n;
    vnn_lstm_desc bad_h = {I, 0, false}, bad_i = {0, H, false}, huge = {I, INT64_MAX / 2, false};
    vnn_lstm_weights nul[2] = {{NULL, w_hh, NULL, NULL}, {w_ih, NULL, NULL, NULL}};
    BAD(vnn_lstm_plan_create(&bad_h, w, &p2));
    VT_CHECK(p2 == NULL, "bad_input: *out not cleared");
    BAD(vnn_lstm_plan_create(&bad_i, w, &p2));
    BAD(vnn_lstm_plan_create(&huge, w, &p2));
    BAD(vnn_lstm_plan_create(&desc, nul, &p2));
    BAD(vnn_lstm_plan_create(NULL, w, &p2));
    BAD(vnn_lstm_plan_create(&desc, NULL, &p2));
    BAD(vnn_lstm_plan_create(&desc, w, NULL));
    float o1[4 * H * I], o2[4 * H * H], o3[4 * H], o4[4 * H];
    BAD(vnn_lstm_import_weights((vnn_lstm_format)7, I, H, w_ih, w_hh, NULL, o1, o2, o3, o4));
    BAD(vnn_lstm_import_weights(VNN_LSTM_FORMAT_ONNX, I, H, w_ih, w_hh, NULL, o1, o2, o3, NULL));
    BAD(vnn_lstm_import_weights(VNN_LSTM_FORMAT_ONNX, 0, H, w_ih, w_hh, NULL, o1, o2, o3, o4));
    BAD(vnn_lstm_import_weights(VNN_LSTM_FORMAT_ONNX, I, H, w_ih, w_hh, NULL, w_ih, o2, o3, o4));
    vnn_lstm_plan_destroy(plan);
    vt_log("bad_input: %d invalid calls refused without writing", n);
}

/* ONNX (i, o, f, c; two biases) and Keras (transposed; i, f, c, o; one
 * bias) weights built from PyTorch ones by the documented mapping come back
 * as the same PyTorch weights. */
VT_TEST(lstm, import)
{
    enum { I = 5, H = 3, G = 4 * H };
    float wih[G * I], whh[G * H], b[2 * G];
    vt_rng r = vt_rng_make("lstm/import");
    fill(&r, wih, G * I, 1.0f);
    fill(&r, whh, G * H, 1.0f);
    fill(&r, b, 2 * G, 1.0f);
    static const int onnx_of_torch[4] = {0, 2, 3, 1}; /* torch block -> ONNX block */
    float ow[G * I], orr[G * H], ob[2 * G], kw[I * G], kr[H * G], kb[G];
    for (int g = 0; g < 4; g++)
        for (int j = 0; j < H; j++) {
            int t = g * H + j, o = onnx_of_torch[g] * H + j;
            memcpy(ow + o * I, wih + t * I, I * sizeof(float));
            memcpy(orr + o * H, whh + t * H, H * sizeof(float));
            ob[o] = b[t];
            ob[G + o] = b[G + t];
            for (int k = 0; k < I; k++)
                kw[k * G + t] = wih[t * I + k];
            for (int k = 0; k < H; k++)
                kr[k * G + t] = whh[t * H + k];
            kb[t] = b[t] + b[G + t];
        }
    float a[G * I], bb[G * H], c1[G], c2[G];
    VT_CHECK(vnn_lstm_import_weights(VNN_LSTM_FORMAT_ONNX, I, H, ow, orr, ob, a, bb, c1, c2) ==
                 VNN_OK, "onnx import failed");
    VT_CHECK(!memcmp(a, wih, sizeof a) && !memcmp(bb, whh, sizeof bb) &&
                 !memcmp(c1, b, sizeof c1) && !memcmp(c2, b + G, sizeof c2),
             "onnx import: wrong weights");
    VT_CHECK(vnn_lstm_import_weights(VNN_LSTM_FORMAT_PYTORCH, I, H, wih, whh, b, a, bb, c1, c2) ==
                 VNN_OK, "pytorch import failed");
    VT_CHECK(!memcmp(a, wih, sizeof a) && !memcmp(bb, whh, sizeof bb) &&
                 !memcmp(c1, b, sizeof c1) && !memcmp(c2, b + G, sizeof c2),
             "pytorch import: wrong weights");
    for (int fmt = VNN_LSTM_FORMAT_KERAS; fmt <= VNN_LSTM_FORMAT_ONEDNN; fmt++) {
        VT_CHECK(vnn_lstm_import_weights((vnn_lstm_format)fmt, I, H, kw, kr, kb, a, bb, c1,
                                         c2) == VNN_OK, "keras/onednn import failed");
        VT_CHECK(!memcmp(a, wih, sizeof a) && !memcmp(bb, whh, sizeof bb) &&
                     !memcmp(c1, kb, sizeof c1),
                 "keras/onednn import: wrong weights");
        for (int j = 0; j < G; j++)
            VT_CHECK(c2[j] == 0.0f, "keras/onednn import: b_hh not zero");
    }
}

/* A plan packs W_hh alone for the GEMM only where a run can read it: the
 * split recurrence, which runs where [W_ih | W_hh] is not packed, or when
 * forced (the modes group forces it before building its plans). */
VT_TEST(lstm, packing)
{
    static const int64_t sizes[] = {8, 256}; /* [W_ih | W_hh] in L2, and not */
    for (int i = 0; i < 2; i++)
        for (int force = -1; force <= 1; force += 2) {
            int64_t I = sizes[i], H = sizes[i];
            float *w_ih = xalloc((size_t)(4 * H * I), sizeof(float)); /* zeros */
            float *w_hh = xalloc((size_t)(4 * H * H), sizeof(float));
            vnn_lstm_desc desc = {I, H, true};
            vnn_lstm_weights w[2] = {{w_ih, w_hh, NULL, NULL}, {w_ih, w_hh, NULL, NULL}};
            vnn_lstm_plan *plan;
            vnn_lstm_force_mode = force;
            VT_CHECK(vnn_lstm_plan_create(&desc, w, &plan) == VNN_OK, "plan_create failed");
            vnn_lstm_force_mode = -1;
            for (int d = 0; d < 2; d++) {
                VT_CHECK(plan->wih[d] && plan->whh_fused[d], "packing: W_ih or fused missing");
                VT_CHECK((plan->wcat[d] != NULL) == (i == 0),
                         "packing: [W_ih | W_hh] packed %s the L2 budget",
                         i == 0 ? "within" : "beyond");
                VT_CHECK((plan->whh[d] != NULL) == (plan->wcat[d] == NULL || force == 1),
                         "packing: W_hh for the GEMM where split %s run (H = %" PRId64 ")",
                         plan->whh[d] ? "cannot" : "can", H);
            }
            vnn_lstm_plan_destroy(plan);
            vt_free(w_ih);
            vt_free(w_hh);
        }
}

#define LSTM_SUITE(isa, suite)                                                 \
    VT_TEST(suite, edge_shapes) { group_edge(isa); }                           \
    VT_TEST(suite, random) { group_random(isa); }                              \
    VT_TEST(suite, lengths) { group_lengths(isa); }                            \
    VT_TEST(suite, modes) { group_modes(isa); }                                \
    VT_TEST(suite, cell) { group_cell(isa); }                                  \
    VT_TEST(suite, threads) { group_threads(isa); }                            \
    VT_TEST(suite, math) { group_math(isa); }                                  \
    VT_TEST(suite, bad_input) { group_bad_input(isa); }

LSTM_SUITE(VNN_ISA_SCALAR, lstm_scalar)
LSTM_SUITE(VNN_ISA_AVX2, lstm_avx2)
LSTM_SUITE(VNN_ISA_AVX512, lstm_avx512)
LSTM_SUITE(VNN_ISA_NEON, lstm_neon)
