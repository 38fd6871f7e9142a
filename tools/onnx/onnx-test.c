/* `vnn onnx-test DIR...`: the ONNX backend node tests on vnn's kernels.
 *
 * A case is a folder holding model.onnx and test_data_set_N folders with
 * input_<k>.pb and output_<k>.pb; a DIR that is not a case is searched one
 * level down for cases (e.g. libonnx-testdata's data/node). Each case's
 * graph runs node by node (onnx-ops.c) and every expected output is
 * compared at ONNX's tolerances, |got - want| <= atol + rtol * |want| with
 * rtol 1e-3, atol 1e-7 (integers exactly; NaN matches NaN). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/onnx/onnx-ops.h"
#include "tools/onnx/onnx-test.h"
#include "vnn/vnn.h"

#define RTOL 1e-3
#define ATOL 1e-7
#define MAX_VALUES 256

struct counts {
    int passed, failed, unsupported, skipped;
};

struct opts {
    bool listed; /* only cases whose every node is a listed op */
    bool quiet;  /* print failures and unsupported cases only */
    bool tap;    /* TAP for meson test: unsupported cases are skips */
    bool graph;  /* print each case's nodes */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vnn onnx-test [--isa ISA] [--listed] [--quiet] [--graph] [--tap] DIR...\n"
            "\n"
            "Runs ONNX backend node tests (a folder with model.onnx and test_data_set_*/,\n"
            "or a folder of such folders, e.g. /usr/share/libonnx-testdata/data/node) on\n"
            "vnn's kernels and compares with the expected outputs (rtol 1e-3, atol 1e-7).\n"
            "Prints pass, fail (largest error) or unsupported (reason) per case, then\n"
            "`N passed, N failed, N unsupported`. Exits 1 if any case fails.\n"
            "\n"
            "  --isa ISA   scalar|avx2|avx512|neon (default: VNN_ISA or the best)\n"
            "  --listed    skip (silently) cases using ops outside vnn's ONNX op list\n"
            "  --quiet     print only failing and unsupported cases and the totals\n"
            "  --graph     print each case's nodes (op, inputs -> outputs) before it runs\n"
            "  --tap       TAP output (unsupported cases are skips); an ISA this machine\n"
            "              lacks or a missing DIR skips the whole run\n");
}

/* snprintf into a path buffer; false (and "") if it does not fit. */
static bool fmt_path(char *buf, size_t len, const char *fmt, const char *a, const char *b)
{
    int n = snprintf(buf, len, fmt, a, b);
    if (n < 0 || (size_t)n >= len) {
        buf[0] = '\0';
        return false;
    }
    return true;
}

static bool is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of dir starting with prefix (NULL-terminated;
 * free each and the array). */
static char **list_dir(const char *dir, const char *prefix, size_t *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 16;
    char **v = malloc(cap * sizeof *v);
    struct dirent *e;
    while (v && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if (*count + 1 == cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof *v);
            if (!nv)
                break;
            v = nv;
        }
        v[(*count)++] = strdup(e->d_name);
    }
    closedir(d);
    if (v) {
        v[*count] = NULL;
        qsort(v, *count, sizeof *v, cmp_str);
    }
    return v;
}

static void free_list(char **v)
{
    for (size_t k = 0; v && v[k]; k++)
        free(v[k]);
    free(v);
}

/* A value table: the graph's names and their tensors. */
struct slot {
    const char *name;
    struct onnx_value v;
    bool owned; /* false: v's buffers belong to a file tensor or initializer */
};

static void from_file(const struct vnn_onnx_tensor *t, struct onnx_value *v)
{
    memset(v, 0, sizeof *v);
    v->dtype = t->dtype;
    v->ndim = t->ndim;
    memcpy(v->dims, t->dims, sizeof v->dims);
    v->count = t->count;
    v->f = t->f;
    v->i = t->i;
}

static const struct onnx_value *lookup(struct slot *s, size_t n, const char *name)
{
    for (size_t k = n; k-- > 0;)
        if (strcmp(s[k].name, name) == 0)
            return &s[k].v;
    return NULL;
}

