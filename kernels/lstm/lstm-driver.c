/* The layer loop. Three ways to run the recurrence (enum mode):
 *
 *   batch <= 4      MODE_FUSED: gx = x W_ih^T + b for all steps (one GEMM),
 *                   then per step the fused kernel (h W_hh^T and the gates in
 *                   registers: at batch 1 a GEMM call is mostly overhead)
 *   weights in L2   MODE_CONCAT: per step one GEMM [x_t | h] [W_ih | W_hh]^T + b,
 *                   then the gate kernel (no T x N x 4H gx buffer streaming
 *                   through memory)
 *   otherwise       MODE_SPLIT: gx for all steps (one GEMM), per step the GEMM
 *                   h W_hh^T, then the gate kernel
 *
 * (The fused kernel over [x_t | h] and [W_ih | W_hh] was tried for small
 * batches: slower than projecting first on 4 of 5 shapes, the dependency
 * chain of a step being longer.)
 *
 * Threads: rows of the batch never interact, nor do the two directions, so
 * the work splits into units (direction x block of rows) that each run
 * their whole sequence with no synchronisation at all. A unit too small to
 * pay for waking a thread is not split off. */
#include "kernels/lstm/lstm-driver.h"

#include <omp.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/common/memory.h"
#include "kernels/gemm/gemm-driver.h"

/* Batches up to this many rows use the fused kernel (it reads W_hh once per
 * row; the GEMM reads it once per step). */
#define FUSED_MAX_ROWS 4
/* A unit of fewer rows than this is not split further (the recurrent GEMM
 * would run on strips too short to use its register tile). */
#define MIN_UNIT_ROWS 16
/* A unit needs about this many flops (some 50 us) to be worth a thread of
 * its own: below that, waking a second thread (or waiting for one the OS
 * has descheduled) costs more than it saves. */
#define MIN_UNIT_FLOPS 4e6

int vnn_lstm_force_mode = -1;

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

enum mode {
    MODE_FUSED,  /* small batch: gx projected up front, then the fused kernel */
    MODE_SPLIT,  /* gx projected up front; per step h * W_hh^T, then the gates */
    MODE_CONCAT, /* per step [x | h] * [W_ih | W_hh]^T + b, then the gates */
};

/* Only where wcat is not packed does a batch over FUSED_MAX_ROWS go split. */
bool vnn_lstm_split_possible(bool concat_packed)
{
    return !concat_packed || vnn_lstm_force_mode == MODE_SPLIT;
}

struct ctx {
    const struct vnn_lstm_plan *p;
    const struct vnn_lstm_run *r;
    size_t D;          /* directions in this run */
    size_t chunks;     /* row blocks per direction */
    size_t chunk_rows; /* rows per block (the last may be shorter) */
    enum mode mode;
    float *gx;         /* [T * N][D * 4H] (not in MODE_CONCAT) */
    float *hs, *cs;    /* [D][N][H] states (hs: NULL in MODE_CONCAT) */
    float *unit_buf;   /* per unit: unit_floats */
    size_t unit_floats;
};

static size_t len_of(const struct vnn_lstm_run *r, size_t n)
{
    return r->lengths ? (size_t)r->lengths[n] : r->T;
}

/* Row of x, gx and y for step t of sequence n. */
static size_t row_of(const struct vnn_lstm_run *r, size_t t, size_t n)
{
    return r->batch_first ? n * r->T + t : t * r->N + n;
}

/* One unit's rows [n0, n1) of direction d, and where its state lives. */
struct unit {
    size_t dd, d, n0, n1, maxlen;
    bool reverse, sorted;
    float *h, *c;   /* row i's h at h + i * ldh, c at c + i * H */
    size_t ldh;
    float *buf;     /* gates (MODE_SPLIT, MODE_CONCAT) or next h (MODE_FUSED) */
};

/* Rows still running at step s: a prefix when lengths do not increase,
 * else all rows (the finished ones are skipped one by one). */
static size_t active_rows(const struct vnn_lstm_run *r, const struct unit *u, size_t s)
{
    size_t active = u->n1 - u->n0;
    if (u->sorted)
        while (active > 0 && len_of(r, u->n0 + active - 1) <= s)
            active--;
    return active;
}

