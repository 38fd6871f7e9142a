#include "serve/protocol.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* float32 round-trips through 9 significant digits. */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(9))

static unsigned bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return 400;
}

static char *dump(json_t *j, size_t *len)
{
    char *s = j ? json_dumps(j, DUMP_FLAGS) : NULL;
    json_decref(j);
    *len = s ? strlen(s) : 0;
    return s;
}

char *protocol_error(const char *message, size_t *len)
{
    return dump(json_pack("{s:s}", "error", message), len);
}

enum dtype { DT_FP32, DT_INT64, DT_INT32 };

static int dtype_parse(const char *s, enum dtype *dt)
{
    if (strcmp(s, "FP32") == 0)
        *dt = DT_FP32;
    else if (strcmp(s, "INT64") == 0)
        *dt = DT_INT64;
    else if (strcmp(s, "INT32") == 0)
        *dt = DT_INT32;
    else
        return -1;
    return 0;
}

static size_t dtype_size(enum dtype dt)
{
    return dt == DT_INT64 ? 8 : 4;
}

/* One input tensor as read from the request, converted to float (images)
 * or int64 (ids, lengths). */
struct tensor {
    const char *name;
    enum dtype dt;
    int rank;
    int64_t shape[8];
    size_t count;
    json_t *data;       /* JSON data, or NULL with binary bytes */
    const char *binary; /* binary_data_size bytes in the body */
};

/* Nested or flat JSON arrays, row-major, into dst (float or int64). */
static int flatten(json_t *v, int as_float, enum dtype dt, void *dst, size_t cap, size_t *n,
                   int depth, const char *name, char *err, size_t errlen)
{
    if (json_is_array(v)) {
        if (depth > 8) {
            bad(err, errlen, "input '%s': data nested too deep", name);
            return -1;
        }
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) if (flatten(e, as_float, dt, dst, cap, n, depth + 1, name,
                                                err, errlen)) return -1;
        return 0;
    }
    if (*n >= cap) {
        bad(err, errlen, "input '%s': data holds more elements than its shape (%zu)", name,
            cap);
        return -1;
    }
    if (as_float) {
        if (!json_is_number(v)) {
            bad(err, errlen, "input '%s': element %zu is not a number", name, *n);
            return -1;
        }
        ((float *)dst)[(*n)++] = (float)json_number_value(v);
        return 0;
    }
    if (!json_is_integer(v)) {
        bad(err, errlen, "input '%s': element %zu is not an integer (datatype %s)", name, *n,
            dt == DT_INT32 ? "INT32" : "INT64");
        return -1;
    }
    json_int_t x = json_integer_value(v);
    if (dt == DT_INT32 && (x < INT32_MIN || x > INT32_MAX)) {
        bad(err, errlen, "input '%s': element %zu (%lld) is out of INT32 range", name, *n,
            (long long)x);
        return -1;
    }
    ((int64_t *)dst)[(*n)++] = (int64_t)x;
    return 0;
}

/* The tensor's elements into a new buffer of floats (as_float) or int64. */
/* The number of leaves of nested arrays (depth-limited as flatten is). */
static size_t leaves(json_t *v, int depth)
{
    if (!json_is_array(v) || depth > 8)
        return 1;
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(v, i, e) n += leaves(e, depth + 1);
    return n;
}

static void *tensor_values(const struct tensor *t, int as_float, char *err, size_t errlen)
{
    /* The data's element count is checked before the shape sizes any
     * allocation (a huge shape with little data costs nothing). */
    if (!t->binary) {
        size_t have = leaves(t->data, 0);
        if (have != t->count) {
            bad(err, errlen, "input '%s': data holds %zu elements, its shape %zu", t->name, have,
                t->count);
            return NULL;
        }
    }
    void *dst = malloc((t->count ? t->count : 1) * (as_float ? sizeof(float) : sizeof(int64_t)));
    if (!dst) {
        bad(err, errlen, "input '%s': out of memory", t->name);
        return NULL;
    }
    if (t->binary) {
        /* Little-endian in the body, as the extension specifies. */
        for (size_t i = 0; i < t->count; i++) {
            if (t->dt == DT_FP32) {
                memcpy((float *)dst + i, t->binary + 4 * i, 4);
            } else if (t->dt == DT_INT64) {
                memcpy((int64_t *)dst + i, t->binary + 8 * i, 8);
            } else {
                int32_t x;
                memcpy(&x, t->binary + 4 * i, 4);
                ((int64_t *)dst)[i] = x;
            }
        }
        return dst;
    }
    size_t n = 0;
    if (flatten(t->data, as_float, t->dt, dst, t->count, &n, 0, t->name, err, errlen)) {
        free(dst);
        return NULL;
    }
    if (n != t->count) {
        bad(err, errlen, "input '%s': data holds %zu elements, its shape %zu", t->name, n,
            t->count);
        free(dst);
        return NULL;
    }
    return dst;
}