/* Compares one output; *err gets the largest |got - want| (or a note). */
static bool compare(const struct onnx_value *got, const struct vnn_onnx_tensor *want,
                    char *msg, size_t len)
{
    if (got->ndim != want->ndim || memcmp(got->dims, want->dims, sizeof(int64_t) * (size_t)got->ndim)) {
        int o = snprintf(msg, len, "shape [");
        for (int k = 0; k < got->ndim; k++)
            o += snprintf(msg + o, len > (size_t)o ? len - (size_t)o : 0, "%s%lld", k ? "," : "",
                          (long long)got->dims[k]);
        o += snprintf(msg + o, len > (size_t)o ? len - (size_t)o : 0, "], expected [");
        for (int k = 0; k < want->ndim; k++)
            o += snprintf(msg + o, len > (size_t)o ? len - (size_t)o : 0, "%s%lld",
                          k ? "," : "", (long long)want->dims[k]);
        snprintf(msg + o, len > (size_t)o ? len - (size_t)o : 0, "]");
        return false;
    }
    if ((got->f != NULL) != (want->f != NULL) || (!want->f && !want->i)) {
        snprintf(msg, len, "dtype %s expected", vnn_onnx_dtype_name(want->dtype));
        return false;
    }
    double worst = 0, worst_excess = 0;
    int64_t at = -1; /* the element furthest past its tolerance */
    for (int64_t k = 0; k < want->count; k++) {
        double g = got->f ? got->f[k] : (double)got->i[k];
        double w = want->f ? want->f[k] : (double)want->i[k];
        if ((isnan(g) && isnan(w)) || g == w)
            continue;
        double e = fabs(g - w); /* NaN if only one is NaN, or inf - inf */
        double tol = want->f ? ATOL + RTOL * fabs(w) : 0;
        if (!(e <= worst))
            worst = isnan(e) ? INFINITY : e;
        double excess = isnan(e) ? INFINITY : e - tol;
        if (!(e <= tol) && (at < 0 || excess > worst_excess)) {
            at = k;
            worst_excess = excess;
        }
    }
    if (at >= 0) {
        double g = got->f ? got->f[at] : (double)got->i[at];
        double w = want->f ? want->f[at] : (double)want->i[at];
        snprintf(msg, len, "largest error %.3g (element %lld: got %.9g, expected %.9g)", worst,
                 (long long)at, g, w);
        return false;
    }
    snprintf(msg, len, "largest error %.3g", worst);
    return true;
}

enum verdict { V_PASS, V_FAIL, V_UNSUP, V_SKIP };

/* Runs one data set of a case. */
static enum verdict run_set(const struct vnn_onnx_model *m, const char *set, char *msg,
                            size_t len)
{
    size_t n_slots = m->n_inputs + m->n_inits;
    for (size_t k = 0; k < m->n_nodes; k++)
        n_slots += m->nodes[k].n_out;
    struct slot *s = calloc(n_slots ? n_slots : 1, sizeof *s);
    struct vnn_onnx_tensor **files = calloc(m->n_inputs + 1, sizeof *files);
    enum verdict v = V_PASS;
    size_t ns = 0;
    char path[4096];
    if (!s || !files) {
        snprintf(msg, len, "out of memory");
        v = V_FAIL;
        goto out;
    }
    for (size_t k = 0; k < m->n_inits; k++) {
        s[ns].name = m->inits[k].name;
        from_file(&m->inits[k], &s[ns++].v);
    }
    for (size_t k = 0; k < m->n_inputs + m->n_outputs; k++) {
        const struct vnn_onnx_value *gv =
            k < m->n_inputs ? &m->inputs[k] : &m->outputs[k - m->n_inputs];
        if (!gv->is_tensor) {
            snprintf(msg, len, "graph %s '%s' is not a tensor (a sequence, map or optional)",
                     k < m->n_inputs ? "input" : "output", gv->name);
            v = V_UNSUP;
            goto out;
        }
    }
    for (size_t k = 0; k < m->n_inputs; k++) {
        char num[32];
        snprintf(num, sizeof num, "%zu", k);
        fmt_path(path, sizeof path, "%s/input_%s.pb", set, num);
        vnn_status st = vnn_onnx_tensor_read(path, &files[k]);
        if (st != VNN_OK) {
            snprintf(msg, len, "%s", vnn_last_error());
            v = V_FAIL;
            goto out;
        }
        if (m->inputs[k].dtype && files[k]->dtype != m->inputs[k].dtype) {
            snprintf(msg, len, "input %zu holds %s, the graph declares %s", k,
                     vnn_onnx_dtype_name(files[k]->dtype),
                     vnn_onnx_dtype_name(m->inputs[k].dtype));
            v = V_UNSUP;
            goto out;
        }
        s[ns].name = m->inputs[k].name;
        from_file(files[k], &s[ns++].v);
    }
    for (size_t k = 0; k < m->n_nodes; k++) {
        const struct vnn_onnx_node *n = &m->nodes[k];
        const struct onnx_value *in[64] = {NULL};
        struct onnx_value out[16];
        if (n->n_in > 64 || n->n_out > 16) {
            snprintf(msg, len, "node %s: too many inputs or outputs", n->name);
            v = V_UNSUP;
            goto out;
        }
        for (size_t j = 0; j < n->n_in; j++)
            in[j] = n->in[j][0] ? lookup(s, ns, n->in[j]) : NULL;
        char why[512] = "";
        enum onnx_run r = onnx_run_node(n, m->opset, in, out, why, sizeof why);
        if (r != ONNX_RUN_OK) {
            snprintf(msg, len, "%s%s: %s", m->n_nodes > 1 ? n->name : "", m->n_nodes > 1 ? "" : n->op_type, why);
            v = r == ONNX_RUN_UNSUPPORTED ? V_UNSUP : V_FAIL;
            goto out;
        }
        for (size_t j = 0; j < n->n_out; j++) {
            if (!n->out[j][0])
                continue;
            s[ns].name = n->out[j];
            s[ns].owned = true;
            s[ns++].v = out[j];
        }
    }
    char worst[512] = "";
    for (size_t k = 0; k < m->n_outputs; k++) {
        struct vnn_onnx_tensor *want;
        char num[32];
        snprintf(num, sizeof num, "%zu", k);
        fmt_path(path, sizeof path, "%s/output_%s.pb", set, num);
        if (vnn_onnx_tensor_read(path, &want) != VNN_OK) {
            snprintf(msg, len, "%s", vnn_last_error());
            v = V_FAIL;
            goto out;
        }
        const struct onnx_value *got = lookup(s, ns, m->outputs[k].name);
        char one[400];
        bool ok = got && compare(got, want, one, sizeof one);
        if (!got)
            snprintf(one, sizeof one, "output '%s' was not computed", m->outputs[k].name);
        vnn_onnx_tensor_free(want);
        if (!ok) {
            snprintf(msg, len, "output %zu: %s", k, one);
            v = V_FAIL;
            goto out;
        }
        if (k == 0)
            snprintf(worst, sizeof worst, "%s", one);
    }
    snprintf(msg, len, "%s", worst);
out:
    for (size_t k = 0; k < ns; k++)
        if (s[k].owned)
            onnx_value_free(&s[k].v);
    for (size_t k = 0; files && k < m->n_inputs; k++)
        vnn_onnx_tensor_free(files[k]);
    free(files);
    free(s);
    return v;
}

