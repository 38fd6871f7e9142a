/* The public model API: load a safetensors file into one of the families,
 * describe it, run batches through caller-owned contexts. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/common/args.h"
#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "models/model-internal.h"
#include "vnn/ops.h"

static const struct vnn_model_family_ops *const families[] = {
    &vnn_cnn_family, &vnn_bilstm_family, &vnn_transformer_family};

static vnn_status isa_error(void)
{
    const char *why = vnn_isa_env_error();
    return vnn_error(VNN_ERR_UNSUPPORTED_ISA, "%s", why ? why : "no usable instruction set");
}

struct vnn_model_context {
    const vnn_model *model;
    float *buf;
    size_t floats;
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    return d ? memcpy(d, s, n) : NULL;
}

/* Copies the metadata (so vnn_model_config outlives the file buffer). */
static vnn_status copy_metadata(vnn_model *m, const struct vnn_st_file *f)
{
    size_t n = vnn_st_meta_count(f);
    m->meta_keys = calloc(n ? n : 1, sizeof *m->meta_keys);
    m->meta_values = calloc(n ? n : 1, sizeof *m->meta_values);
    if (!m->meta_keys || !m->meta_values)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the metadata");
    for (size_t i = 0; i < n; i++) {
        const char *key, *value;
        vnn_st_meta_at(f, i, &key, &value);
        m->meta_keys[i] = dup_str(key);
        m->meta_values[i] = dup_str(value);
        m->n_meta = i + 1;
        if (!m->meta_keys[i] || !m->meta_values[i])
            return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the metadata");
    }
    return VNN_OK;
}

/* vnn.labels: exactly `classes` names separated by '\n'. */
static vnn_status read_labels(vnn_model *m, const struct vnn_st_file *f)
{
    const char *s = vnn_st_meta(f, "vnn.labels");
    if (!s)
        return vnn_error(VNN_ERR_BAD_FILE, "metadata \"vnn.labels\" is missing");
    int64_t C = m->info.classes;
    if (!(m->labels = calloc((size_t)C, sizeof *m->labels)))
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the labels");
    for (int64_t c = 0; c < C; c++) {
        const char *end = strchr(s, '\n');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        if ((c + 1 < C) != (end != NULL))
            return vnn_error(VNN_ERR_BAD_FILE,
                             "metadata \"vnn.labels\" must hold %" PRId64
                             " names separated by newlines",
                             C);
        if (!(m->labels[c] = malloc(len + 1)))
            return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the labels");
        memcpy(m->labels[c], s, len);
        m->labels[c][len] = '\0';
        s = end ? end + 1 : s + len;
    }
    return VNN_OK;
}

static vnn_status build(vnn_model *m, const struct vnn_st_file *f)
{
    const char *family = vnn_st_meta(f, "vnn.family");
    if (!family)
        return vnn_error(VNN_ERR_BAD_FILE, "metadata \"vnn.family\" is missing");
    for (size_t i = 0; i < sizeof families / sizeof *families; i++)
        if (strcmp(family, families[i]->name) == 0)
            m->ops = families[i];
    if (!m->ops)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "metadata \"vnn.family\" is \"%.40s\", not cnn, bilstm or transformer",
                         family);
    m->info.family = m->ops->family;
    m->info.family_name = m->ops->name;
    vnn_status st = vnn_meta_int(f, "vnn.classes", 1, 1 << 20, &m->info.classes);
    if (st == VNN_OK)
        st = read_labels(m, f);
    if (st == VNN_OK)
        st = copy_metadata(m, f);
    if (st == VNN_OK)
        st = m->ops->build(m, f);
    return st;
}

vnn_status vnn_model_load_memory(const void *data, size_t size, vnn_model **out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_load_memory: out is NULL");
    *out = NULL;
    if (!data)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_load_memory: data is NULL (size %zu)",
                         size);
    if (!vnn_kernels())
        return isa_error();
    struct vnn_st_file *f;
    vnn_status st = vnn_st_parse(data, size, &f);
    if (st != VNN_OK)
        return st;
    vnn_model *m = calloc(1, sizeof *m);
    if (!m) {
        vnn_st_free(f);
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the model");
    }
    st = build(m, f);
    vnn_st_free(f);
    if (st != VNN_OK) {
        vnn_model_free(m);
        return st;
    }
    vnn_error_clear();
    *out = m;
    return VNN_OK;
}

