/* Concurrency: every op, and one shared loaded model of each family, run
 * from 8 threads at once, each with its own outputs (the inputs, packed
 * weights, plans and models are shared, read-only), and every result must
 * be bit for bit the single-threaded one. A ninth thread keeps changing
 * vnn_set_num_threads() while the others compute (results do not depend on
 * the thread count, so they must not change). Built as usual it checks
 * results; built with ThreadSanitizer (tools/ci/tsan.sh) it also checks
 * for data races in vnn's code, OpenMP's synchronisation described to
 * TSan by LLVM's Archer tool. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tiny-models.h"
#include "vnn/vnn.h"
#include "vt.h"

#define THREADS 8

/* Shared inputs: small integers (exact sums) or small fractions, in
 * read-only guarded buffers. */
static float *input(size_t n, int seed)
{
    float *x = vt_alloc_floats(n);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((int)((i * 7 + (size_t)seed * 13) % 9) - 4) * 0.25f;
    vt_readonly(x);
    return x;
}

struct shared {
    float *A, *B, *bias, *img, *w3, *wdw, *seq, *q, *k, *v, *rows, *gamma, *beta, *table;
    vnn_packed_b *packed;
    vnn_conv2d_plan *conv, *dw;
    vnn_lstm_plan *lstm;
    float *lstm_w[2][4];
    vnn_model *model[3];
};

static struct shared S;

/* Sizes (kept small so TSan runs fast, large enough for several threads'
 * work in every driver). */
enum { GM = 50, GN = 70, GK = 90 };
enum { CN = 2, CH = 12, CW = 13, CC = 8, CK = 16 };
enum { LT = 6, LN = 3, LI = 5, LH = 20 };
enum { AN = 2, AS = 16, AH = 4, AD = 32 };
enum { RR = 9, RC = 100, VOCAB = 30 };

static const vnn_pool2d_params pool3 = {.kernel_h = 3, .kernel_w = 3, .stride_h = 2,
                                        .stride_w = 2, .pad_top = 1, .pad_bottom = 1,
                                        .pad_left = 1, .pad_right = 1, .ceil_mode = true};

static vnn_conv2d_desc conv_desc(bool depthwise)
{
    return (vnn_conv2d_desc){.N = CN, .H = CH, .W = CW, .C_in = CC,
                             .C_out = depthwise ? CC : CK, .kernel_h = 3, .kernel_w = 3,
                             .stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
                             .pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
                             .groups = depthwise ? CC : 1, .act = VNN_ACT_RELU};
}

/* One op: writes its result to out (at most OUT_MAX floats). */
#define OUT_MAX (GM * GN > CN * CH * CW * CK ? GM * GN : CN * CH * CW * CK)
struct op {
    const char *name;
    size_t n; /* floats written */
    vnn_status (*run)(float *out);
};

