/* ops/<op>_<rows>x<cols>/<impl>: the Transformer ops on the shapes of
 * bench/shapes/ops.txt (or $VNN_BENCH_OPS_SHAPES):
 *   vnn         vnn_layernorm / vnn_softmax / vnn_gelu / vnn_relu / vnn_add on
 *               the ISA vnn selected (the label names the microkernel)
 *   vnn_<isa>   the same with each other ISA this CPU supports forced
 *   onednn      the oneDNN 2.6 primitive (layer_normalization_forward with
 *               scale and shift, softmax_forward, eltwise, binary add), created
 *               once outside the timed loop
 * Counter GBps = the bytes a call must move (x read and y written, plus b
 * for add; gamma and beta are negligible) / seconds. The data stays in the
 * cache between calls, as between a Transformer's ops. Before timing, every
 * vnn result is compared with oneDNN's (normalized error <= 1e-10, as the
 * test suite), so a broken kernel fails instead of reporting a number. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oneapi/dnnl/dnnl.h>

#include "bench.h"
#include "dispatch/dispatch.h" /* the microkernel name for the label */
#include "shim/vnn_bench.h"
#include "vnn-bench-config.h"  /* VB_OPS_SHAPES_DEFAULT */
#include "vnn/vnn.h"

enum op { OP_LAYERNORM, OP_SOFTMAX, OP_GELU_ERF, OP_GELU_TANH, OP_RELU, OP_ADD, OP_COUNT };
static const char *const op_names[OP_COUNT] = {"layernorm", "softmax", "gelu_erf",
                                               "gelu_tanh", "relu",    "add"};
enum impl { IMPL_VNN, IMPL_VNN_ISA, IMPL_ONEDNN };

struct ops_case {
    enum op op;
    int64_t rows, cols;
    enum impl impl;
    vnn_isa isa; /* IMPL_VNN_ISA */
};

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static float rand_pm(float a) /* uniform in [-a, a) */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t r = rng_state * 0x2545f4914f6cdd1dull;
    return ((float)(r >> 40) * 0x1p-23f - 1.0f) * a;
}

/* The buffers of one case (allocated per benchmark run; small). */
struct data {
    size_t n;
    float *x, *b, *gamma, *beta, *y, *ref;
};

static void data_free(struct data *d)
{
    free(d->x), free(d->b), free(d->gamma), free(d->beta), free(d->y), free(d->ref);
    *d = (struct data){0};
}

static float *floats(size_t n) { return vb_alloc(n * sizeof(float)); }

static bool data_make(const struct ops_case *c, struct data *d)
{
    d->n = (size_t)(c->rows * c->cols);
    d->x = floats(d->n), d->b = floats(d->n), d->y = floats(d->n), d->ref = floats(d->n);
    d->gamma = floats((size_t)c->cols), d->beta = floats((size_t)c->cols);
    if (!d->x || !d->b || !d->y || !d->ref || !d->gamma || !d->beta)
        return false;
    for (size_t i = 0; i < d->n; i++)
        d->x[i] = rand_pm(4.0f), d->b[i] = rand_pm(4.0f);
    for (int64_t i = 0; i < c->cols; i++)
        d->gamma[i] = 1.0f + rand_pm(0.5f), d->beta[i] = rand_pm(0.5f);
    return true;
}

static vnn_status vnn_once(const struct ops_case *c, const struct data *d, float *y)
{
    int64_t n = c->rows * c->cols;
    switch (c->op) {
    case OP_LAYERNORM:
        return vnn_layernorm(c->rows, c->cols, d->x, d->gamma, d->beta, 1e-5f, y);
    case OP_SOFTMAX:
        return vnn_softmax(c->rows, c->cols, d->x, y);
    case OP_GELU_ERF:
        return vnn_gelu(VNN_GELU_ERF, n, d->x, y);
    case OP_GELU_TANH:
        return vnn_gelu(VNN_GELU_TANH, n, d->x, y);
    case OP_RELU:
        return vnn_relu(n, d->x, y);
    default:
        return vnn_add(n, d->x, d->b, y);
    }
}

/* ------------------------------------------------------------- oneDNN */

struct dnnl_run {
    dnnl_engine_t engine;
    dnnl_stream_t stream;
    dnnl_primitive_desc_t pd;
    dnnl_primitive_t prim;
    dnnl_memory_t mem[4];
    dnnl_exec_arg_t args[4];
    int nargs;
};

static void dnnl_run_free(struct dnnl_run *r)
{
    for (int i = 0; i < 4; i++)
        dnnl_memory_destroy(r->mem[i]);
    dnnl_primitive_destroy(r->prim);
    dnnl_primitive_desc_destroy(r->pd);
    dnnl_stream_destroy(r->stream);
    dnnl_engine_destroy(r->engine);
    *r = (struct dnnl_run){0};
}

