#include "tiny-models.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const tiny_families[] = {"cnn", "bilstm", "transformer", NULL};

/* The tensors before they are laid out: names, shapes, values. */
struct tensor {
    char name[160];
    int ndim;
    int64_t shape[4];
};

struct builder {
    json_t *header, *meta;
    struct tensor t[64];
    int n;
    int half;
};

static void add(struct builder *b, const char *name, int ndim, int64_t d0, int64_t d1,
                int64_t d2, int64_t d3)
{
    if (b->n == (int)(sizeof b->t / sizeof *b->t))
        abort();
    struct tensor *t = &b->t[b->n++];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    int64_t d[4] = {d0, d1, d2, d3};
    memcpy(t->shape, d, sizeof d);
}

static void meta(struct builder *b, const char *key, const char *value)
{
    json_object_set_new(b->meta, key, json_string(value));
}

static void meta_int(struct builder *b, const char *key, long v)
{
    char s[32];
    snprintf(s, sizeof s, "%ld", v);
    meta(b, key, s);
}

static void dense(struct builder *b, const char *prefix, int64_t in, int64_t out)
{
    char name[96];
    snprintf(name, sizeof name, "%s.weight", prefix);
    add(b, name, 2, out, in, 0, 0);
    snprintf(name, sizeof name, "%s.bias", prefix);
    add(b, name, 1, out, 0, 0, 0);
}

static void tokenizer(struct builder *b, int64_t V)
{
    static const char *const words[] = {"free", "money", "hello", "win", "meeting", "now"};
    char vocab[256] = "";
    for (int64_t i = 0; i < V - 2; i++) {
        if (i)
            strcat(vocab, "\n");
        strcat(vocab, words[i]);
    }
    meta(b, "tokenizer.kind", "words-v1");
    meta_int(b, "tokenizer.max_tokens", 8);
    meta(b, "tokenizer.vocab", vocab);
}

static void cnn(struct builder *b)
{
    /* 22x22: 20, 10, 8, 4, 2 (the smallest input three convs and two pools take). */
    meta(b, "cnn.height", "22");
    meta(b, "cnn.width", "22");
    meta(b, "cnn.channels", "1");
    meta(b, "cnn.conv1", "2");
    meta(b, "cnn.conv2", "3");
    meta(b, "cnn.conv3", "2");
    meta(b, "cnn.dense", "4");
    const int64_t C_in[3] = {1, 2, 3}, C_out[3] = {2, 3, 2};
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "conv%d.weight", i + 1);
        add(b, name, 4, C_out[i], C_in[i], 3, 3);
        snprintf(name, sizeof name, "conv%d.bias", i + 1);
        add(b, name, 1, C_out[i], 0, 0, 0);
    }
    dense(b, "fc1", 2 * 2 * 2, 4);
    dense(b, "fc2", 4, 2);
}

static void bilstm(struct builder *b)
{
    const int64_t V = 6, E = 3, H = 4, D = 5;
    meta_int(b, "bilstm.vocab", V);
    meta_int(b, "bilstm.embed", E);
    meta_int(b, "bilstm.hidden", H);
    meta_int(b, "bilstm.dense", D);
    tokenizer(b, V);
    add(b, "embedding.weight", 2, V, E, 0, 0);
    static const char *const suffix[2] = {"", "_reverse"};
    for (int d = 0; d < 2; d++) {
        char name[64];
        snprintf(name, sizeof name, "lstm.weight_ih_l0%s", suffix[d]);
        add(b, name, 2, 4 * H, E, 0, 0);
        snprintf(name, sizeof name, "lstm.weight_hh_l0%s", suffix[d]);
        add(b, name, 2, 4 * H, H, 0, 0);
        snprintf(name, sizeof name, "lstm.bias_ih_l0%s", suffix[d]);
        add(b, name, 1, 4 * H, 0, 0, 0);
        snprintf(name, sizeof name, "lstm.bias_hh_l0%s", suffix[d]);
        add(b, name, 1, 4 * H, 0, 0, 0);
    }
    dense(b, "fc1", 2 * H, D);
    dense(b, "fc2", D, 2);
}