static int shape_str(const struct tensor *t, char *buf, size_t size)
{
    int at = snprintf(buf, size, "[");
    for (int i = 0; i < t->rank && at < (int)size; i++)
        at += snprintf(buf + at, size - (size_t)at, "%s%lld", i ? ", " : "",
                       (long long)t->shape[i]);
    if (at < (int)size)
        snprintf(buf + at, size - (size_t)at, "]");
    return 0;
}

/* Reads one entry of "inputs": name, datatype, shape, data or binary size. */
static unsigned read_tensor(json_t *in, size_t idx, const char *body, size_t len, size_t *bin_at,
                            struct tensor *t, char *err, size_t errlen)
{
    json_t *name = json_object_get(in, "name"), *dt = json_object_get(in, "datatype"),
           *shape = json_object_get(in, "shape"), *data = json_object_get(in, "data"),
           *params = json_object_get(in, "parameters");
    if (!json_is_object(in))
        return bad(err, errlen, "inputs[%zu] is not an object", idx);
    if (!json_is_string(name))
        return bad(err, errlen, "inputs[%zu] has no \"name\" string", idx);
    t->name = json_string_value(name);
    if (!json_is_string(dt))
        return bad(err, errlen, "input '%s' has no \"datatype\" string", t->name);
    if (dtype_parse(json_string_value(dt), &t->dt))
        return bad(err, errlen, "input '%s': datatype %s is not supported (FP32, INT64, INT32)",
                   t->name, json_string_value(dt));
    if (!json_is_array(shape) || json_array_size(shape) == 0 || json_array_size(shape) > 8)
        return bad(err, errlen, "input '%s': \"shape\" is not an array of 1 to 8 dimensions",
                   t->name);
    t->rank = (int)json_array_size(shape);
    t->count = 1;
    for (int i = 0; i < t->rank; i++) {
        json_t *d = json_array_get(shape, (size_t)i);
        if (!json_is_integer(d) || json_integer_value(d) < 0)
            return bad(err, errlen, "input '%s': shape[%d] is not a non-negative integer",
                       t->name, i);
        t->shape[i] = json_integer_value(d);
        if (__builtin_mul_overflow(t->count, (size_t)t->shape[i], &t->count))
            return bad(err, errlen, "input '%s': shape overflows", t->name);
    }
    json_t *bsize = params ? json_object_get(params, "binary_data_size") : NULL;
    if (bsize) {
        if (!json_is_integer(bsize) || json_integer_value(bsize) < 0)
            return bad(err, errlen, "input '%s': binary_data_size is not a non-negative integer",
                       t->name);
        size_t want = t->count * dtype_size(t->dt), got = (size_t)json_integer_value(bsize);
        if (got != want)
            return bad(err, errlen,
                       "input '%s': binary_data_size is %zu, its shape and datatype need %zu",
                       t->name, got, want);
        if (len - *bin_at < want)
            return bad(err, errlen, "input '%s': the body ends %zu bytes into its binary data",
                       t->name, len - *bin_at);
        if (data)
            return bad(err, errlen, "input '%s' has both \"data\" and binary_data_size",
                       t->name);
        t->binary = body + *bin_at;
        *bin_at += want;
        return 0;
    }
    if (!data)
        return bad(err, errlen, "input '%s' has no \"data\" (nor binary_data_size)", t->name);
    t->data = data;
    return 0;
}