#define TRY(call)                                                                        \
    do {                                                                                 \
        if ((call) != dnnl_success)                                                      \
            return false;                                                                \
    } while (0)

static bool arg(struct dnnl_run *r, int id, const dnnl_memory_desc_t *md, const void *p)
{
    TRY(dnnl_memory_create(&r->mem[r->nargs], md, r->engine, (void *)p));
    r->args[r->nargs] = (dnnl_exec_arg_t){id, r->mem[r->nargs]};
    r->nargs++;
    return true;
}

/* The primitive of case c, writing into y. */
static bool dnnl_make(const struct ops_case *c, const struct data *d, float *y,
                      struct dnnl_run *r)
{
    *r = (struct dnnl_run){0};
    TRY(dnnl_engine_create(&r->engine, dnnl_cpu, 0));
    TRY(dnnl_stream_create(&r->stream, r->engine, dnnl_stream_default_flags));
    dnnl_memory_desc_t md, cmd;
    dnnl_dims_t dims2 = {c->rows, c->cols}, dims1 = {c->rows * c->cols}, cdims = {c->cols};
    int rowwise = c->op == OP_LAYERNORM || c->op == OP_SOFTMAX;
    TRY(rowwise ? dnnl_memory_desc_init_by_tag(&md, 2, dims2, dnnl_f32, dnnl_ab)
                : dnnl_memory_desc_init_by_tag(&md, 1, dims1, dnnl_f32, dnnl_a));
    TRY(dnnl_memory_desc_init_by_tag(&cmd, 1, cdims, dnnl_f32, dnnl_a));
    union {
        dnnl_layer_normalization_desc_t ln;
        dnnl_softmax_desc_t sm;
        dnnl_eltwise_desc_t el;
        dnnl_binary_desc_t bin;
    } desc;
    static const dnnl_alg_kind_t elt[] = {[OP_GELU_ERF] = dnnl_eltwise_gelu_erf,
                                          [OP_GELU_TANH] = dnnl_eltwise_gelu_tanh,
                                          [OP_RELU] = dnnl_eltwise_relu};
    switch (c->op) {
    case OP_LAYERNORM:
        TRY(dnnl_layer_normalization_forward_desc_init(&desc.ln, dnnl_forward_inference, &md,
                                                       NULL, 1e-5f,
                                                       dnnl_use_scale | dnnl_use_shift));
        break;
    case OP_SOFTMAX:
        TRY(dnnl_softmax_forward_desc_init(&desc.sm, dnnl_forward_inference, &md, 1));
        break;
    case OP_ADD:
        TRY(dnnl_binary_desc_init(&desc.bin, dnnl_binary_add, &md, &md, &md));
        break;
    default:
        TRY(dnnl_eltwise_forward_desc_init(&desc.el, dnnl_forward_inference, elt[c->op], &md,
                                           0.0f, 0.0f));
    }
    TRY(dnnl_primitive_desc_create(&r->pd, &desc, NULL, r->engine, NULL));
    TRY(dnnl_primitive_create(&r->prim, r->pd));
    if (c->op == OP_ADD)
        return arg(r, DNNL_ARG_SRC_0, &md, d->x) && arg(r, DNNL_ARG_SRC_1, &md, d->b) &&
               arg(r, DNNL_ARG_DST, &md, y);
    if (!arg(r, DNNL_ARG_SRC, &md, d->x) || !arg(r, DNNL_ARG_DST, &md, y))
        return false;
    if (c->op == OP_LAYERNORM)
        return arg(r, DNNL_ARG_SCALE, &cmd, d->gamma) && arg(r, DNNL_ARG_SHIFT, &cmd, d->beta);
    return true;
}

static bool dnnl_once(struct dnnl_run *r)
{
    return dnnl_primitive_execute(r->prim, r->stream, r->nargs, r->args) == dnnl_success &&
           dnnl_stream_wait(r->stream) == dnnl_success;
}

/* ------------------------------------------------------------ benchmark */

static const char *check(const struct data *d)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < d->n; i++) {
        double e = (double)d->y[i] - d->ref[i];
        num += e * e;
        den += (double)d->ref[i] * d->ref[i];
    }
    return num <= 1e-10 * den ? NULL : "result differs from oneDNN (normalized error > 1e-10)";
}