static void transformer(struct builder *b)
{
    const int64_t V = 7, d = 4, F = 6, L = 2, P = 8;
    meta_int(b, "transformer.vocab", V);
    meta_int(b, "transformer.d_model", d);
    meta_int(b, "transformer.heads", 2);
    meta_int(b, "transformer.ffn", F);
    meta_int(b, "transformer.layers", L);
    meta_int(b, "transformer.max_positions", P);
    meta(b, "transformer.layernorm_eps", "1e-05");
    tokenizer(b, V);
    add(b, "tok_emb.weight", 2, V, d, 0, 0);
    add(b, "pos_emb.weight", 2, P, d, 0, 0);
    for (int64_t i = 0; i < L; i++) {
        char p[64], name[128];
        snprintf(p, sizeof p, "encoder.layers.%d", (int)i);
        snprintf(name, sizeof name, "%s.self_attn.in_proj_weight", p);
        add(b, name, 2, 3 * d, d, 0, 0);
        snprintf(name, sizeof name, "%s.self_attn.in_proj_bias", p);
        add(b, name, 1, 3 * d, 0, 0, 0);
        snprintf(name, sizeof name, "%s.self_attn.out_proj", p);
        dense(b, name, d, d);
        snprintf(name, sizeof name, "%s.linear1", p);
        dense(b, name, d, F);
        snprintf(name, sizeof name, "%s.linear2", p);
        dense(b, name, F, d);
        static const char *const norms[] = {"norm1.weight", "norm1.bias", "norm2.weight",
                                            "norm2.bias"};
        for (int j = 0; j < 4; j++) {
            snprintf(name, sizeof name, "%s.%s", p, norms[j]);
            add(b, name, 1, d, 0, 0, 0);
        }
    }
    dense(b, "classifier", d, 2);
}

/* float -> IEEE half, round to nearest even (normal range is all we need). */
static uint16_t to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    int32_t e = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t m = x & 0x7fffffu;
    if (e <= 0)
        return (uint16_t)sign; /* tiny: zero is close enough for weights */
    uint32_t h = sign | (uint32_t)e << 10 | m >> 13, rest = m & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1)))
        h++;
    return (uint16_t)h;
}

static unsigned char *layout(struct builder *b, size_t *size)
{
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    size_t offset = 0;
    size_t elem[64];
    for (int i = 0; i < b->n; i++) {
        struct tensor *t = &b->t[i];
        int kind = b->half ? i % 3 : 0; /* 0 F32, 1 F16, 2 BF16 */
        static const char *const names[] = {"F32", "F16", "BF16"};
        elem[i] = kind ? 2 : 4;
        size_t count = 1;
        json_t *shape = json_array();
        for (int k = 0; k < t->ndim; k++) {
            count *= (size_t)t->shape[k];
            json_array_append_new(shape, json_integer(t->shape[k]));
        }
        json_t *entry = json_pack("{s:s, s:o, s:[I, I]}", "dtype", names[kind], "shape",
                                  shape, "data_offsets", (json_int_t)offset,
                                  (json_int_t)(offset + count * elem[i]));
        json_object_set_new(b->header, t->name, entry);
        offset += count * elem[i];
    }
    json_object_set(b->header, "__metadata__", b->meta);
    char *text = json_dumps(b->header, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    unsigned char *out = malloc(8 + n + offset);
    if (!out) {
        free(text);
        return NULL;
    }
    for (int i = 0; i < 8; i++)
        out[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(out + 8, text, n);
    free(text);
    unsigned char *p = out + 8 + n;
    for (int i = 0; i < b->n; i++) {
        size_t count = 1;
        for (int k = 0; k < b->t[i].ndim; k++)
            count *= (size_t)b->t[i].shape[k];
        int kind = b->half ? i % 3 : 0;
        for (size_t j = 0; j < count; j++) {
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            /* Small weights in [-0.5, 0.5), norm gains near 1. */
            float v = (float)((rng >> 40) & 0xffff) / 65536.0f - 0.5f;
            if (strstr(b->t[i].name, "norm") && strstr(b->t[i].name, "weight"))
                v += 1.0f;
            if (kind == 0) {
                memcpy(p, &v, 4);
            } else {
                uint16_t h;
                if (kind == 1) {
                    h = to_f16(v);
                } else {
                    uint32_t x;
                    memcpy(&x, &v, 4);
                    h = (uint16_t)(x >> 16);
                }
                p[0] = (unsigned char)h;
                p[1] = (unsigned char)(h >> 8);
            }
            p += elem[i];
        }
    }
    *size = 8 + n + offset;
    return out;
}

unsigned char *tiny_model(const char *family, int half, size_t *size)
{
    struct builder b = {.header = json_object(), .meta = json_object(), .half = half};
    unsigned char *out = NULL;
    if (!b.header || !b.meta)
        goto done;
    meta(&b, "vnn.family", family);
    meta(&b, "vnn.classes", "2");
    meta(&b, "vnn.labels", "ham\nspam");
    if (strcmp(family, "cnn") == 0)
        cnn(&b);
    else if (strcmp(family, "bilstm") == 0)
        bilstm(&b);
    else if (strcmp(family, "transformer") == 0)
        transformer(&b);
    else
        goto done;
    out = layout(&b, size);
done:
    json_decref(b.header);
    json_decref(b.meta);
    return out;
}