static void step_fused(const struct ctx *cx, const struct unit *u, size_t s, size_t active)
{
    const struct vnn_lstm_plan *p = cx->p;
    const struct vnn_lstm_run *r = cx->r;
    const size_t H = p->H, G = 4 * H, D = cx->D;
    /* Blocks in alternating order: the weights used last are used first
     * on the next step, so what still sits in L2 is reused before it is
     * evicted (W_hh of H = 256 is as large as the L2). */
    for (size_t q = 0; q < p->blocks; q++) {
        size_t b = s & 1 ? p->blocks - 1 - q : q;
        for (size_t i = 0; i < active; i++) {
            size_t n = u->n0 + i, len = len_of(r, n);
            if (len <= s)
                continue;
            size_t t = u->reverse ? len - 1 - s : s, row = row_of(r, t, n);
            p->lstm.fused(H, b, p->whh_fused[u->d], u->h + i * u->ldh,
                          cx->gx + row * D * G + u->dd * G, u->c + i * H, u->buf + i * H,
                          r->y ? r->y + row * D * H + u->dd * H : NULL);
        }
    }
    for (size_t i = 0; i < active; i++)
        if (len_of(r, u->n0 + i) > s)
            memcpy(u->h + i * u->ldh, u->buf + i * H, H * sizeof(float));
}

static void step_gemm(const struct ctx *cx, const struct unit *u, size_t s, size_t active,
                      bool h_zero)
{
    const struct vnn_lstm_plan *p = cx->p;
    const struct vnn_lstm_run *r = cx->r;
    const size_t H = p->H, G = 4 * H, D = cx->D, I = p->I;
    const bool concat = cx->mode == MODE_CONCAT;
    if (concat) /* this step's inputs beside the states */
        for (size_t i = 0; i < active; i++) {
            size_t n = u->n0 + i, len = len_of(r, n);
            if (len > s) {
                size_t t = u->reverse ? len - 1 - s : s;
                memcpy(u->h + i * u->ldh - I, r->x + row_of(r, t, n) * I, I * sizeof(float));
            }
        }
    /* With a zero initial state the first step has no h * W_hh^T. */
    if (concat || !h_zero) {
        struct vnn_gemm_args g = {
            .cfg = &p->gemm, .M = active, .N = G, .K = concat ? I + H : H, .alpha = 1.0f,
            .trans_a = VNN_NO_TRANS, .A = concat ? u->h - I : u->h, .lda = u->ldh,
            .b_packed = concat ? p->wcat[u->d] : p->whh[u->d], .C = u->buf, .ldc = G,
            .bias = concat ? p->bias[u->d] : NULL, .threads = 1,
        };
        vnn_gemm_run(&g); /* cannot fail: its scratch was grown before */
    }
    for (size_t i = 0; i < active; i++) {
        size_t n = u->n0 + i, len = len_of(r, n);
        if (len <= s)
            continue;
        size_t t = u->reverse ? len - 1 - s : s, row = row_of(r, t, n);
        const float *gx = concat ? u->buf + i * G : cx->gx + row * D * G + u->dd * G;
        const float *gh = concat || h_zero ? NULL : u->buf + i * G;
        p->lstm.gates(H, gx, gh, u->c + i * H, u->h + i * u->ldh,
                      r->y ? r->y + row * D * H + u->dd * H : NULL);
    }
}

/* Sets up unit `unit`: its rows, state pointers, initial state and the
 * zeros past each sequence's end. */
static void unit_begin(const struct ctx *cx, size_t unit, struct unit *out)
{
    const struct vnn_lstm_plan *p = cx->p;
    const struct vnn_lstm_run *r = cx->r;
    const size_t H = p->H, G = 4 * H, D = cx->D;
    struct unit u = {.dd = unit / cx->chunks, .n0 = unit % cx->chunks * cx->chunk_rows};
    u.n1 = min_sz(u.n0 + cx->chunk_rows, r->N);
    u.d = r->d0 + u.dd;
    u.reverse = u.d == 1;
    u.c = cx->cs + (u.dd * r->N + u.n0) * H;
    u.buf = cx->unit_buf + unit * cx->unit_floats;
    if (cx->mode == MODE_CONCAT) { /* A = [x | h] rows after the gates */
        u.ldh = p->I + H;
        u.h = u.buf + vnn_round_up(cx->chunk_rows * G, 16) + p->I;
    } else {
        u.ldh = H;
        u.h = cx->hs + (u.dd * r->N + u.n0) * H;
    }

    u.sorted = true; /* non-increasing lengths: the active rows are a prefix */
    for (size_t n = u.n0; n < u.n1; n++) {
        size_t len = len_of(r, n);
        u.sorted = u.sorted && (n == u.n0 || len <= len_of(r, n - 1));
        u.maxlen = len > u.maxlen ? len : u.maxlen;
        /* Initial state, and zeros in this direction's outputs past the end. */
        float *h = u.h + (n - u.n0) * u.ldh, *c = u.c + (n - u.n0) * H;
        if (r->h0)
            memcpy(h, r->h0 + (u.dd * r->N + n) * H, H * sizeof(float));
        else
            memset(h, 0, H * sizeof(float));
        if (r->c0)
            memcpy(c, r->c0 + (u.dd * r->N + n) * H, H * sizeof(float));
        else
            memset(c, 0, H * sizeof(float));
        for (size_t t = len; r->y && t < r->T; t++)
            memset(r->y + row_of(r, t, n) * D * H + u.dd * H, 0, H * sizeof(float));
    }
    *out = u;
}