static vnn_status op_sgemm(float *y)
{
    vnn_gemm_epilogue ep = {.bias = S.bias, .act = VNN_ACT_RELU};
    return vnn_sgemm_ex(VNN_NO_TRANS, VNN_TRANS, GM, GN, GK, 1.0f, S.A, GK, S.B, GK, 0.0f, y,
                        GN, &ep);
}
static vnn_status op_packed(float *y)
{
    return vnn_sgemm_packed(VNN_NO_TRANS, GM, 1.0f, S.A, GK, S.packed, 0.0f, y, GN, NULL);
}
static vnn_status op_conv_plan(float *y) { return vnn_conv2d_plan_run(S.conv, S.img, y, NULL, 0); }
static vnn_status op_dw_plan(float *y) { return vnn_conv2d_plan_run(S.dw, S.img, y, NULL, 0); }
static vnn_status op_conv(float *y)
{
    vnn_conv2d_desc d = conv_desc(false);
    return vnn_conv2d(&d, S.img, S.w3, S.bias, y);
}
static vnn_status op_maxpool(float *y)
{
    return vnn_maxpool2d(&pool3, CN, CH, CW, CC, S.img, 7, 7, y);
}
static vnn_status op_avgpool(float *y)
{
    return vnn_avgpool2d(&pool3, CN, CH, CW, CC, S.img, 7, 7, y);
}
static vnn_status op_gavg(float *y) { return vnn_global_avgpool2d(CN, CH, CW, CC, S.img, y); }
static vnn_status op_lstm_plan(float *y)
{
    static const int64_t lengths[LN] = {6, 2, 5};
    return vnn_lstm_plan_run(S.lstm, LT, LN, false, S.seq, lengths, NULL, NULL, y, NULL, NULL);
}
static vnn_status op_lstm(float *y)
{
    vnn_lstm_desc d = {.input_size = LI, .hidden_size = LH, .bidirectional = true};
    vnn_lstm_weights w[2];
    for (int i = 0; i < 2; i++)
        w[i] = (vnn_lstm_weights){S.lstm_w[i][0], S.lstm_w[i][1], S.lstm_w[i][2],
                                  S.lstm_w[i][3]};
    return vnn_lstm(&d, w, LT, LN, true, S.seq, NULL, NULL, NULL, y, NULL, NULL);
}
static vnn_status op_lstm_cell(float *y)
{
    return vnn_lstm_cell(S.lstm, 1, LN, S.seq, NULL, S.seq, y, y + LN * LH);
}
static vnn_status op_attention(float *y)
{
    vnn_attention_params p = {.N = AN, .Sq = AS, .Sk = AS, .Hq = AH, .Hkv = AH / 2, .D = AD,
                              .causal = true};
    return vnn_attention(&p, S.q, S.k, S.v, y, NULL, 0);
}
static vnn_status op_layernorm(float *y)
{
    return vnn_layernorm(RR, RC, S.rows, S.gamma, S.beta, 1e-5f, y);
}
static vnn_status op_softmax(float *y) { return vnn_softmax(RR, RC, S.rows, y); }
static vnn_status op_gelu(float *y) { return vnn_gelu(VNN_GELU_ERF, RR * RC, S.rows, y); }
static vnn_status op_relu(float *y) { return vnn_relu(RR * RC, S.rows, y); }
static vnn_status op_add(float *y) { return vnn_add(RR * RC, S.rows, S.rows, y); }
static vnn_status op_embedding(float *y)
{
    static const int64_t ids[7] = {0, 29, 3, 3, 17, 1, 8};
    return vnn_embedding(7, ids, VOCAB, RC, S.table, y);
}

/* The models: a private context per call, then no context at all. */
static vnn_status run_model(const vnn_model *m, vnn_model_context *ctx, float *y)
{
    vnn_model_info info;
    vnn_model_get_info(m, &info);
    if (info.family == VNN_MODEL_CNN)
        return vnn_model_run_images(m, ctx, 3, S.img, y, y + 6);
    static const int64_t ids[3 * 6] = {2, 3, 4, 5, 1, 0, 3, 3, 2, 0, 0, 0, 5, 5, 4, 3, 2, 1};
    static const int64_t lengths[3] = {5, 3, 6};
    vnn_status st = vnn_model_run_tokens(m, ctx, 3, 6, ids, lengths, y, y + 6);
    int64_t count;
    if (st == VNN_OK) { /* and the tokenizer, into the output too */
        int64_t got[8];
        static const char text[] = "Subject: free money now\n\nhello";
        st = vnn_model_tokenize(m, text, sizeof text - 1, got, 8, &count);
        for (int64_t i = 0; i < count && i < 8; i++)
            y[12 + i] = (float)got[i];
    }
    return st;
}
static vnn_status op_model(int family, float *y)
{
    vnn_model_context *ctx;
    vnn_status st = vnn_model_context_create(S.model[family], &ctx);
    for (int round = 0; round < 2 && st == VNN_OK; round++) /* a warm context too */
        st = run_model(S.model[family], ctx, y);
    vnn_model_context_destroy(ctx);
    float other[20];
    memcpy(other, y, sizeof other);
    if (st == VNN_OK)
        st = run_model(S.model[family], NULL, y);
    if (st == VNN_OK && memcmp(other, y, sizeof other) != 0)
        st = VNN_ERR_INTERNAL; /* a context-less run differs */
    return st;
}
static vnn_status op_cnn(float *y) { return op_model(0, y); }
static vnn_status op_bilstm(float *y) { return op_model(1, y); }
static vnn_status op_transformer(float *y) { return op_model(2, y); }