vnn_status vnn_model_load(const char *path, vnn_model **out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_load: out is NULL");
    *out = NULL;
    if (!path)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_load: path is NULL");
    void *data;
    size_t size;
    vnn_status st = vnn_st_read_file(path, &data, &size);
    if (st != VNN_OK)
        return st;
    st = vnn_model_load_memory(data, size, out);
    free(data);
    return st;
}

vnn_status vnn_model_free(vnn_model *m)
{
    if (!m)
        return VNN_OK;
    if (m->ops && m->layers)
        m->ops->destroy(m->layers);
    for (size_t i = 0; i < m->n_meta; i++) {
        free(m->meta_keys[i]);
        free(m->meta_values[i]);
    }
    free(m->meta_keys);
    free(m->meta_values);
    if (m->labels)
        for (int64_t c = 0; c < m->info.classes; c++)
            free(m->labels[c]);
    free(m->labels);
    vnn_tokenizer_free(m->tokenizer);
    free(m);
    return VNN_OK;
}

vnn_status vnn_model_get_info(const vnn_model *m, vnn_model_info *info)
{
    if (!m || !info)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_get_info: %s is NULL",
                         m ? "info" : "model");
    *info = m->info;
    return VNN_OK;
}

vnn_status vnn_model_config(const vnn_model *m, const char *key, const char **value)
{
    if (!m || !key || !value)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_config: %s is NULL",
                         !m ? "model" : !key ? "key" : "value");
    for (size_t i = 0; i < m->n_meta; i++)
        if (strcmp(m->meta_keys[i], key) == 0) {
            *value = m->meta_values[i];
            return VNN_OK;
        }
    return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_config: no metadata \"%.60s\" in this model",
                     key);
}

vnn_status vnn_model_label(const vnn_model *m, int64_t cls, const char **name)
{
    if (!m || !name)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_label: %s is NULL",
                         m ? "name" : "model");
    if (cls < 0 || cls >= m->info.classes)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "vnn_model_label: cls = %" PRId64 " outside [0, %" PRId64 ")", cls,
                         m->info.classes);
    *name = m->labels[cls];
    return VNN_OK;
}

vnn_status vnn_model_context_create(const vnn_model *m, vnn_model_context **out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_context_create: out is NULL");
    *out = NULL;
    if (!m)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_model_context_create: model is NULL");
    vnn_model_context *c = calloc(1, sizeof *c);
    if (!c)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for a context");
    c->model = m;
    *out = c;
    return VNN_OK;
}

vnn_status vnn_model_context_destroy(vnn_model_context *c)
{
    if (c) {
        vnn_aligned_free(c->buf);
        free(c);
    }
    return VNN_OK;
}

/* The context's buffer grown to `floats` (kept for later runs). */
static vnn_status reserve(vnn_model_context *c, size_t floats)
{
    if (floats <= c->floats)
        return VNN_OK;
    size_t bytes;
    float *buf;
    if (!vnn_mul_size(floats, sizeof(float), &bytes) || !(buf = vnn_aligned_alloc(bytes)))
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for %zu activation floats",
                         floats);
    vnn_aligned_free(c->buf);
    c->buf = buf;
    c->floats = floats;
    return VNN_OK;
}

/* Bytes of input one sample takes: an image, or T token ids. */
static size_t sample_bytes(const vnn_model *m, int64_t T)
{
    if (m->info.family == VNN_MODEL_CNN)
        return (size_t)(m->info.height * m->info.width * m->info.channels) * sizeof(float);
    return (size_t)T * sizeof(int64_t);
}

/* How a batch is spread: `parts` threads each take a contiguous share of
 * the samples and run it in chunks of at most `chunk` samples, each part
 * with its own slice of the buffer. Large batches are split across the
 * threads at this level (one parallel region per batch; the kernels inside
 * then run single-threaded, as OpenMP does not nest by default) rather
 * than inside every op (a barrier per GEMM, per time step); small batches
 * use the ops' own threads. */
struct batch_plan {
    int64_t parts, chunk;
    size_t part_floats; /* activation floats per part */
};