static bool all_listed(const struct vnn_onnx_model *m)
{
    for (size_t k = 0; k < m->n_nodes; k++)
        if ((m->nodes[k].domain[0] && strcmp(m->nodes[k].domain, "ai.onnx") != 0) ||
            !onnx_op_listed(m->nodes[k].op_type))
            return false;
    return m->n_nodes > 0;
}

static void run_case(const char *dir, const struct opts *o, struct counts *c)
{
    const char *name = strrchr(dir, '/');
    name = name && name[1] ? name + 1 : dir;
    char path[4096], msg[1024] = "";
    fmt_path(path, sizeof path, "%s/%s", dir, "model.onnx");
    struct vnn_onnx_model *m = NULL;
    enum verdict v = V_PASS;
    if (vnn_onnx_model_read(path, &m) != VNN_OK) {
        snprintf(msg, sizeof msg, "%s", vnn_last_error());
        v = V_FAIL;
    } else if (o->listed && !all_listed(m)) {
        v = V_SKIP;
    } else {
        for (size_t k = 0; o->graph && k < m->n_nodes; k++) {
            const struct vnn_onnx_node *nd = &m->nodes[k];
            printf("%s  %-18s", o->tap ? "#" : "", nd->op_type);
            for (size_t j = 0; j < nd->n_in; j++)
                printf(" %s", nd->in[j][0] ? nd->in[j] : "-");
            printf(" ->");
            for (size_t j = 0; j < nd->n_out; j++)
                printf(" %s", nd->out[j][0] ? nd->out[j] : "-");
            printf("\n");
        }
        size_t nsets;
        char **sets = list_dir(dir, "test_data_set_", &nsets);
        if (!sets || nsets == 0) {
            snprintf(msg, sizeof msg, "no test_data_set_*");
            v = V_FAIL;
        }
        for (size_t k = 0; k < nsets && v == V_PASS; k++) {
            char set[4096];
            fmt_path(set, sizeof set, "%s/%s", dir, sets[k]);
            v = run_set(m, set, msg, sizeof msg);
            if (v == V_FAIL && nsets > 1) {
                char tmp[1024];
                snprintf(tmp, sizeof tmp, "%s: %s", sets[k], msg);
                snprintf(msg, sizeof msg, "%s", tmp);
            }
        }
        free_list(sets);
    }
    vnn_onnx_model_free(m);
    if (o->tap && v != V_SKIP) {
        int k = c->passed + c->failed + c->unsupported + 1;
        printf("%s %d - %s%s%s%s\n", v == V_FAIL ? "not ok" : "ok", k, name,
               v == V_UNSUP ? " # SKIP unsupported: " : msg[0] ? ": " : "", msg, "");
    }
    switch (v) {
    case V_PASS:
        c->passed++;
        if (!o->quiet && !o->tap)
            printf("pass         %s (%s)\n", name, msg);
        break;
    case V_FAIL:
        c->failed++;
        if (!o->tap)
            printf("fail         %s: %s\n", name, msg);
        break;
    case V_UNSUP:
        c->unsupported++;
        if (!o->tap)
            printf("unsupported  %s: %s\n", name, msg);
        break;
    case V_SKIP:
        c->skipped++;
        break;
    }
    fflush(stdout);
}