static const struct op ops[] = {
    {"sgemm", GM * GN, op_sgemm},
    {"sgemm_packed", GM * GN, op_packed},
    {"conv plan", CN * CH * CW * CK, op_conv_plan},
    {"depthwise plan", CN * CH * CW * CC, op_dw_plan},
    {"vnn_conv2d", CN * CH * CW * CK, op_conv},
    {"maxpool", CN * 7 * 7 * CC, op_maxpool},
    {"avgpool", CN * 7 * 7 * CC, op_avgpool},
    {"global avgpool", CN * CC, op_gavg},
    {"lstm plan", LT * LN * 2 * LH, op_lstm_plan},
    {"vnn_lstm", LT * LN * 2 * LH, op_lstm},
    {"lstm cell", 2 * LN * LH, op_lstm_cell},
    {"attention", AN * AS * AH * AD, op_attention},
    {"layernorm", RR * RC, op_layernorm},
    {"softmax", RR * RC, op_softmax},
    {"gelu", RR * RC, op_gelu},
    {"relu", RR * RC, op_relu},
    {"add", RR * RC, op_add},
    {"embedding", 7 * RC, op_embedding},
    {"cnn model", 20, op_cnn},
    {"bilstm model", 20, op_bilstm},
    {"transformer model", 20, op_transformer},
};
#define N_OPS (sizeof ops / sizeof *ops)

static float *reference[N_OPS];

static void setup(void)
{
    S.A = input(GM * GK, 1), S.B = input(GN * GK, 2), S.bias = input(GN + CK, 3);
    S.img = input(3 * 22 * 22 > CN * CH * CW * CC ? 3 * 22 * 22 : CN * CH * CW * CC, 4);
    S.w3 = input(9 * CC * CK, 5), S.wdw = input(9 * CC, 6), S.seq = input(LT * LN * LI, 7);
    S.q = input(AN * AS * AH * AD, 8), S.k = input(AN * AS * AH * AD, 9);
    S.v = input(AN * AS * AH * AD, 10), S.rows = input(RR * RC, 11);
    S.gamma = input(RC, 12), S.beta = input(RC, 13), S.table = input(VOCAB * RC, 14);
    VT_CHECK(vnn_sgemm_pack_b(VNN_TRANS, GK, GN, S.B, GK, &S.packed) == VNN_OK, "pack");
    vnn_conv2d_desc d = conv_desc(false), dw = conv_desc(true);
    VT_CHECK(vnn_conv2d_plan_create(&d, S.w3, S.bias, &S.conv) == VNN_OK, "conv plan");
    VT_CHECK(vnn_conv2d_plan_create(&dw, S.wdw, NULL, &S.dw) == VNN_OK, "dw plan");
    const size_t sizes[4] = {4 * LH * LI, 4 * LH * LH, 4 * LH, 4 * LH};
    vnn_lstm_weights w[2];
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 4; j++)
            S.lstm_w[i][j] = input(sizes[j], 20 + 4 * i + j);
        w[i] = (vnn_lstm_weights){S.lstm_w[i][0], S.lstm_w[i][1], S.lstm_w[i][2],
                                  S.lstm_w[i][3]};
    }
    vnn_lstm_desc ld = {.input_size = LI, .hidden_size = LH, .bidirectional = true};
    VT_CHECK(vnn_lstm_plan_create(&ld, w, &S.lstm) == VNN_OK, "lstm plan");
    for (int f = 0; f < 3; f++) {
        size_t size;
        unsigned char *data = tiny_model(tiny_families[f], f == 2, &size);
        VT_CHECK(data, "tiny model");
        vnn_status st = vnn_model_load_memory(data, size, &S.model[f]);
        VT_CHECK(st == VNN_OK, "%s: %s", tiny_families[f], vnn_last_error());
        free(data);
    }
    /* The single-threaded references (one vnn thread too). */
    vnn_set_num_threads(1);
    for (size_t i = 0; i < N_OPS; i++) {
        reference[i] = vt_alloc_floats(OUT_MAX);
        memset(reference[i], 0, OUT_MAX * sizeof(float));
        vnn_status st = ops[i].run(reference[i]);
        VT_CHECK(st == VNN_OK, "%s: %s", ops[i].name, vnn_status_str(st));
    }
}