static void unit_step(const struct ctx *cx, const struct unit *u, size_t s)
{
    if (s >= u->maxlen)
        return;
    size_t active = active_rows(cx->r, u, s);
    if (cx->mode == MODE_FUSED)
        step_fused(cx, u, s, active);
    else
        step_gemm(cx, u, s, active, s == 0 && !cx->r->h0);
}

/* The final states. */
static void unit_end(const struct ctx *cx, const struct unit *u_)
{
    const struct vnn_lstm_run *r = cx->r;
    const size_t H = cx->p->H;
    const struct unit u = *u_;
    for (size_t n = u.n0; n < u.n1; n++) {
        if (r->hn)
            memcpy(r->hn + (u.dd * r->N + n) * H, u.h + (n - u.n0) * u.ldh, H * sizeof(float));
        if (r->cn)
            memcpy(r->cn + (u.dd * r->N + n) * H, u.c + (n - u.n0) * H, H * sizeof(float));
    }
}

/* Units u0, u0 + stride, ... on this thread. The fused (small-batch) steps
 * are latency-bound, so this thread's units advance in lockstep: their
 * independent recurrences (e.g. the two directions) overlap in the core.
 * GEMM steps are throughput-bound and run one unit at a time, keeping one
 * set of weights in cache. */
static void run_units(const struct ctx *cx, size_t u0, size_t units, size_t stride)
{
    struct unit us[4];
    size_t lockstep = cx->mode == MODE_FUSED ? sizeof us / sizeof us[0] : 1;
    for (size_t first = u0; first < units; first += lockstep * stride) {
        size_t k = 0, maxlen = 0;
        for (size_t u = first; u < units && k < lockstep; u += stride, k++) {
            unit_begin(cx, u, &us[k]);
            maxlen = us[k].maxlen > maxlen ? us[k].maxlen : maxlen;
        }
        for (size_t s = 0; s < maxlen; s++)
            for (size_t i = 0; i < k; i++)
                unit_step(cx, &us[i], s);
        for (size_t i = 0; i < k; i++)
            unit_end(cx, &us[i]);
    }
}

/* Warms the GEMM driver's per-thread scratch for a recurrent step, so the
 * calls inside the loop cannot fail. Its size depends on K and the config,
 * not on M or N (B is prepacked), so a 1 x 1 product does. a: any K floats
 * (only read; their values do not matter). */
static vnn_status warm_gemm(const struct ctx *cx, const float *a, float *c)
{
    const struct vnn_lstm_plan *p = cx->p;
    bool concat = cx->mode == MODE_CONCAT;
    struct vnn_gemm_args g = {
        .cfg = &p->gemm, .M = 1, .N = 1, .K = concat ? p->I + p->H : p->H,
        .alpha = 1.0f, .trans_a = VNN_NO_TRANS, .A = a, .lda = concat ? p->I + p->H : p->H,
        .b_packed = concat ? p->wcat[cx->r->d0] : p->whh[cx->r->d0], .C = c,
        .ldc = 4 * p->H, .threads = 1,
    };
    return vnn_gemm_run(&g);
}

/* An A operand for warm_gemm that does not overlap the unit's gates. */
static const float *warm_a(const struct ctx *cx, const float *unit_buf)
{
    return cx->mode == MODE_CONCAT ? unit_buf + vnn_round_up(cx->chunk_rows * 4 * cx->p->H, 16)
                                   : cx->hs;
}

