/* The BiLSTM text classifier:
 *   embedding -> bidirectional LSTM (each sequence at its own length)
 *   -> [final h forward, final h reverse] -> fc1 + ReLU -> fc2 -> logits.
 * The LSTM plan packs both directions once at load. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "models/model-internal.h"
#include "vnn/lstm.h"
#include "vnn/ops.h"

struct bilstm {
    int64_t V, E, H, D;
    float *embedding; /* [V][E] */
    vnn_lstm_plan *lstm;
    struct vnn_dense fc1, fc2;
};

static void bilstm_destroy(void *layers)
{
    struct bilstm *b = layers;
    vnn_aligned_free(b->embedding);
    vnn_lstm_plan_destroy(b->lstm);
    vnn_dense_free(&b->fc1);
    vnn_dense_free(&b->fc2);
    free(b);
}

static vnn_status load_lstm(const struct vnn_st_file *f, struct bilstm *b)
{
    static const char *const suffix[2] = {"", "_reverse"};
    static const char *const part[4] = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
    const int64_t G = 4 * b->H;
    const int64_t shapes[4][2] = {{G, b->E}, {G, b->H}, {G, 0}, {G, 0}};
    float *w[2][4] = {{NULL}};
    vnn_status st = VNN_OK;
    for (int d = 0; d < 2 && st == VNN_OK; d++)
        for (int p = 0; p < 4 && st == VNN_OK; p++) {
            char name[64];
            snprintf(name, sizeof name, "lstm.%s_l0%s", part[p], suffix[d]);
            st = vnn_load_floats(f, name, p < 2 ? 2 : 1, shapes[p], &w[d][p]);
        }
    if (st == VNN_OK) {
        vnn_lstm_desc desc = {.input_size = b->E, .hidden_size = b->H, .bidirectional = true};
        vnn_lstm_weights lw[2];
        for (int d = 0; d < 2; d++)
            lw[d] = (vnn_lstm_weights){w[d][0], w[d][1], w[d][2], w[d][3]};
        if ((st = vnn_lstm_plan_create(&desc, lw, &b->lstm)) != VNN_OK)
            vnn_error(st, "lstm: cannot plan: %s", vnn_status_str(st));
    }
    for (int d = 0; d < 2; d++)
        for (int p = 0; p < 4; p++)
            vnn_aligned_free(w[d][p]);
    return st;
}

static vnn_status bilstm_build(struct vnn_model *m, const struct vnn_st_file *f)
{
    struct bilstm *b = calloc(1, sizeof *b);
    if (!b)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the bilstm");
    m->layers = b;
    vnn_status st;
    if ((st = vnn_meta_int(f, "bilstm.vocab", 3, 1 << 24, &b->V)) != VNN_OK ||
        (st = vnn_meta_int(f, "bilstm.embed", 1, 1 << 14, &b->E)) != VNN_OK ||
        (st = vnn_meta_int(f, "bilstm.hidden", 1, 1 << 14, &b->H)) != VNN_OK ||
        (st = vnn_meta_int(f, "bilstm.dense", 1, 1 << 14, &b->D)) != VNN_OK)
        return st;
    m->info.vocab = b->V;
    m->info.max_sequence = INT64_MAX;
    if ((st = vnn_load_floats(f, "embedding.weight", 2, (int64_t[]){b->V, b->E},
                              &b->embedding)) != VNN_OK ||
        (st = load_lstm(f, b)) != VNN_OK ||
        (st = vnn_dense_load(f, "fc1", 2 * b->H, b->D, &b->fc1)) != VNN_OK ||
        (st = vnn_dense_load(f, "fc2", b->D, m->info.classes, &b->fc2)) != VNN_OK ||
        (st = vnn_tokenizer_load(f, b->V, &m->tokenizer)) != VNN_OK)
        return st;
    m->info.max_tokens = vnn_tokenizer_max_tokens(m->tokenizer);
    return VNN_OK;
}

/* x [N][T][E], y [N][T][2H], hn [2][N][H], features [N][2H], hidden [N][D]. */
static size_t bilstm_buffer_floats(const struct vnn_model *m, int64_t N, int64_t T)
{
    const struct bilstm *b = m->layers;
    size_t nt, per_token = (size_t)(b->E + 2 * b->H), per_seq = (size_t)(4 * b->H + b->D),
               total, rest;
    if (!vnn_mul_size((size_t)N, (size_t)T, &nt) || !vnn_mul_size(nt, per_token, &total) ||
        !vnn_mul_size((size_t)N, per_seq, &rest) || !vnn_add_size(total, rest, &total))
        return 0;
    return total;
}

static vnn_status bilstm_forward(const struct vnn_model *m, float *buf, int64_t N, int64_t T,
                                 const void *input, const int64_t *lengths, float *logits)
{
    const struct bilstm *b = m->layers;
    const int64_t *ids = input, H = b->H;
    float *x = buf, *y = x + N * T * b->E, *hn = y + N * T * 2 * H, *feat = hn + 2 * N * H,
          *hidden = feat + N * 2 * H;
    vnn_status st = VNN_OK;
    for (int64_t n = 0; n < N && st == VNN_OK; n++) {
        int64_t len = lengths ? lengths[n] : T;
        float *row = x + n * T * b->E;
        st = vnn_embedding(len, ids + n * T, b->V, b->E, b->embedding, row);
        /* Steps past the length are never read; keep them defined anyway. */
        memset(row + len * b->E, 0, (size_t)((T - len) * b->E) * sizeof(float));
    }
    if (st == VNN_OK)
        st = vnn_lstm_plan_run(b->lstm, T, N, true, x, lengths, NULL, NULL, y, hn, NULL);
    if (st != VNN_OK)
        return vnn_error(st, "bilstm forward pass: %s", vnn_status_str(st));
    for (int64_t n = 0; n < N; n++) {
        memcpy(feat + n * 2 * H, hn + n * H, (size_t)H * sizeof(float));
        memcpy(feat + n * 2 * H + H, hn + (N + n) * H, (size_t)H * sizeof(float));
    }
    if ((st = vnn_dense_run(&b->fc1, N, feat, 2 * H, hidden, 1)) != VNN_OK ||
        (st = vnn_dense_run(&b->fc2, N, hidden, b->D, logits, 0)) != VNN_OK)
        return vnn_error(st, "bilstm forward pass: %s", vnn_status_str(st));
    return VNN_OK;
}

const struct vnn_model_family_ops vnn_bilstm_family = {
    .name = "bilstm",
    .family = VNN_MODEL_BILSTM,
    .build = bilstm_build,
    .destroy = bilstm_destroy,
    .buffer_floats = bilstm_buffer_floats,
    .forward = bilstm_forward,
};
