/* The layer loop. One GEMM per direction projects every time step's input
 * (gx = x * W_ih^T + b for all T * N rows at once); then the recurrence
 * runs step by step, either as a recurrent GEMM (h * W_hh^T for a block of
 * rows) followed by the gate kernel, or, for small batches where a GEMM with
 * a handful of rows is mostly overhead, as the fused kernel that does the
 * matrix-vector product and the gates in registers.
 *
 * Threads: rows of the batch never interact, nor do the two directions, so
 * the work splits into units (direction x block of rows) that each run
 * their whole sequence with no synchronisation at all. A unit too small to
 * pay for waking a thread is not split off. */
#include "kernels/lstm/lstm-driver.h"

#include <omp.h>
#include <pthread.h>
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
/* A unit needs about this many flops to be worth a thread of its own. */
#define MIN_UNIT_FLOPS 4e5

static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

/* The run's buffers live in an arena of the calling thread (separate from
 * vnn_scratch, which the GEMM driver called in the middle of a run uses). */
static pthread_key_t arena_key;
static pthread_once_t arena_once = PTHREAD_ONCE_INIT;
struct arena {
    void *data;
    size_t size;
};
static void arena_destroy(void *p)
{
    struct arena *a = p;
    vnn_aligned_free(a->data);
    vnn_aligned_free(a);
}
static void arena_key_init(void) { pthread_key_create(&arena_key, arena_destroy); }

static void *lstm_arena(size_t bytes)
{
    pthread_once(&arena_once, arena_key_init);
    struct arena *a = pthread_getspecific(arena_key);
    if (!a) {
        a = vnn_aligned_alloc(sizeof *a);
        if (!a)
            return NULL;
        *a = (struct arena){0};
        if (pthread_setspecific(arena_key, a) != 0) {
            vnn_aligned_free(a);
            return NULL;
        }
    }
    if (a->size < bytes) {
        void *grown = vnn_aligned_alloc(bytes);
        if (!grown)
            return NULL;
        vnn_aligned_free(a->data);
        a->data = grown;
        a->size = bytes;
    }
    return a->data;
}