int cmd_onnx_test(int argc, char **argv)
{
    struct opts o = {0};
    struct counts c = {0};
    int first = 0;
    char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    if (!dirs)
        return 1;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "-h") || !strcmp(argv[k], "--help")) {
            usage(stdout);
            free(dirs);
            return 0;
        } else if (!strcmp(argv[k], "--listed")) {
            o.listed = true;
        } else if (!strcmp(argv[k], "--quiet")) {
            o.quiet = true;
        } else if (!strcmp(argv[k], "--graph")) {
            o.graph = true;
        } else if (!strcmp(argv[k], "--tap")) {
            o.tap = true;
        } else if (!strcmp(argv[k], "--isa") && k + 1 < argc) {
            vnn_isa isa;
            if (o.tap && vnn_isa_parse(argv[k + 1], &isa) == VNN_OK && !vnn_isa_supported(isa)) {
                printf("1..0 # SKIP this machine cannot run %s\n", argv[k + 1]);
                free(dirs);
                return 0;
            }
            if (vnn_isa_parse(argv[++k], &isa) != VNN_OK || vnn_set_isa(isa) != VNN_OK) {
                fprintf(stderr, "vnn onnx-test: cannot use ISA '%s': %s\n", argv[k],
                        vnn_last_error());
                free(dirs);
                return 2;
            }
        } else if (argv[k][0] == '-') {
            fprintf(stderr, "vnn onnx-test: unknown option '%s'\n", argv[k]);
            usage(stderr);
            free(dirs);
            return 2;
        } else {
            dirs[first++] = argv[k];
        }
    }
    if (first == 0) {
        usage(stderr);
        free(dirs);
        return 2;
    }
    const char *err = vnn_isa_env_error();
    if (err) {
        fprintf(stderr, "vnn onnx-test: %s\n", err);
        free(dirs);
        return 2;
    }
    printf("%sisa: %s\n", o.tap ? "# " : "", vnn_isa_name(vnn_get_isa()));
    for (int k = 0; k < first; k++) {
        struct stat sb;
        if (o.tap && stat(dirs[k], &sb) != 0) {
            printf("1..0 # SKIP %s is missing (Debian libonnx-testdata)\n", dirs[k]);
            free(dirs);
            return 0;
        }
        char path[4096];
        fmt_path(path, sizeof path, "%s/%s", dirs[k], "model.onnx");
        if (is_file(path)) {
            run_case(dirs[k], &o, &c);
            continue;
        }
        size_t n;
        char **sub = list_dir(dirs[k], "", &n);
        if (!sub) {
            fprintf(stderr, "vnn onnx-test: cannot read %s\n", dirs[k]);
            free(dirs);
            return 2;
        }
        for (size_t j = 0; j < n; j++) {
            char d[4096];
            fmt_path(d, sizeof d, "%s/%s", dirs[k], sub[j]);
            fmt_path(path, sizeof path, "%s/%s", d, "model.onnx");
            if (is_file(path))
                run_case(d, &o, &c);
        }
        free_list(sub);
    }
    free(dirs);
    const char *hash = o.tap ? "# " : "";
    if (c.skipped)
        printf("%s(%d cases of other ops skipped)\n", hash, c.skipped);
    if (o.tap)
        printf("1..%d\n", c.passed + c.failed + c.unsupported);
    printf("%s%d passed, %d failed, %d unsupported\n", hash, c.passed, c.failed,
           c.unsupported);
    return c.failed ? 1 : 0;
}
