/* Seeded random benchmark models as safetensors files (model-weights.h). */
#include "model-weights.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "model-weights.c writes the host's floats as safetensors' little-endian F32"
#endif

/* Bump when the generated contents change, so stale caches are not reused. */
#define WEIGHTS_VERSION 1

enum init { INIT_UNIFORM, INIT_ONES, INIT_ZEROS };

struct tensor {
    char name[80];
    int ndim;
    int64_t dims[4];
    enum init init;
    float bound; /* INIT_UNIFORM: values in [-bound, bound) */
};

#define MAX_TENSORS 80
#define MAX_META 16

struct spec {
    struct tensor t[MAX_TENSORS];
    int n;
    const char *meta_key[MAX_META];
    char *meta_value[MAX_META]; /* malloc'ed */
    int n_meta;
    uint64_t seed;
};

static void add(struct spec *s, const char *name, int ndim, const int64_t *dims, enum init init,
                double fan_in)
{
    struct tensor *t = &s->t[s->n++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    memcpy(t->dims, dims, (size_t)ndim * sizeof *dims);
    t->init = init;
    t->bound = init == INIT_UNIFORM ? (float)(1.0 / sqrt(fan_in)) : 0.0f;
}

/* name.weight [out][in] and name.bias [out], fan_in = in. */
static void dense(struct spec *s, const char *name, int64_t out, int64_t in)
{
    char buf[80];
    snprintf(buf, sizeof buf, "%s.weight", name);
    add(s, buf, 2, (int64_t[]){out, in}, INIT_UNIFORM, (double)in);
    snprintf(buf, sizeof buf, "%s.bias", name);
    add(s, buf, 1, (int64_t[]){out}, INIT_UNIFORM, (double)in);
}

static void conv(struct spec *s, const char *name, int64_t out, int64_t in)
{
    char buf[80];
    snprintf(buf, sizeof buf, "%s.weight", name);
    add(s, buf, 4, (int64_t[]){out, in, 3, 3}, INIT_UNIFORM, (double)(in * 9));
    snprintf(buf, sizeof buf, "%s.bias", name);
    add(s, buf, 1, (int64_t[]){out}, INIT_UNIFORM, (double)(in * 9));
}

static int meta(struct spec *s, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int meta(struct spec *s, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = NULL;
    int r = vasprintf(&v, fmt, ap);
    va_end(ap);
    if (r < 0)
        return -1;
    s->meta_key[s->n_meta] = key;
    s->meta_value[s->n_meta++] = v;
    return 0;
}

/* "name0\nname1\n..." for n classes. */
static int labels(struct spec *s, int64_t classes)
{
    char *buf = malloc((size_t)classes * 24);
    if (!buf)
        return -1;
    size_t at = 0;
    for (int64_t i = 0; i < classes; i++)
        at += (size_t)sprintf(buf + at, "%sclass%lld", i ? "\n" : "", (long long)i);
    s->meta_key[s->n_meta] = "vnn.labels";
    s->meta_value[s->n_meta++] = buf;
    return meta(s, "vnn.classes", "%lld", (long long)classes);
}

/* words-v1 with the words "w2".."w<V-1>" (ids 2..V-1), max_tokens M. */
static int tokenizer(struct spec *s, int64_t V, int64_t M)
{
    char *buf = malloc((size_t)V * 8 + 1);
    if (!buf)
        return -1;
    size_t at = 0;
    buf[0] = '\0';
    for (int64_t id = 2; id < V; id++)
        at += (size_t)sprintf(buf + at, "%sw%lld", id > 2 ? "\n" : "", (long long)id);
    s->meta_key[s->n_meta] = "tokenizer.vocab";
    s->meta_value[s->n_meta++] = buf;
    if (meta(s, "tokenizer.kind", "words-v1") || meta(s, "tokenizer.max_tokens", "%lld",
                                                       (long long)M))
        return -1;
    return 0;
}

static int spec_cnn(struct spec *s)
{
    const int64_t H = 28, W = 28, C = 1, K1 = 32, K2 = 64, K3 = 64, D = 64, classes = 10;
    int64_t h3 = (((H - 2) / 2) - 2) / 2 - 2, w3 = (((W - 2) / 2) - 2) / 2 - 2;
    s->seed = 0x636e6e0000000001u;
    conv(s, "conv1", K1, C);
    conv(s, "conv2", K2, K1);
    conv(s, "conv3", K3, K2);
    dense(s, "fc1", D, h3 * w3 * K3);
    dense(s, "fc2", classes, D);
    return meta(s, "vnn.family", "cnn") || labels(s, classes) ||
           meta(s, "cnn.height", "%lld", (long long)H) ||
           meta(s, "cnn.width", "%lld", (long long)W) ||
           meta(s, "cnn.channels", "%lld", (long long)C) ||
           meta(s, "cnn.conv1", "%lld", (long long)K1) ||
           meta(s, "cnn.conv2", "%lld", (long long)K2) ||
           meta(s, "cnn.conv3", "%lld", (long long)K3) ||
           meta(s, "cnn.dense", "%lld", (long long)D);
}

static int spec_bilstm(struct spec *s)
{
    const int64_t V = 10000, E = 64, H = 64, D = 64, classes = 2, M = 512;
    s->seed = 0x6c73746d00000001u;
    add(s, "embedding.weight", 2, (int64_t[]){V, E}, INIT_UNIFORM, 1.0);
    for (int rev = 0; rev < 2; rev++) {
        const char *sfx = rev ? "_reverse" : "";
        char buf[80];
        snprintf(buf, sizeof buf, "lstm.weight_ih_l0%s", sfx);
        add(s, buf, 2, (int64_t[]){4 * H, E}, INIT_UNIFORM, (double)H); /* as nn.LSTM */
        snprintf(buf, sizeof buf, "lstm.weight_hh_l0%s", sfx);
        add(s, buf, 2, (int64_t[]){4 * H, H}, INIT_UNIFORM, (double)H);
        snprintf(buf, sizeof buf, "lstm.bias_ih_l0%s", sfx);
        add(s, buf, 1, (int64_t[]){4 * H}, INIT_UNIFORM, (double)H);
        snprintf(buf, sizeof buf, "lstm.bias_hh_l0%s", sfx);
        add(s, buf, 1, (int64_t[]){4 * H}, INIT_UNIFORM, (double)H);
    }
    dense(s, "fc1", D, 2 * H);
    dense(s, "fc2", classes, D);
    return meta(s, "vnn.family", "bilstm") || labels(s, classes) ||
           meta(s, "bilstm.vocab", "%lld", (long long)V) ||
           meta(s, "bilstm.embed", "%lld", (long long)E) ||
           meta(s, "bilstm.hidden", "%lld", (long long)H) ||
           meta(s, "bilstm.dense", "%lld", (long long)D) || tokenizer(s, V, M);
}

static int spec_transformer(struct spec *s)
{
    const int64_t V = 10000, d = 256, heads = 4, F = 1024, L = 4, P = 512, classes = 2;
    s->seed = 0x7466726d00000001u;
    add(s, "tok_emb.weight", 2, (int64_t[]){V, d}, INIT_UNIFORM, 1.0);
    add(s, "pos_emb.weight", 2, (int64_t[]){P, d}, INIT_UNIFORM, 1.0);
    for (int64_t i = 0; i < L; i++) {
        char buf[80];
        snprintf(buf, sizeof buf, "encoder.layers.%lld.self_attn.in_proj_weight", (long long)i);
        add(s, buf, 2, (int64_t[]){3 * d, d}, INIT_UNIFORM, (double)d);
        snprintf(buf, sizeof buf, "encoder.layers.%lld.self_attn.in_proj_bias", (long long)i);
        add(s, buf, 1, (int64_t[]){3 * d}, INIT_UNIFORM, (double)d);
        snprintf(buf, sizeof buf, "encoder.layers.%lld.self_attn.out_proj", (long long)i);
        dense(s, buf, d, d);
        snprintf(buf, sizeof buf, "encoder.layers.%lld.linear1", (long long)i);
        dense(s, buf, F, d);
        snprintf(buf, sizeof buf, "encoder.layers.%lld.linear2", (long long)i);
        dense(s, buf, d, F);
        for (int k = 1; k <= 2; k++) {
            snprintf(buf, sizeof buf, "encoder.layers.%lld.norm%d.weight", (long long)i, k);
            add(s, buf, 1, (int64_t[]){d}, INIT_ONES, 0);
            snprintf(buf, sizeof buf, "encoder.layers.%lld.norm%d.bias", (long long)i, k);
            add(s, buf, 1, (int64_t[]){d}, INIT_ZEROS, 0);
        }
    }
    dense(s, "classifier", classes, d);
    return meta(s, "vnn.family", "transformer") || labels(s, classes) ||
           meta(s, "transformer.vocab", "%lld", (long long)V) ||
           meta(s, "transformer.d_model", "%lld", (long long)d) ||
           meta(s, "transformer.heads", "%lld", (long long)heads) ||
           meta(s, "transformer.ffn", "%lld", (long long)F) ||
           meta(s, "transformer.layers", "%lld", (long long)L) ||
           meta(s, "transformer.max_positions", "%lld", (long long)P) ||
           meta(s, "transformer.layernorm_eps", "1e-05") || tokenizer(s, V, P);
}

static void spec_free(struct spec *s)
{
    for (int i = 0; i < s->n_meta; i++)
        free(s->meta_value[i]);
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static int64_t count(const struct tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->dims[i];
    return n;
}

/* The JSON header, padded with spaces to a multiple of 8 bytes. */
static char *header_json(const struct spec *s, size_t *len)
{
    json_t *root = json_object(), *md = json_object();
    if (!root || !md) {
        json_decref(root), json_decref(md);
        return NULL;
    }
    json_object_set_new(root, "__metadata__", md);
    for (int i = 0; i < s->n_meta; i++)
        json_object_set_new(md, s->meta_key[i], json_string(s->meta_value[i]));
    int64_t offset = 0;
    for (int i = 0; i < s->n; i++) {
        const struct tensor *t = &s->t[i];
        json_t *shape = json_array();
        for (int k = 0; k < t->ndim; k++)
            json_array_append_new(shape, json_integer(t->dims[k]));
        int64_t end = offset + count(t) * (int64_t)sizeof(float);
        json_object_set_new(root, t->name,
                            json_pack("{s:s, s:o, s:[I, I]}", "dtype", "F32", "shape", shape,
                                      "data_offsets", (json_int_t)offset, (json_int_t)end));
        offset = end;
    }
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(root);
    if (!text)
        return NULL;
    size_t n = strlen(text), padded = (n + 7) & ~(size_t)7;
    char *out = realloc(text, padded + 1);
    if (!out) {
        free(text);
        return NULL;
    }
    memset(out + n, ' ', padded - n);
    out[padded] = '\0';
    *len = padded;
    return out;
}

static int write_file(const struct spec *s, const char *path)
{
    size_t hlen;
    char *header = header_json(s, &hlen);
    if (!header) {
        fprintf(stderr, "vnn-bench: %s: could not build the JSON header\n", path);
        return -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "vnn-bench: cannot create %s: %s\n", path, strerror(errno));
        free(header);
        return -1;
    }
    uint64_t len = hlen; /* little-endian, as checked above */
    bool ok = fwrite(&len, sizeof len, 1, f) == 1 && fwrite(header, 1, hlen, f) == hlen;
    free(header);
    uint64_t rng = s->seed;
    float buf[4096];
    for (int i = 0; ok && i < s->n; i++) {
        const struct tensor *t = &s->t[i];
        for (int64_t left = count(t); ok && left > 0;) {
            size_t n = left < 4096 ? (size_t)left : 4096;
            for (size_t k = 0; k < n; k++) {
                if (t->init == INIT_UNIFORM) { /* [-b, b) in 2^-24 steps */
                    float u = (float)(splitmix64(&rng) >> 40) * 0x1p-24f;
                    buf[k] = t->bound * (2.0f * u - 1.0f);
                } else {
                    buf[k] = t->init == INIT_ONES ? 1.0f : 0.0f;
                }
            }
            ok = fwrite(buf, sizeof(float), n, f) == n;
            left -= (int64_t)n;
        }
    }
    if (fclose(f) != 0)
        ok = false;
    if (!ok) {
        fprintf(stderr, "vnn-bench: writing %s failed: %s\n", path, strerror(errno));
        remove(path);
        return -1;
    }
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                fprintf(stderr, "vnn-bench: cannot create %s: %s\n", buf, strerror(errno));
                return -1;
            }
            if (end)
                return 0;
            *p = '/';
        }
    }
}