static void teardown(void)
{
    for (size_t i = 0; i < N_OPS; i++)
        vt_free(reference[i]);
    for (int f = 0; f < 3; f++)
        vnn_model_free(S.model[f]);
    vnn_lstm_plan_destroy(S.lstm);
    vnn_conv2d_plan_destroy(S.conv);
    vnn_conv2d_plan_destroy(S.dw);
    vnn_packed_b_destroy(S.packed);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++)
            vt_free(S.lstm_w[i][j]);
    float *all[] = {S.A, S.B, S.bias, S.img, S.w3, S.wdw, S.seq, S.q, S.k, S.v, S.rows,
                    S.gamma, S.beta, S.table};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        vt_free(all[i]);
}

struct worker {
    int id, rounds;
    char failure[256]; /* empty if every result matched */
};

static atomic_bool stop_toggling;

static void *work(void *p)
{
    struct worker *w = p;
    float *y = vt_alloc_floats(OUT_MAX);
    for (int r = 0; r < w->rounds && !w->failure[0]; r++)
        /* Each thread walks the ops from its own starting point, so
         * different ops overlap in time. */
        for (size_t k = 0; k < N_OPS && !w->failure[0]; k++) {
            size_t i = (k + (size_t)w->id * 3) % N_OPS;
            memset(y, 0, OUT_MAX * sizeof *y);
            vnn_status st = ops[i].run(y);
            if (st != VNN_OK)
                snprintf(w->failure, sizeof w->failure, "%s: %s (%s)", ops[i].name,
                         vnn_status_str(st), vnn_last_error());
            else if (memcmp(y, reference[i], ops[i].n * sizeof *y) != 0)
                snprintf(w->failure, sizeof w->failure,
                         "%s: differs from the single-threaded result", ops[i].name);
        }
    vt_free(y);
    return NULL;
}

static void *toggle(void *p)
{
    (void)p;
    /* 1 and 8 in turn, as fast as it can: an op that sized its workspace
     * for one count and ran with another (attention did) overruns it. */
    for (int n = 0; !atomic_load(&stop_toggling); n++) {
        vnn_set_num_threads(n % 2 ? 8 : 1);
        if (n % 64 == 0)
            sched_yield();
    }
    return NULL;
}

static void run_threads(int vnn_threads, bool toggling, int rounds)
{
    setup();
    vnn_set_num_threads(vnn_threads);
    struct worker w[THREADS];
    pthread_t tid[THREADS], toggler;
    atomic_store(&stop_toggling, false);
    if (toggling)
        VT_CHECK(pthread_create(&toggler, NULL, toggle, NULL) == 0, "pthread_create");
    for (int t = 0; t < THREADS; t++) {
        w[t] = (struct worker){.id = t, .rounds = rounds};
        VT_CHECK(pthread_create(&tid[t], NULL, work, &w[t]) == 0, "pthread_create");
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    atomic_store(&stop_toggling, true);
    if (toggling)
        pthread_join(toggler, NULL);
    for (int t = 0; t < THREADS; t++)
        VT_CHECK(!w[t].failure[0], "thread %d: %s", t, w[t].failure);
    vt_log("%d threads x %d rounds x %zu ops and models: every result identical", THREADS,
           rounds, N_OPS);
    teardown();
}

/* 8 callers, each op on one vnn thread. */
VT_TEST(threads, eight_callers_one_vnn_thread_each) { run_threads(1, false, vt_count(20)); }
/* 8 callers, each op on 2 vnn (OpenMP) threads. */
VT_TEST(threads, eight_callers_two_vnn_threads_each) { run_threads(2, false, vt_count(20)); }
/* 8 callers while a ninth changes the thread count. */
VT_TEST(threads, thread_count_changing_meanwhile) { run_threads(2, true, vt_count(20)); }
