/* The Transformer encoder classifier (BERT-like, post-LayerNorm):
 *   x = tok_emb[ids] + pos_emb[t]
 *   per layer: x = norm1(x + out_proj(attention(q, k, v)))
 *              x = norm2(x + linear2(gelu(linear1(x))))
 *   logits = classifier(mean of x over the valid tokens)
 * The valid tokens of the batch are packed into rows (no padding rows are
 * computed); attention runs per sequence on its own rows, so key padding
 * is simply the sequence's length. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "models/model-internal.h"
#include "vnn/attention.h"
#include "vnn/ops.h"

struct encoder_layer {
    struct vnn_dense q, k, v, out, ffn1, ffn2;
    float *norm1_w, *norm1_b, *norm2_w, *norm2_b;
};

struct transformer {
    int64_t V, d, heads, F, L, P;
    float eps;
    float *tok_emb; /* [V][d] */
    float *pos_emb; /* [P][d] */
    struct encoder_layer *layers;
    struct vnn_dense classifier;
};

static void transformer_destroy(void *p)
{
    struct transformer *t = p;
    for (int64_t i = 0; t->layers && i < t->L; i++) {
        struct encoder_layer *l = &t->layers[i];
        struct vnn_dense *dense[] = {&l->q, &l->k, &l->v, &l->out, &l->ffn1, &l->ffn2};
        for (size_t j = 0; j < sizeof dense / sizeof *dense; j++)
            vnn_dense_free(dense[j]);
        vnn_aligned_free(l->norm1_w);
        vnn_aligned_free(l->norm1_b);
        vnn_aligned_free(l->norm2_w);
        vnn_aligned_free(l->norm2_b);
    }
    free(t->layers);
    vnn_aligned_free(t->tok_emb);
    vnn_aligned_free(t->pos_emb);
    vnn_dense_free(&t->classifier);
    free(t);
}

/* PyTorch's fused in_proj [3d][d] (rows q, k, v) as three dense layers, so
 * each projection lands in its own [rows][d] buffer, the layout attention
 * reads. */
static vnn_status load_in_proj(const struct vnn_st_file *f, const char *prefix, int64_t d,
                               struct encoder_layer *l)
{
    char wname[128], bname[128];
    snprintf(wname, sizeof wname, "%s.self_attn.in_proj_weight", prefix);
    snprintf(bname, sizeof bname, "%s.self_attn.in_proj_bias", prefix);
    float *w = NULL, *b = NULL;
    vnn_status st = vnn_load_floats(f, wname, 2, (int64_t[]){3 * d, d}, &w);
    if (st == VNN_OK)
        st = vnn_load_floats(f, bname, 1, (int64_t[]){3 * d}, &b);
    struct vnn_dense *proj[3] = {&l->q, &l->k, &l->v};
    for (int i = 0; i < 3 && st == VNN_OK; i++) {
        *proj[i] = (struct vnn_dense){.in = d, .out = d};
        size_t bytes = (size_t)d * sizeof(float);
        if (!(proj[i]->b = vnn_aligned_alloc(bytes))) {
            st = vnn_error(VNN_ERR_OUT_OF_MEMORY, "%s: no memory", bname);
            break;
        }
        memcpy(proj[i]->b, b + i * d, bytes);
        if ((st = vnn_sgemm_pack_b(VNN_TRANS, d, d, w + i * d * d, d, &proj[i]->w)) != VNN_OK)
            vnn_error(st, "%s: packing failed: %s", wname, vnn_status_str(st));
    }
    vnn_aligned_free(w);
    vnn_aligned_free(b);
    return st;
}

static vnn_status load_layer(const struct vnn_st_file *f, const struct transformer *t,
                             int64_t i, struct encoder_layer *l)
{
    char prefix[64], name[128];
    snprintf(prefix, sizeof prefix, "encoder.layers.%lld", (long long)i);
    vnn_status st = load_in_proj(f, prefix, t->d, l);
#define DENSE(field, suffix, in, out)                                                     \
    if (st == VNN_OK) {                                                                   \
        snprintf(name, sizeof name, "%s.%s", prefix, suffix);                             \
        st = vnn_dense_load(f, name, in, out, &l->field);                                 \
    }
    DENSE(out, "self_attn.out_proj", t->d, t->d)
    DENSE(ffn1, "linear1", t->d, t->F)
    DENSE(ffn2, "linear2", t->F, t->d)
#undef DENSE
    const char *norm[4] = {"norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"};
    float **dst[4] = {&l->norm1_w, &l->norm1_b, &l->norm2_w, &l->norm2_b};
    for (int j = 0; j < 4 && st == VNN_OK; j++) {
        snprintf(name, sizeof name, "%s.%s", prefix, norm[j]);
        st = vnn_load_floats(f, name, 1, (int64_t[]){t->d}, dst[j]);
    }
    return st;
}

