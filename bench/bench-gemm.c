/* gemm/<M>x<N>x<K>/<impl>: C = A * B, row-major, no transposes, alpha 1,
 * beta 0, for each shape of the shapes file:
 *   vnn         vnn_sgemm on the ISA vnn selected (the label names it)
 *   vnn_<isa>   the same with each other ISA this CPU supports forced
 *   vnn_packed  vnn_sgemm_packed, B packed once outside the timed loop
 *   onednn      dnnl_sgemm('N', 'N', ...)
 *   openblas    cblas_sgemm(CblasRowMajor, ...)
 * Counter GFLOPS = 2*M*N*K per call / seconds. Every implementation runs
 * once before timing and its result is spot-checked against a double
 * reference, so a broken kernel fails instead of reporting a number. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#include "bench-rand.h"
#include "bench.h"
#include "dispatch/dispatch.h" /* the microkernel name for the label */
#include "shim/vnn_bench.h"
#include "vnn/vnn.h"

enum impl { IMPL_VNN, IMPL_VNN_ISA, IMPL_VNN_PACKED, IMPL_ONEDNN, IMPL_OPENBLAS };

struct gemm_case {
    int64_t M, N, K;
    enum impl impl;
    vnn_isa isa; /* IMPL_VNN_ISA */
};

/* Inputs of the current shape, kept across runs: Google Benchmark calls a
 * benchmark several times, and a shape's implementations run one after
 * another. */
#define SAMPLES 32
static struct {
    int64_t M, N, K;
    float *A, *B, *C;
    struct { int64_t i, j; double ref, tol; } s[SAMPLES];
} cur;

static float *alloc_floats(int64_t rows, int64_t cols)
{
    if (rows <= 0 || cols <= 0 || (uint64_t)rows > SIZE_MAX / 4 / (uint64_t)cols)
        return NULL;
    return vb_alloc((size_t)rows * (size_t)cols * sizeof(float));
}

static void data_free(void)
{
    free(cur.A);
    free(cur.B);
    free(cur.C);
    cur.A = cur.B = cur.C = NULL;
    cur.M = cur.N = cur.K = 0;
}

static bool data_get(int64_t M, int64_t N, int64_t K)
{
    if (cur.A && cur.M == M && cur.N == N && cur.K == K)
        return true;
    data_free();
    cur.A = alloc_floats(M, K);
    cur.B = alloc_floats(K, N);
    cur.C = alloc_floats(M, N);
    if (!cur.A || !cur.B || !cur.C) {
        data_free();
        return false;
    }
    cur.M = M, cur.N = N, cur.K = K;
    for (int64_t i = 0; i < M * K; i++)
        cur.A[i] = vb_rand_pm1();
    for (int64_t i = 0; i < K * N; i++)
        cur.B[i] = vb_rand_pm1();
    /* The corners, then random elements. A float sum of K products is
     * within K * 2^-24 * sum|a*b| of the exact value. */
    for (int t = 0; t < SAMPLES; t++) {
        int64_t i = t < 4 ? (t & 1) * (M - 1) : (int64_t)((vb_rand_pm1() + 1.0f) / 2 * M);
        int64_t j = t < 4 ? (t >> 1) * (N - 1) : (int64_t)((vb_rand_pm1() + 1.0f) / 2 * N);
        i = i < M ? i : M - 1;
        j = j < N ? j : N - 1;
        double ref = 0.0, mag = 0.0;
        for (int64_t k = 0; k < K; k++) {
            double p = (double)cur.A[i * K + k] * cur.B[k * N + j];
            ref += p;
            mag += fabs(p);
        }
        cur.s[t].i = i, cur.s[t].j = j, cur.s[t].ref = ref;
        cur.s[t].tol = (double)(K + 4) * FLT_EPSILON * mag;
    }
    return true;
}

/* One C = A * B; NULL or what went wrong. */
static const char *gemm_once(const struct gemm_case *c, const vnn_packed_b *packed)
{
    int64_t M = c->M, N = c->N, K = c->K;
    switch (c->impl) {
    case IMPL_VNN:
    case IMPL_VNN_ISA: {
        vnn_status s = vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, M, N, K, 1.0f, cur.A, K, cur.B,
                                 N, 0.0f, cur.C, N);
        return s == VNN_OK ? NULL : vnn_status_str(s);
    }
    case IMPL_VNN_PACKED: {
        vnn_status s = vnn_sgemm_packed(VNN_NO_TRANS, M, 1.0f, cur.A, K, packed, 0.0f,
                                        cur.C, N, NULL);
        return s == VNN_OK ? NULL : vnn_status_str(s);
    }
    case IMPL_ONEDNN: {
        dnnl_status_t s = dnnl_sgemm('N', 'N', M, N, K, 1.0f, cur.A, K, cur.B, N, 0.0f,
                                     cur.C, N);
        return s == dnnl_success ? NULL : dnnl_status2str(s);
    }
    case IMPL_OPENBLAS:
        if (M > INT_MAX || N > INT_MAX || K > INT_MAX)
            return "shape too large for OpenBLAS' 32-bit int";
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)N, (int)K, 1.0f,
                    cur.A, (int)K, cur.B, (int)N, 0.0f, cur.C, (int)N);
        return NULL;
    }
    return "unknown implementation";
}

static const char *check(void)
{
    static char msg[160];
    for (int t = 0; t < SAMPLES; t++) {
        double got = cur.C[cur.s[t].i * cur.N + cur.s[t].j];
        if (!(fabs(got - cur.s[t].ref) <= cur.s[t].tol)) {
            snprintf(msg, sizeof msg, "wrong result: C[%lld][%lld] = %.9g, expected %.9g",
                     (long long)cur.s[t].i, (long long)cur.s[t].j, got, cur.s[t].ref);
            return msg;
        }
    }
    return NULL;
}