static bool plan_batch(const vnn_model *m, int64_t N, int64_t T, struct batch_plan *p)
{
    int64_t nt = vnn_get_num_threads();
    p->parts = nt > 1 && N >= 4 * (int64_t)nt ? nt : 1;
    int64_t share = (N + p->parts - 1) / p->parts;
    int64_t chunk = m->ops->chunk_samples ? m->ops->chunk_samples(m, T) : 0;
    p->chunk = chunk > 0 && chunk < share ? chunk : share;
    p->part_floats = vnn_round_up(m->ops->buffer_floats(m, p->chunk, T), 16);
    size_t total;
    return p->part_floats && vnn_mul_size(p->part_floats, (size_t)p->parts, &total);
}

/* Samples [n0, n1) through the forward pass in chunks, logits into z. */
static vnn_status run_part(const vnn_model *m, float *buf, const struct batch_plan *p,
                           int64_t n0, int64_t n1, int64_t T, const void *input,
                           const int64_t *lengths, float *z)
{
    const size_t in_bytes = sample_bytes(m, T);
    const int64_t C = m->info.classes;
    vnn_status st = VNN_OK;
    for (int64_t n = n0; n < n1 && st == VNN_OK; n += p->chunk) {
        int64_t cn = n1 - n < p->chunk ? n1 - n : p->chunk;
        st = m->ops->forward(m, buf, cn, T, (const char *)input + (size_t)n * in_bytes,
                             lengths ? lengths + n : NULL, z + n * C);
    }
    return st;
}

/* Runs the family's forward pass in ctx (or a context of the call's own),
 * then the softmax. Inputs are validated by the callers. */
static vnn_status run(const vnn_model *m, vnn_model_context *ctx, int64_t N, int64_t T,
                      const void *input, const int64_t *lengths, float *logits, float *probs)
{
    if (ctx && ctx->model != m)
        return vnn_error(VNN_ERR_INVALID_ARG, "the context was made for another model");
    if (!vnn_kernels())
        return isa_error();
    struct batch_plan p;
    size_t floats, out_floats;
    if (!plan_batch(m, N, T, &p) || !vnn_mul_size(p.part_floats, (size_t)p.parts, &floats) ||
        !vnn_mul_size((size_t)N, (size_t)m->info.classes, &out_floats) ||
        !vnn_add_size(floats, out_floats, &floats))
        return vnn_error(VNN_ERR_INVALID_ARG, "a batch of %" PRId64 " x %" PRId64
                         " is too large", N, T);
    vnn_model_context own = {.model = m};
    vnn_model_context *c = ctx ? ctx : &own;
    vnn_status st = reserve(c, floats);
    /* Logits go to the buffer's end first: the caller's outputs are
     * written only once the whole batch succeeded. */
    float *z = c->buf + p.part_floats * (size_t)p.parts;
    if (st == VNN_OK && p.parts == 1) {
        st = run_part(m, c->buf, &p, 0, N, T, input, lengths, z);
    } else if (st == VNN_OK) {
        /* A part's error message is thread-local to its worker: the first
         * one is copied out and raised again on this thread. */
        vnn_status first = VNN_OK;
        char why[256] = "";
#pragma omp parallel for num_threads((int)p.parts) schedule(static, 1)
        for (int64_t i = 0; i < p.parts; i++) {
            vnn_status s = run_part(m, c->buf + p.part_floats * (size_t)i, &p,
                                    N * i / p.parts, N * (i + 1) / p.parts, T, input,
                                    lengths, z);
            if (s != VNN_OK) {
#pragma omp critical
                if (first == VNN_OK) {
                    first = s;
                    snprintf(why, sizeof why, "%s", vnn_last_error());
                }
            }
        }
        if ((st = first) != VNN_OK)
            vnn_error(st, "%s", why);
    }
    if (st == VNN_OK && logits)
        memcpy(logits, z, out_floats * sizeof(float));
    if (st == VNN_OK && probs)
        st = vnn_softmax(N, m->info.classes, z, probs);
    if (!ctx)
        vnn_aligned_free(own.buf);
    return st;
}

/* logits and probs (out_bytes each, either may be NULL) overlap neither
 * the input nor each other. */