static void bench_ops(vb_state *st, void *argp)
{
    const struct ops_case *c = argp;
    struct data d = {0};
    struct dnnl_run r = {0};
    const char *err = NULL;
    vnn_isa saved = vnn_get_isa();
    if (!data_make(c, &d))
        err = "out of memory";
    else if (c->impl == IMPL_VNN_ISA && vnn_set_isa(c->isa) != VNN_OK)
        err = "cannot select the ISA";
    else if (!dnnl_make(c, &d, c->impl == IMPL_ONEDNN ? d.y : d.ref, &r) || !dnnl_once(&r))
        err = "oneDNN failed";
    else if (c->impl != IMPL_ONEDNN) {
        vnn_status s = vnn_once(c, &d, d.y); /* also the warm-up */
        err = s != VNN_OK ? vnn_status_str(s) : check(&d);
    }
    if (err)
        vb_skip_with_error(st, err);
    while (!err && vb_keep_running(st)) {
        if (c->impl == IMPL_ONEDNN ? !dnnl_once(&r) : vnn_once(c, &d, d.y) != VNN_OK) {
            err = "a call failed";
            vb_skip_with_error(st, err);
        }
    }
    if (!err) {
        char label[96];
        const struct vnn_kernel_table *t = vnn_kernels();
        const char *uk = c->op == OP_LAYERNORM   ? t->norm.layernorm_name
                         : c->op == OP_SOFTMAX   ? t->norm.softmax_name
                         : c->op == OP_GELU_ERF  ? t->eltwise.gelu_erf_name
                         : c->op == OP_GELU_TANH ? t->eltwise.gelu_tanh_name
                         : c->op == OP_RELU      ? t->eltwise.relu_name
                                                 : t->eltwise.add_name;
        if (c->impl == IMPL_ONEDNN) {
            const char *impl = "?";
            dnnl_primitive_desc_query(r.pd, dnnl_query_impl_info_str, 0, &impl);
            snprintf(label, sizeof label, "oneDNN %s", impl);
        } else {
            snprintf(label, sizeof label, "%s %s", vnn_isa_name(vnn_get_isa()), uk);
        }
        vb_set_label(st, label);
        double bytes = (double)d.n * sizeof(float) * (c->op == OP_ADD ? 3 : 2);
        vb_set_counter(st, "GBps", bytes * (double)vb_iterations(st) / 1e9, VB_RATE);
    }
    if (c->impl == IMPL_VNN_ISA)
        vnn_set_isa(saved);
    dnnl_run_free(&r);
    data_free(&d);
}

static bool add(enum op op, int64_t rows, int64_t cols, enum impl impl, vnn_isa isa)
{
    struct ops_case *c = malloc(sizeof *c); /* lives until exit */
    if (!c)
        return false;
    *c = (struct ops_case){.op = op, .rows = rows, .cols = cols, .impl = impl, .isa = isa};
    char name[128];
    snprintf(name, sizeof name, "ops/%s_%lldx%lld/%s%s", op_names[op], (long long)rows,
             (long long)cols, impl == IMPL_ONEDNN ? "onednn" : "vnn",
             impl == IMPL_VNN_ISA ? "_" : "");
    if (impl == IMPL_VNN_ISA)
        strncat(name, vnn_isa_name(isa), sizeof name - strlen(name) - 1);
    vb_register(name, bench_ops, c);
    return true;
}

static bool add_shape(enum op op, int64_t rows, int64_t cols)
{
    vnn_isa selected = vnn_get_isa();
    bool ok = add(op, rows, cols, IMPL_VNN, selected) && add(op, rows, cols, IMPL_ONEDNN, selected);
    for (int isa = 0; isa < VNN_ISA_COUNT; isa++)
        if ((vnn_isa)isa != selected && vnn_isa_supported((vnn_isa)isa))
            ok = ok && add(op, rows, cols, IMPL_VNN_ISA, (vnn_isa)isa);
    return ok;
}

bool vb_register_ops(void)
{
    const char *path = getenv("VNN_BENCH_OPS_SHAPES");
    path = path && *path ? path : VB_OPS_SHAPES_DEFAULT;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vnn-bench: cannot read op shapes from %s: %s\n", path, strerror(errno));
        return false;
    }
    char line[256];
    bool ok = true;
    for (int lineno = 1; ok && fgets(line, sizeof line, f); lineno++) {
        char *hash = strchr(line, '#'), name[32];
        if (hash)
            *hash = '\0';
        long long rows, cols;
        char extra;
        int got = sscanf(line, "%31s %lld %lld %c", name, &rows, &cols, &extra);
        if (got <= 0)
            continue; /* blank or comment */
        int op = 0;
        while (op < OP_COUNT && strcmp(name, op_names[op]) != 0)
            op++;
        if (got != 3 || op == OP_COUNT || rows < 1 || cols < 1 || rows > INT32_MAX ||
            cols > INT32_MAX) {
            fprintf(stderr, "vnn-bench: %s:%d: expected \"<op> <rows> <cols>\" with op one of "
                    "layernorm, softmax, gelu_erf, gelu_tanh, relu, add\n", path, lineno);
            ok = false;
        } else if (!add_shape((enum op)op, rows, cols)) {
            fprintf(stderr, "vnn-bench: out of memory\n");
            ok = false;
        }
    }
    fclose(f);
    return ok;
}