static unsigned parse_outputs(json_t *root, struct infer_io *io, char *err, size_t errlen)
{
    json_t *params = json_object_get(root, "parameters"), *outs = json_object_get(root, "outputs");
    int all_binary = 0;
    if (params && !json_is_object(params))
        return bad(err, errlen, "\"parameters\" is not an object");
    if (params) {
        json_t *b = json_object_get(params, "binary_data_output");
        json_t *to = json_object_get(params, "timeout");
        all_binary = json_is_true(b);
        if (to && (!json_is_integer(to) || json_integer_value(to) < 0))
            return bad(err, errlen, "parameters.timeout is not a non-negative integer (us)");
        io->timeout_us = to ? json_integer_value(to) : 0;
    }
    if (!outs || (json_is_array(outs) && json_array_size(outs) == 0)) {
        io->want_logits = io->want_probs = 1;
        io->bin_logits = io->bin_probs = all_binary;
        return 0;
    }
    if (!json_is_array(outs))
        return bad(err, errlen, "\"outputs\" is not an array");
    size_t i;
    json_t *o;
    json_array_foreach(outs, i, o)
    {
        json_t *name = json_object_get(o, "name"), *p = json_object_get(o, "parameters");
        if (!json_is_string(name))
            return bad(err, errlen, "outputs[%zu] has no \"name\" string", i);
        int binary = all_binary || (p && json_is_true(json_object_get(p, "binary_data")));
        if (strcmp(json_string_value(name), "logits") == 0)
            io->want_logits = 1, io->bin_logits = binary;
        else if (strcmp(json_string_value(name), "probabilities") == 0)
            io->want_probs = 1, io->bin_probs = binary;
        else
            return bad(err, errlen, "unknown output '%s' (logits, probabilities)",
                       json_string_value(name));
    }
    return 0;
}

static unsigned parse_images(const vnn_model_info *info, struct tensor *t, int n_inputs,
                             struct serve_job *job, char *err, size_t errlen)
{
    char s[128];
    shape_str(t, s, sizeof s);
    if (n_inputs != 1 || strcmp(t->name, "images") != 0)
        return bad(err, errlen, "this model takes one input, 'images'");
    if (t->dt != DT_FP32)
        return bad(err, errlen, "input 'images': datatype must be FP32");
    if (t->rank != 4 || t->shape[0] < 1 || t->shape[1] != info->height ||
        t->shape[2] != info->width || t->shape[3] != info->channels)
        return bad(err, errlen, "input 'images': shape %s, expected [N, %lld, %lld, %lld] (NHWC, N >= 1)",
                   s, (long long)info->height, (long long)info->width,
                   (long long)info->channels);
    job->n = t->shape[0];
    job->images = tensor_values(t, 1, err, errlen);
    return job->images ? 0 : 400;
}

static unsigned parse_tokens(const vnn_model_info *info, struct tensor *ts, int n_inputs,
                             struct serve_job *job, char *err, size_t errlen)
{
    struct tensor *ids = NULL, *lens = NULL;
    for (int i = 0; i < n_inputs; i++) {
        if (strcmp(ts[i].name, "input_ids") == 0 && !ids)
            ids = &ts[i];
        else if (strcmp(ts[i].name, "lengths") == 0 && !lens)
            lens = &ts[i];
        else
            return bad(err, errlen,
                       "unexpected input '%s': this model takes 'input_ids' and optional 'lengths'",
                       ts[i].name);
    }
    if (!ids)
        return bad(err, errlen, "missing input 'input_ids'");
    char s[128];
    shape_str(ids, s, sizeof s);
    if (ids->dt == DT_FP32)
        return bad(err, errlen, "input 'input_ids': datatype must be INT64 or INT32");
    if (ids->rank != 2 || ids->shape[0] < 1 || ids->shape[1] < 1)
        return bad(err, errlen, "input 'input_ids': shape %s, expected [N, T] with N, T >= 1", s);
    if (ids->shape[1] > info->max_sequence)
        return bad(err, errlen, "input 'input_ids': T = %lld is longer than the model's %lld",
                   (long long)ids->shape[1], (long long)info->max_sequence);
    job->n = ids->shape[0];
    job->t = ids->shape[1];
    if (lens) {
        shape_str(lens, s, sizeof s);
        if (lens->dt == DT_FP32)
            return bad(err, errlen, "input 'lengths': datatype must be INT64 or INT32");
        if (lens->rank != 1 || lens->shape[0] != job->n)
            return bad(err, errlen, "input 'lengths': shape %s, expected [%lld]", s,
                       (long long)job->n);
        if (!(job->lengths = tensor_values(lens, 0, err, errlen)))
            return 400;
        for (int64_t i = 0; i < job->n; i++)
            if (job->lengths[i] < 1 || job->lengths[i] > job->t)
                return bad(err, errlen, "input 'lengths': lengths[%lld] = %lld is not in [1, %lld]",
                           (long long)i, (long long)job->lengths[i], (long long)job->t);
    }
    if (!(job->ids = tensor_values(ids, 0, err, errlen)))
        return 400;
    /* Ids past a row's length are padding, never read: not checked. */
    for (int64_t i = 0; i < job->n; i++) {
        int64_t L = job->lengths ? job->lengths[i] : job->t;
        for (int64_t k = 0; k < L; k++) {
            int64_t v = job->ids[i * job->t + k];
            if (v < 0 || v >= info->vocab)
                return bad(err, errlen,
                           "input 'input_ids': id %lld at [%lld, %lld] is out of range [0, %lld)",
                           (long long)v, (long long)i, (long long)k, (long long)info->vocab);
        }
    }
    return 0;
}