int vb_model_weights_file(const char *dir, const char *family, char *path, size_t size)
{
    if (snprintf(path, size, "%s/%s-bench-v%d.safetensors", dir, family, WEIGHTS_VERSION) >=
        (int)size) {
        fprintf(stderr, "vnn-bench: weights path too long\n");
        return -1;
    }
    if (access(path, R_OK) == 0)
        return 0;
    struct spec *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    int r = strcmp(family, "cnn") == 0           ? spec_cnn(s)
            : strcmp(family, "bilstm") == 0      ? spec_bilstm(s)
            : strcmp(family, "transformer") == 0 ? spec_transformer(s)
                                                 : -1;
    if (r != 0)
        fprintf(stderr, "vnn-bench: no model \"%s\" (or out of memory)\n", family);
    char tmp[4200];
    if (r == 0 && snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        r = -1;
    if (r == 0)
        r = make_dirs(dir);
    if (r == 0)
        r = write_file(s, tmp);
    if (r == 0 && rename(tmp, path) != 0) {
        fprintf(stderr, "vnn-bench: cannot rename %s to %s: %s\n", tmp, path, strerror(errno));
        remove(tmp);
        r = -1;
    }
    if (r == 0)
        fprintf(stderr, "vnn-bench: wrote %s\n", path);
    spec_free(s);
    free(s);
    return r;
}