static void make_label(const struct gemm_case *c, char *buf, size_t size)
{
    if (c->impl == IMPL_ONEDNN) {
        const dnnl_version_t *v = dnnl_version();
        snprintf(buf, size, "oneDNN %d.%d.%d", v->major, v->minor, v->patch);
    } else if (c->impl == IMPL_OPENBLAS) {
        snprintf(buf, size, "OpenBLAS %s", openblas_get_corename());
    } else {
        const struct vnn_kernel_table *t = vnn_kernels();
        snprintf(buf, size, "%s %s", vnn_isa_name(vnn_get_isa()), t ? t->gemm.name : "");
    }
}

static void bench_gemm(vb_state *st, void *arg)
{
    const struct gemm_case *c = arg;
    if (!data_get(c->M, c->N, c->K)) {
        vb_skip_with_error(st, "out of memory");
        return;
    }
    vnn_isa saved = vnn_get_isa();
    if (c->impl == IMPL_VNN_ISA) {
        vnn_status s = vnn_set_isa(c->isa);
        if (s != VNN_OK) {
            vb_skip_with_error(st, vnn_status_str(s));
            return;
        }
    }
    const char *err = NULL;
    vnn_packed_b *packed = NULL;
    if (c->impl == IMPL_VNN_PACKED) {
        vnn_status s = vnn_sgemm_pack_b(VNN_NO_TRANS, c->K, c->N, cur.B, c->N, &packed);
        err = s == VNN_OK ? NULL : vnn_status_str(s);
    }
    if (!err) {
        for (int64_t i = 0; i < c->M * c->N; i++) /* unwritten elements fail the check */
            cur.C[i] = NAN;
        err = gemm_once(c, packed); /* also the warm-up */
    }
    if (!err)
        err = check();
    if (err)
        vb_skip_with_error(st, err);
    while (!err && vb_keep_running(st)) {
        if ((err = gemm_once(c, packed)))
            vb_skip_with_error(st, err);
    }
    if (!err) {
        char label[96];
        make_label(c, label, sizeof label);
        vb_set_label(st, label);
        double flops = 2.0 * (double)c->M * (double)c->N * (double)c->K;
        vb_set_counter(st, "GFLOPS", flops * (double)vb_iterations(st) / 1e9, VB_RATE);
    }
    vnn_packed_b_destroy(packed);
    if (c->impl == IMPL_VNN_ISA)
        vnn_set_isa(saved);
}

static bool add(int64_t M, int64_t N, int64_t K, enum impl impl, vnn_isa isa)
{
    static const char *const impl_names[] = {"vnn", NULL, "vnn_packed", "onednn", "openblas"};
    struct gemm_case *c = malloc(sizeof *c); /* lives until exit */
    if (!c)
        return false;
    *c = (struct gemm_case){.M = M, .N = N, .K = K, .impl = impl, .isa = isa};
    char name[128];
    if (impl == IMPL_VNN_ISA)
        snprintf(name, sizeof name, "gemm/%lldx%lldx%lld/vnn_%s", (long long)M, (long long)N,
                 (long long)K, vnn_isa_name(isa));
    else
        snprintf(name, sizeof name, "gemm/%lldx%lldx%lld/%s", (long long)M, (long long)N,
                 (long long)K, impl_names[impl]);
    vb_register(name, bench_gemm, c);
    return true;
}

static bool add_shape(int64_t M, int64_t N, int64_t K)
{
    vnn_isa selected = vnn_get_isa();
    bool ok = add(M, N, K, IMPL_VNN, selected);
    for (int isa = 0; isa < VNN_ISA_COUNT; isa++)
        if ((vnn_isa)isa != selected && vnn_isa_supported((vnn_isa)isa))
            ok = ok && add(M, N, K, IMPL_VNN_ISA, (vnn_isa)isa);
    return ok && add(M, N, K, IMPL_VNN_PACKED, selected) &&
           add(M, N, K, IMPL_ONEDNN, selected) && add(M, N, K, IMPL_OPENBLAS, selected);
}

/* "M N K" with an optional "# comment"; *blank for nothing but a comment. */
static bool parse_line(char *line, int64_t dims[3], bool *blank)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *p = line;
    int n = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
            p++;
        if (!*p)
            break;
        if (n == 3)
            return false;
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || v < 1 || (*end && !strchr(" \t\r\n", *end)))
            return false;
        dims[n++] = v;
        p = end;
    }
    *blank = n == 0;
    return n == 0 || n == 3;
}

bool vb_register_gemm(const char *shapes_path)
{
    FILE *f = fopen(shapes_path, "r");
    if (!f) {
        fprintf(stderr, "vnn-bench: cannot read GEMM shapes from %s: %s\n", shapes_path,
                strerror(errno));
        return false;
    }
    char line[256];
    bool ok = true;
    for (int lineno = 1; ok && fgets(line, sizeof line, f); lineno++) {
        int64_t d[3];
        bool blank;
        if (!strchr(line, '\n') && !feof(f)) {
            fprintf(stderr, "vnn-bench: %s:%d: line too long\n", shapes_path, lineno);
            ok = false;
        } else if (!parse_line(line, d, &blank)) {
            fprintf(stderr, "vnn-bench: %s:%d: expected \"M N K\" (positive integers)\n",
                    shapes_path, lineno);
            ok = false;
        } else if (!blank && !add_shape(d[0], d[1], d[2])) {
            fprintf(stderr, "vnn-bench: out of memory\n");
            ok = false;
        }
    }
    fclose(f);
    return ok;
}