unsigned protocol_parse_infer(const vnn_model_info *info, const char *body, size_t len,
                              size_t json_len, struct serve_job *job, struct infer_io *io,
                              char *err, size_t errlen)
{
    memset(job, 0, sizeof *job);
    memset(io, 0, sizeof *io);
    if (!body)
        body = ""; /* an empty body */
    if (json_len > len)
        return bad(err, errlen, "Inference-Header-Content-Length %zu is past the body's %zu bytes",
                   json_len, len);
    json_error_t je;
    json_t *root = json_loadb(body, json_len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return bad(err, errlen, "malformed JSON at line %d, column %d: %s", je.line, je.column,
                   je.text);
    unsigned code = 0;
    json_t *inputs = json_object_get(root, "inputs"), *id = json_object_get(root, "id");
    struct tensor ts[4];
    memset(ts, 0, sizeof ts);
    size_t bin_at = json_len;
    if (!json_is_object(root))
        code = bad(err, errlen, "the request is not a JSON object");
    else if (id && !json_is_string(id))
        code = bad(err, errlen, "\"id\" is not a string");
    else if (!json_is_array(inputs) || json_array_size(inputs) == 0)
        code = bad(err, errlen, "\"inputs\" is not a non-empty array");
    else if (json_array_size(inputs) > 4)
        code = bad(err, errlen, "too many inputs (%zu)", json_array_size(inputs));
    for (size_t i = 0; !code && i < json_array_size(inputs); i++)
        code = read_tensor(json_array_get(inputs, i), i, body, len, &bin_at, &ts[i], err, errlen);
    if (!code && bin_at != len)
        code = bad(err, errlen, "%zu bytes of binary data no input claims", len - bin_at);
    if (!code)
        code = parse_outputs(root, io, err, errlen);
    if (!code)
        code = info->family == VNN_MODEL_CNN
                   ? parse_images(info, ts, (int)json_array_size(inputs), job, err, errlen)
                   : parse_tokens(info, ts, (int)json_array_size(inputs), job, err, errlen);
    if (!code && id && !(io->id = strdup(json_string_value(id))))
        code = bad(err, errlen, "out of memory");
    if (!code) {
        size_t rows = (size_t)job->n * (size_t)info->classes;
        if ((io->want_logits && !(job->logits = malloc(rows * sizeof(float)))) ||
            (io->want_probs && !(job->probs = malloc(rows * sizeof(float)))))
            code = bad(err, errlen, "out of memory for %lld samples", (long long)job->n);
    }
    json_decref(root);
    if (code)
        protocol_job_free(job, io);
    return code;
}

void protocol_job_free(struct serve_job *job, struct infer_io *io)
{
    free(job->images);
    free(job->ids);
    free(job->lengths);
    free(job->logits);
    free(job->probs);
    job->images = job->logits = job->probs = NULL;
    job->ids = job->lengths = NULL;
    free(io->id);
    io->id = NULL;
}

static json_t *output_json(const char *name, const float *v, int64_t n, int64_t C, int binary)
{
    json_t *o = json_pack("{s:s, s:s, s:[I, I]}", "name", name, "datatype", "FP32", "shape",
                          (json_int_t)n, (json_int_t)C);
    if (!o)
        return NULL;
    if (binary) {
        json_object_set_new(o, "parameters",
                            json_pack("{s:I}", "binary_data_size",
                                      (json_int_t)((size_t)(n * C) * sizeof(float))));
        return o;
    }
    json_t *data = json_array();
    for (int64_t i = 0; data && i < n * C; i++)
        json_array_append_new(data, json_real((double)v[i]));
    json_object_set_new(o, "data", data);
    return o;
}

char *protocol_infer_response(const char *model_name, const vnn_model_info *info,
                              const struct serve_job *job, const struct infer_io *io,
                              size_t *len, size_t *json_len)
{
    json_t *r = json_pack("{s:s, s:s}", "model_name", model_name, "model_version", "1");
    json_t *outs = json_array();
    if (!r || !outs) {
        json_decref(r);
        json_decref(outs);
        return NULL;
    }
    if (io->id)
        json_object_set_new(r, "id", json_string(io->id));
    int64_t n = job->n, C = info->classes;
    if (io->want_logits)
        json_array_append_new(outs, output_json("logits", job->logits, n, C, io->bin_logits));
    if (io->want_probs)
        json_array_append_new(outs, output_json("probabilities", job->probs, n, C, io->bin_probs));
    json_object_set_new(r, "outputs", outs);
    size_t jl;
    char *s = dump(r, &jl);
    if (!s)
        return NULL;
    size_t bytes = (size_t)(n * C) * sizeof(float);
    size_t total = jl + (io->want_logits && io->bin_logits ? bytes : 0) +
                   (io->want_probs && io->bin_probs ? bytes : 0);
    if (total != jl) {
        char *all = realloc(s, total);
        if (!all) {
            free(s);
            return NULL;
        }
        s = all;
        size_t at = jl;
        if (io->want_logits && io->bin_logits) {
            memcpy(s + at, job->logits, bytes);
            at += bytes;
        }
        if (io->want_probs && io->bin_probs)
            memcpy(s + at, job->probs, bytes);
    }
    *len = total;
    *json_len = jl;
    return s;
}

char *protocol_classify_response(const char *model_name, const vnn_model *model,
                                 const vnn_model_info *info, const float *probs, int64_t count,
                                 size_t *len)
{
    json_t *p = json_object();
    int64_t best = 0;
    for (int64_t c = 0; p && c < info->classes; c++) {
        const char *name = "?";
        vnn_model_label(model, c, &name);
        json_object_set_new(p, name, json_real((double)probs[c]));
        if (probs[c] > probs[best])
            best = c;
    }
    const char *label = "?";
    vnn_model_label(model, best, &label);
    return dump(json_pack("{s:s, s:s, s:I, s:o}", "model_name", model_name, "label", label,
                          "tokens", (json_int_t)count, "probabilities", p),
                len);
}

char *protocol_metadata(const char *model_name, const vnn_model_info *info, size_t *len)
{
    json_t *inputs, *labels = NULL;
    if (info->family == VNN_MODEL_CNN)
        inputs = json_pack("[{s:s, s:s, s:[i, I, I, I]}]", "name", "images", "datatype", "FP32",
                           "shape", -1, (json_int_t)info->height, (json_int_t)info->width,
                           (json_int_t)info->channels);
    else
        inputs = json_pack("[{s:s, s:s, s:[i, i]}, {s:s, s:s, s:[i], s:{s:b}}]", "name",
                           "input_ids", "datatype", "INT64", "shape", -1, -1, "name", "lengths",
                           "datatype", "INT64", "shape", -1, "parameters", "optional", 1);
    json_t *outputs = json_pack("[{s:s, s:s, s:[i, I]}, {s:s, s:s, s:[i, I]}]", "name", "logits",
                                "datatype", "FP32", "shape", -1, (json_int_t)info->classes,
                                "name", "probabilities", "datatype", "FP32", "shape", -1,
                                (json_int_t)info->classes);
    json_t *r = json_pack("{s:s, s:[s], s:s, s:o, s:o}", "name", model_name, "versions", "1",
                          "platform", "vnn", "inputs", inputs, "outputs", outputs);
    json_t *params = json_pack("{s:s, s:I}", "family", info->family_name, "classes",
                               (json_int_t)info->classes);
    if (r && params && info->family != VNN_MODEL_CNN) {
        json_object_set_new(params, "vocab", json_integer(info->vocab));
        json_object_set_new(params, "max_tokens", json_integer(info->max_tokens));
        if (info->max_sequence < INT64_MAX)
            json_object_set_new(params, "max_sequence", json_integer(info->max_sequence));
    }
    (void)labels;
    if (r && params)
        json_object_set_new(r, "parameters", params);
    else
        json_decref(params);
    return dump(r, len);
}