static vnn_status check_outputs(const char *fn, const void *in, size_t in_bytes,
                                const char *in_name, const float *logits, const float *probs,
                                size_t out_bytes)
{
    if (logits && vnn_overlaps(in, in_bytes, logits, out_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s and logits overlap", fn, in_name);
    if (probs && vnn_overlaps(in, in_bytes, probs, out_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s and probs overlap", fn, in_name);
    if (logits && probs && vnn_overlaps(logits, out_bytes, probs, out_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: logits and probs overlap", fn);
    return VNN_OK;
}

vnn_status vnn_model_run_images(const vnn_model *m, vnn_model_context *ctx, int64_t N,
                                const float *images, float *logits, float *probs)
{
    static const char fn[] = "vnn_model_run_images";
    if (!m || !images)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, m ? "images" : "model");
    if (m->info.family != VNN_MODEL_CNN)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: the %s model takes tokens, not images", fn,
                         m->info.family_name);
    if (N < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: N = %" PRId64 " < 1", fn, N);
    size_t in_bytes, out_bytes;
    if (!vnn_float_bytes4(N, m->info.height, m->info.width, m->info.channels, &in_bytes) ||
        !vnn_float_bytes4(N, m->info.classes, 1, 1, &out_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: N = %" PRId64 " images exceed PTRDIFF_MAX "
                         "bytes", fn, N);
    vnn_status st = check_outputs(fn, images, in_bytes, "images", logits, probs, out_bytes);
    if (st != VNN_OK)
        return st;
    return run(m, ctx, N, 0, images, NULL, logits, probs);
}

vnn_status vnn_model_run_tokens(const vnn_model *m, vnn_model_context *ctx, int64_t N,
                                int64_t T, const int64_t *ids, const int64_t *lengths,
                                float *logits, float *probs)
{
    static const char fn[] = "vnn_model_run_tokens";
    if (!m || !ids)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, m ? "ids" : "model");
    if (m->info.family == VNN_MODEL_CNN)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: the cnn model takes images, not tokens", fn);
    if (N < 1 || T < 1)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s = %" PRId64 " < 1", fn,
                         N < 1 ? "N" : "T", N < 1 ? N : T);
    if (T > m->info.max_sequence)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: T = %" PRId64 " tokens, but the model takes at most %" PRId64, fn,
                         T, m->info.max_sequence);
    size_t in_bytes, out_bytes;
    if (!vnn_float_bytes4(N, T, 2, 1, &in_bytes) || /* int64 ids: 2 floats' bytes each */
        !vnn_float_bytes4(N, m->info.classes, 1, 1, &out_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: N x T = %" PRId64 " x %" PRId64
                         " token ids exceed PTRDIFF_MAX bytes", fn, N, T);
    vnn_status st = check_outputs(fn, ids, in_bytes, "ids", logits, probs, out_bytes);
    if (st == VNN_OK && lengths)
        st = check_outputs(fn, lengths, (size_t)N * sizeof *lengths, "lengths", logits, probs,
                           out_bytes);
    if (st != VNN_OK)
        return st;
    for (int64_t n = 0; n < N; n++) {
        int64_t len = lengths ? lengths[n] : T;
        if (len < 1 || len > T)
            return vnn_error(VNN_ERR_INVALID_ARG,
                             "%s: lengths[%" PRId64 "] = %" PRId64 " outside [1, %" PRId64 "]",
                             fn, n, len, T);
        for (int64_t t = 0; t < len; t++)
            if (ids[n * T + t] < 0 || ids[n * T + t] >= m->info.vocab)
                return vnn_error(VNN_ERR_INVALID_ARG,
                                 "%s: token id %" PRId64 " (sequence %" PRId64
                                 ", position %" PRId64 ") outside [0, %" PRId64 ")",
                                 fn, ids[n * T + t], n, t, m->info.vocab);
    }
    return run(m, ctx, N, T, ids, lengths, logits, probs);
}

vnn_status vnn_model_tokenize(const vnn_model *m, const char *text, size_t len, int64_t *ids,
                              int64_t capacity, int64_t *count)
{
    static const char fn[] = "vnn_model_tokenize";
    if (!m || !count)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, m ? "count" : "model");
    if (!text && len)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: text is NULL with len = %zu", fn, len);
    if (!ids && capacity)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: ids is NULL with capacity = %" PRId64, fn,
                         capacity);
    if (!m->tokenizer)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: the %s model has no tokenizer", fn,
                         m->info.family_name);
    if (capacity < 0)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: capacity = %" PRId64 " < 0", fn, capacity);
    *count = vnn_tokenizer_encode(m->tokenizer, text ? text : "", len, ids, capacity);
    return VNN_OK;
}