struct ctx {
    const struct vnn_lstm_plan *p;
    const struct vnn_lstm_run *r;
    size_t D;          /* directions in this run */
    size_t chunks;     /* row blocks per direction */
    size_t chunk_rows; /* rows per block (the last may be shorter) */
    bool fused;
    float *gx;         /* [T * N][D * 4H] */
    float *hs, *cs;    /* [D][N][H] states */
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

static void run_unit(const struct ctx *cx, size_t unit)
{
    const struct vnn_lstm_plan *p = cx->p;
    const struct vnn_lstm_run *r = cx->r;
    const size_t H = p->H, G = 4 * H, D = cx->D;
    const size_t dd = unit / cx->chunks, n0 = unit % cx->chunks * cx->chunk_rows;
    const size_t n1 = min_sz(n0 + cx->chunk_rows, r->N), d = r->d0 + dd;
    const bool reverse = d == 1;
    float *hs = cx->hs + (dd * r->N + n0) * H, *cs = cx->cs + (dd * r->N + n0) * H;
    float *buf = cx->unit_buf + unit * cx->unit_floats;

    size_t maxlen = 0;
    bool sorted = true; /* non-increasing lengths: the active rows are a prefix */
    for (size_t n = n0; n < n1; n++) {
        size_t len = len_of(r, n);
        sorted = sorted && (n == n0 || len <= len_of(r, n - 1));
        maxlen = len > maxlen ? len : maxlen;
        /* Initial state, and zeros in this direction's outputs past the end. */
        float *h = hs + (n - n0) * H, *c = cs + (n - n0) * H;
        if (r->h0)
            memcpy(h, r->h0 + (dd * r->N + n) * H, H * sizeof(float));
        else
            memset(h, 0, H * sizeof(float));
        if (r->c0)
            memcpy(c, r->c0 + (dd * r->N + n) * H, H * sizeof(float));
        else
            memset(c, 0, H * sizeof(float));
        for (size_t t = len; r->y && t < r->T; t++)
            memset(r->y + row_of(r, t, n) * D * H + dd * H, 0, H * sizeof(float));
    }

    struct vnn_gemm_args g = {
        .cfg = &p->gemm, .N = G, .K = H, .alpha = 1.0f, .beta = 0.0f,
        .trans_a = VNN_NO_TRANS, .A = hs, .lda = H, .b_packed = p->whh[d],
        .C = buf, .ldc = G, .threads = 1,
    };
    bool h_zero = r->h0 == NULL;
    for (size_t s = 0; s < maxlen; s++) {
        size_t active = n1 - n0;
        if (sorted)
            while (active > 0 && len_of(r, n0 + active - 1) <= s)
                active--;
        /* With a zero initial state the first step has nothing to multiply. */
        if (!cx->fused && !h_zero) {
            g.M = active;
            vnn_gemm_run(&g); /* cannot fail: the scratch was grown before */
        }
        for (size_t i = 0; i < active; i++) {
            size_t n = n0 + i, len = len_of(r, n);
            if (len <= s)
                continue;
            size_t t = reverse ? len - 1 - s : s, row = row_of(r, t, n);
            const float *gx = cx->gx + row * D * G + dd * G;
            float *y = r->y ? r->y + row * D * H + dd * H : NULL;
            float *h = hs + i * H, *c = cs + i * H;
            if (!cx->fused) {
                p->lstm.gates(H, gx, h_zero ? NULL : buf + i * G, c, h, y);
            } else {
                p->lstm.fused(H, 0, p->blocks, p->whh_fused[d], h, gx, c, buf, y);
                memcpy(h, buf, H * sizeof(float));
            }
        }
        h_zero = false;
    }
    for (size_t n = n0; n < n1; n++) {
        if (r->hn)
            memcpy(r->hn + (dd * r->N + n) * H, hs + (n - n0) * H, H * sizeof(float));
        if (r->cn)
            memcpy(r->cn + (dd * r->N + n) * H, cs + (n - n0) * H, H * sizeof(float));
    }
}

/* Warms the GEMM driver's per-thread scratch for a recurrent step, so the
 * calls inside the loop cannot fail. a: any rows * H floats (only read). */
static vnn_status warm_gemm(const struct vnn_lstm_plan *p, size_t rows, const float *a,
                            float *c)
{
    struct vnn_gemm_args g = {
        .cfg = &p->gemm, .M = rows, .N = 4 * p->H, .K = p->H, .alpha = 1.0f,
        .trans_a = VNN_NO_TRANS, .A = a, .lda = p->H, .b_packed = p->whh[0],
        .C = c, .ldc = 4 * p->H, .threads = 1,
    };
    return vnn_gemm_run(&g);
}

vnn_status vnn_lstm_execute(const struct vnn_lstm_plan *p, const struct vnn_lstm_run *r)
{
    const size_t H = p->H, G = 4 * H, D = r->d1 - r->d0, T = r->T, N = r->N;
    struct ctx cx = {.p = p, .r = r, .D = D, .fused = N <= FUSED_MAX_ROWS};

    /* Units: directions x row blocks, as many as there are threads if each
     * stays big enough, never more. */
    size_t nt = (size_t)vnn_get_num_threads();
    nt = nt < 1 ? 1 : nt;
    size_t chunks = 1;
    if (nt > D && !cx.fused)
        chunks = min_sz((nt + D - 1) / D, N / MIN_UNIT_ROWS);
    chunks = chunks < 1 ? 1 : chunks;
    cx.chunks = chunks;
    cx.chunk_rows = (N + chunks - 1) / chunks;
    size_t units = D * chunks;
    double unit_flops = 2.0 * (double)T * (double)cx.chunk_rows * (double)G *
                        (double)(p->I + H);
    size_t threads = unit_flops < MIN_UNIT_FLOPS ? 1 : min_sz(nt, units);

    /* Workspace: gx, states, per-unit buffers; sizes bounded by validated
     * tensors, checked anyway. */
    size_t gx_floats, st_floats, total;
    cx.unit_floats = vnn_round_up(cx.fused ? H : cx.chunk_rows * G, 16);
    if (!vnn_mul_size(T * N, D * G, &gx_floats) || !vnn_mul_size(D * N, H, &st_floats) ||
        !vnn_add_size(vnn_round_up(gx_floats, 16), 2 * vnn_round_up(st_floats, 16), &total) ||
        !vnn_add_size(total, units * cx.unit_floats, &total) ||
        !vnn_mul_size(total, sizeof(float), &total))
        return VNN_ERR_OUT_OF_MEMORY;
    float *ws = lstm_arena(total);
    if (!ws)
        return VNN_ERR_OUT_OF_MEMORY;
    cx.gx = ws;
    cx.hs = cx.gx + vnn_round_up(gx_floats, 16);
    cx.cs = cx.hs + vnn_round_up(st_floats, 16);
    cx.unit_buf = cx.cs + vnn_round_up(st_floats, 16);

    /* The GEMM driver's scratch on every thread that will run a unit. */
    vnn_status st = VNN_OK;
    if (!cx.fused) {
        if (threads == 1) {
            st = warm_gemm(p, cx.chunk_rows, cx.gx, cx.unit_buf);
        } else {
#pragma omp parallel num_threads((int)threads)
            {
                size_t tid = (size_t)omp_get_thread_num();
                vnn_status s = warm_gemm(p, cx.chunk_rows, cx.gx,
                                         cx.unit_buf + tid * cx.unit_floats);
                if (s != VNN_OK) {
#pragma omp atomic write
                    st = s;
                }
            }
        }
    }
    /* The input projection of every step, both directions. */
    for (size_t dd = 0; st == VNN_OK && dd < D; dd++) {
        size_t d = r->d0 + dd;
        struct vnn_gemm_args g = {
            .cfg = &p->gemm, .M = T * N, .N = G, .K = p->I, .alpha = 1.0f, .beta = 0.0f,
            .trans_a = VNN_NO_TRANS, .A = r->x, .lda = p->I, .b_packed = p->wih[d],
            .C = cx.gx + dd * G, .ldc = D * G, .bias = p->bias[d], .threads = (int)nt,
        };
        st = vnn_gemm_run(&g);
    }
    if (st != VNN_OK)
        return st;

    if (threads == 1) {
        for (size_t u = 0; u < units; u++)
            run_unit(&cx, u);
    } else {
#pragma omp parallel for num_threads((int)threads) schedule(static)
        for (size_t u = 0; u < units; u++)
            run_unit(&cx, u);
    }
    return VNN_OK;
}