static vnn_status transformer_build(struct vnn_model *m, const struct vnn_st_file *f)
{
    struct transformer *t = calloc(1, sizeof *t);
    if (!t)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the transformer");
    m->layers = t;
    vnn_status st;
    if ((st = vnn_meta_int(f, "transformer.vocab", 3, 1 << 24, &t->V)) != VNN_OK ||
        (st = vnn_meta_int(f, "transformer.d_model", 1, 1 << 14, &t->d)) != VNN_OK ||
        (st = vnn_meta_int(f, "transformer.heads", 1, t->d, &t->heads)) != VNN_OK ||
        (st = vnn_meta_int(f, "transformer.ffn", 1, 1 << 16, &t->F)) != VNN_OK ||
        (st = vnn_meta_int(f, "transformer.layers", 1, 256, &t->L)) != VNN_OK ||
        (st = vnn_meta_int(f, "transformer.max_positions", 1, 1 << 16, &t->P)) != VNN_OK ||
        (st = vnn_meta_float(f, "transformer.layernorm_eps", 0.0, 1.0, &t->eps)) != VNN_OK)
        return st;
    if (t->d % t->heads != 0)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "metadata transformer.d_model %lld is not a multiple of "
                         "transformer.heads %lld",
                         (long long)t->d, (long long)t->heads);
    m->info.vocab = t->V;
    m->info.max_sequence = t->P;
    if (!(t->layers = calloc((size_t)t->L, sizeof *t->layers)))
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the layers");
    if ((st = vnn_load_floats(f, "tok_emb.weight", 2, (int64_t[]){t->V, t->d}, &t->tok_emb)) !=
            VNN_OK ||
        (st = vnn_load_floats(f, "pos_emb.weight", 2, (int64_t[]){t->P, t->d}, &t->pos_emb)) !=
            VNN_OK)
        return st;
    for (int64_t i = 0; i < t->L; i++)
        if ((st = load_layer(f, t, i, &t->layers[i])) != VNN_OK)
            return st;
    if ((st = vnn_dense_load(f, "classifier", t->d, m->info.classes, &t->classifier)) !=
            VNN_OK ||
        (st = vnn_tokenizer_load(f, t->V, &m->tokenizer)) != VNN_OK)
        return st;
    m->info.max_tokens = vnn_tokenizer_max_tokens(m->tokenizer);
    return VNN_OK;
}

/* Row offsets and lengths (2N int64), then for R <= N * T rows: x, q, k,
 * v, attention out, projection [R][d] each, the FFN's hidden [R][F]. */
static size_t transformer_buffer_floats(const struct vnn_model *m, int64_t N, int64_t T)
{
    const struct transformer *t = m->layers;
    size_t rows, total;
    if (!vnn_mul_size((size_t)N, (size_t)T, &rows) ||
        !vnn_mul_size(rows, (size_t)(5 * t->d + t->F), &total) ||
        !vnn_add_size(total, vnn_round_up((size_t)N * 4, 16), &total))
        return 0;
    return total;
}