vnn_status vnn_lstm_execute(const struct vnn_lstm_plan *p, const struct vnn_lstm_run *r)
{
    const size_t H = p->H, G = 4 * H, I = p->I, D = r->d1 - r->d0, T = r->T, N = r->N;
    struct ctx cx = {.p = p, .r = r, .D = D};
    cx.mode = N <= FUSED_MAX_ROWS ? MODE_FUSED : p->wcat[r->d0] ? MODE_CONCAT : MODE_SPLIT;
    if (vnn_lstm_force_mode >= MODE_FUSED && vnn_lstm_force_mode <= MODE_CONCAT &&
        (vnn_lstm_force_mode != MODE_CONCAT || p->wcat[r->d0]) &&
        (vnn_lstm_force_mode != MODE_SPLIT || p->whh[r->d0]))
        cx.mode = (enum mode)vnn_lstm_force_mode;

    /* Units: directions x row blocks, as many as there are threads if each
     * stays big enough, never more. */
    size_t nt = (size_t)vnn_get_num_threads();
    nt = nt < 1 ? 1 : nt;
    size_t chunks = 1;
    if (nt > D && cx.mode != MODE_FUSED)
        chunks = min_sz((nt + D - 1) / D, N / MIN_UNIT_ROWS);
    chunks = chunks < 1 ? 1 : chunks;
    cx.chunks = chunks;
    cx.chunk_rows = (N + chunks - 1) / chunks;
    size_t units = D * chunks;
    double unit_flops = 2.0 * (double)T * (double)cx.chunk_rows * (double)G * (double)(I + H);
    size_t threads = unit_flops < MIN_UNIT_FLOPS ? 1 : min_sz(nt, units);

    /* Workspace: gx, the h and c states, per-unit buffers; sizes bounded by
     * validated tensors, checked anyway. MODE_CONCAT has no gx and keeps h
     * in the unit buffers, beside x_t (the GEMM's A = [x_t | h]). */
    const bool concat = cx.mode == MODE_CONCAT;
    size_t gx_floats = 0, hs_floats = 0, cs_floats, a_floats = 0, unit_floats, units_floats;
    size_t total;
    bool ok = vnn_mul_size(D * N, H, &cs_floats);
    if (concat) {
        ok = ok && vnn_mul_size(cx.chunk_rows, I + H, &a_floats);
    } else {
        ok = ok && vnn_mul_size(T * N, D * G, &gx_floats);
        hs_floats = cs_floats;
    }
    ok = ok && vnn_mul_size(cx.chunk_rows, cx.mode == MODE_FUSED ? H : G, &unit_floats) &&
         vnn_add_size(vnn_round_up(unit_floats, 16), vnn_round_up(a_floats, 16), &unit_floats) &&
         vnn_mul_size(units, unit_floats, &units_floats) &&
         vnn_add_size(vnn_round_up(gx_floats, 16), vnn_round_up(hs_floats, 16), &total) &&
         vnn_add_size(total, vnn_round_up(cs_floats, 16), &total) &&
         vnn_add_size(total, units_floats, &total) && vnn_mul_size(total, sizeof(float), &total);
    if (!ok)
        return VNN_ERR_OUT_OF_MEMORY;
    cx.unit_floats = unit_floats;
    /* Its own slot: the GEMM driver called in the middle of the run uses
     * the thread's kernel scratch. */
    float *ws = vnn_scratch_slot(VNN_SCRATCH_OUTER, total);
    if (!ws)
        return VNN_ERR_OUT_OF_MEMORY;
    cx.gx = ws;
    cx.hs = concat ? NULL : cx.gx + vnn_round_up(gx_floats, 16);
    cx.cs = cx.gx + vnn_round_up(gx_floats, 16) + vnn_round_up(hs_floats, 16);
    cx.unit_buf = cx.cs + vnn_round_up(cs_floats, 16);

    /* The GEMM driver's scratch on every thread that will run a unit (the
     * A operand: any floats, the unit buffers; only read). */
    vnn_status st = VNN_OK;
    if (cx.mode != MODE_FUSED) {
        if (threads == 1) {
            st = warm_gemm(&cx, warm_a(&cx, cx.unit_buf), cx.unit_buf);
        } else {
#pragma omp parallel num_threads((int)threads)
            {
                size_t tid = (size_t)omp_get_thread_num();
                float *mine = cx.unit_buf + tid * cx.unit_floats;
                vnn_status s = warm_gemm(&cx, warm_a(&cx, mine), mine);
                if (s != VNN_OK) {
#pragma omp atomic write
                    st = s;
                }
            }
        }
    }
    /* The input projection of every step, each direction. */
    for (size_t dd = 0; st == VNN_OK && cx.mode != MODE_CONCAT && dd < D; dd++) {
        size_t d = r->d0 + dd;
        struct vnn_gemm_args g = {
            .cfg = &p->gemm, .M = T * N, .N = G, .K = I, .alpha = 1.0f, .beta = 0.0f,
            .trans_a = VNN_NO_TRANS, .A = r->x, .lda = I, .b_packed = p->wih[d],
            .C = cx.gx + dd * G, .ldc = D * G, .bias = p->bias[d], .threads = (int)nt,
        };
        st = vnn_gemm_run(&g);
    }
    if (st != VNN_OK)
        return st;

    if (threads == 1) {
        run_units(&cx, 0, units, 1);
    } else {
#pragma omp parallel num_threads((int)threads)
        run_units(&cx, (size_t)omp_get_thread_num(), units, (size_t)omp_get_num_threads());
    }
    return VNN_OK;
}