/* One encoder layer over R packed rows in x (updated in place). */
static vnn_status encoder_layer_run(const struct transformer *t, const struct encoder_layer *l,
                                    int64_t N, const int64_t *len, const int64_t *start,
                                    int64_t R, float *x, float *q, float *k, float *v,
                                    float *a, float *h)
{
    const int64_t d = t->d;
    vnn_status st;
    if ((st = vnn_dense_run(&l->q, R, x, d, q, 0)) != VNN_OK ||
        (st = vnn_dense_run(&l->k, R, x, d, k, 0)) != VNN_OK ||
        (st = vnn_dense_run(&l->v, R, x, d, v, 0)) != VNN_OK)
        return st;
    for (int64_t n = 0; n < N; n++) {
        vnn_attention_params p = {.N = 1, .Sq = len[n], .Sk = len[n], .Hq = t->heads,
                                  .Hkv = t->heads, .D = d / t->heads};
        const int64_t off = start[n] * d;
        if ((st = vnn_attention(&p, q + off, k + off, v + off, a + off, NULL, 0)) != VNN_OK)
            return st;
    }
    if ((st = vnn_dense_run_residual(&l->out, R, a, d, x)) != VNN_OK ||
        (st = vnn_layernorm(R, d, x, l->norm1_w, l->norm1_b, t->eps, x)) != VNN_OK ||
        (st = vnn_dense_run(&l->ffn1, R, x, d, h, 0)) != VNN_OK ||
        (st = vnn_gelu(VNN_GELU_ERF, R * t->F, h, h)) != VNN_OK ||
        (st = vnn_dense_run_residual(&l->ffn2, R, h, t->F, x)) != VNN_OK ||
        (st = vnn_layernorm(R, d, x, l->norm2_w, l->norm2_b, t->eps, x)) != VNN_OK)
        return st;
    return VNN_OK;
}

static vnn_status transformer_forward(const struct vnn_model *m, float *buf, int64_t N,
                                      int64_t T, const void *input, const int64_t *lengths,
                                      float *logits)
{
    const struct transformer *t = m->layers;
    const int64_t *ids = input, d = t->d;
    const int64_t cap = N * T;
    /* Sequence n occupies rows [start[n], start[n] + len[n]). */
    int64_t *start = (int64_t *)(void *)buf, *len = start + N;
    float *x = buf + vnn_round_up((size_t)(4 * N), 16), *q = x + cap * d, *k = q + cap * d,
          *v = k + cap * d, *a = v + cap * d, *h = a + cap * d;
    int64_t R = 0;
    vnn_status st = VNN_OK;
    for (int64_t n = 0; n < N && st == VNN_OK; n++) {
        int64_t len = lengths ? lengths[n] : T;
        float *rows = x + R * d;
        st = vnn_embedding(len, ids + n * T, t->V, d, t->tok_emb, rows);
        if (st == VNN_OK)
            st = vnn_add(len * d, rows, t->pos_emb, rows);
        R += len;
    }
    if (st != VNN_OK)
        return vnn_error(st, "transformer embedding: %s", vnn_status_str(st));
    for (int64_t n = 0, r = 0; n < N; n++) {
        len[n] = lengths ? lengths[n] : T;
        start[n] = r;
        r += len[n];
    }
    for (int64_t i = 0; i < t->L && st == VNN_OK; i++)
        st = encoder_layer_run(t, &t->layers[i], N, len, start, R, x, q, k, v, a, h);
    if (st != VNN_OK)
        return vnn_error(st, "transformer layer: %s", vnn_status_str(st));
    /* Mean over each sequence's rows, into q (free now), then the head. */
    for (int64_t n = 0; n < N; n++) {
        float *p = q + n * d;
        const float *rows = x + start[n] * d;
        for (int64_t c = 0; c < d; c++)
            p[c] = 0.0f;
        for (int64_t r = 0; r < len[n]; r++)
            for (int64_t c = 0; c < d; c++)
                p[c] += rows[r * d + c];
        const float inv = 1.0f / (float)len[n];
        for (int64_t c = 0; c < d; c++)
            p[c] *= inv;
    }
    if ((st = vnn_dense_run(&t->classifier, N, q, d, logits, 0)) != VNN_OK)
        return vnn_error(st, "transformer classifier: %s", vnn_status_str(st));
    return VNN_OK;
}

/* About 512 rows at a time: a chunk's activations (~2.6 K floats a row at
 * the benchmark size) then stay in the last-level cache between layers
 * instead of streaming from memory, as a whole 64 x 128-token batch
 * (84 MB) would. */
static int64_t transformer_chunk_samples(const struct vnn_model *m, int64_t T)
{
    (void)m;
    return T >= 512 ? 1 : 512 / T;
}

const struct vnn_model_family_ops vnn_transformer_family = {
    .name = "transformer",
    .family = VNN_MODEL_TRANSFORMER,
    .build = transformer_build,
    .destroy = transformer_destroy,
    .buffer_floats = transformer_buffer_floats,
    .chunk_samples = transformer_chunk_samples,
    .forward = transformer_forward,
};
