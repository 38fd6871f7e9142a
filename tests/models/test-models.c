/* The three models against PyTorch: golden logits on every ISA, accuracy
 * on the whole test sets, batching and padding invariance, one model shared
 * by 8 threads, bad run arguments refused without writing. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model-fixtures.h"
#include "tools/run/datasets.h"
#include "vnn/vnn.h"
#include "vt.h"

/* Logit bounds against PyTorch, same (F16-rounded) weights. The only
 * differences are float summation order (vnn's blocked GEMM and
 * convolution vs oneDNN/MKL's) and vnn's polynomial sigmoid, tanh, exp and
 * erf (<= 1e-6 absolute, 4e-7 relative). Measured: see the README's model
 * section. The CNN's logits are sums of a few thousand products of O(1)
 * activations; the text models run 256 recurrent steps or 2 post-norm
 * layers whose errors do not grow (the LSTM's gates saturate, layer norm
 * rescales), so 1e-4 absolute (plus 1e-5 relative) is a wide margin over
 * rounding and still catches any real mistake (a wrong gate, mask or
 * layout moves logits by 1e-2 or more). */
#define LOGIT_ATOL 1e-4
#define LOGIT_RTOL 1e-5

static int argmax(const float *p, int64_t n)
{
    int best = 0;
    for (int64_t i = 1; i < n; i++)
        if (p[i] > p[best])
            best = (int)i;
    return best;
}

static void check_golden(vnn_isa isa, const char *family)
{
    vt_use_isa(isa);
    vnn_model *m = fixture_model(family);
    struct golden g;
    golden_read(family, &g);
    float *logits = vt_alloc_floats((size_t)(g.N * g.C));
    golden_run(m, &g, logits);
    double worst = 0.0;
    for (int64_t n = 0; n < g.N; n++) {
        for (int64_t c = 0; c < g.C; c++) {
            double want = g.logits[n * g.C + c], got = logits[n * g.C + c];
            double err = fabs(got - want);
            worst = err > worst ? err : worst;
            VT_CHECK(err <= LOGIT_ATOL + LOGIT_RTOL * fabs(want),
                     "%s sample %lld class %lld: logit %.7g, PyTorch %.7g", family,
                     (long long)n, (long long)c, got, want);
        }
        VT_CHECK(argmax(logits + n * g.C, g.C) == argmax(g.logits + n * g.C, g.C),
                 "%s sample %lld: a different class than PyTorch", family, (long long)n);
    }
    vt_log("%s on %s: %lld samples, largest logit error %.3g", family, vnn_isa_name(isa),
           (long long)g.N, worst);
    vt_free(logits);
    golden_free(&g);
    vnn_model_free(m);
}

/* Under qemu the whole test sets take too long; the goldens cover NEON. */
static void skip_if_emulated(void)
{
#ifndef VT_CRITERION
    vt_skip("whole test sets are run natively only (the goldens cover this ISA)");
#endif
}

/* VT_SCALE < 1 (the sanitizer run): the accuracy tests run every k-th
 * sample (k = 1 / VT_SCALE, rounded), and the accuracy of that fixed subset
 * must be within 4 standard errors of PyTorch's on the whole set instead of
 * 0.05 points: a broken model still fails, a subtle one needs the full run. */
static int64_t subset_stride(void)
{
    const char *s = getenv("VT_SCALE");
    double scale = s ? atof(s) : 1.0;
    return scale > 0.0 && scale < 1.0 ? (int64_t)(1.0 / scale + 0.5) : 1;
}

static void check_accuracy(const char *family, vnn_isa isa, int64_t correct, int64_t n,
                           const struct golden *g, int64_t stride)
{
    double ours = 100.0 * (double)correct / (double)n;
    double theirs = 100.0 * (double)g->test_correct / (double)g->test_count;
    double p = theirs / 100.0, bound = 0.05;
    if (stride > 1)
        bound = fmax(bound, 400.0 * sqrt(p * (1.0 - p) / (double)n));
    vt_log("%s on %s: %.2f%% of %lld%s (PyTorch %.2f%% of %lld), bound %.2f points", family,
           vnn_isa_name(isa), ours, (long long)n, stride > 1 ? " (every k-th, VT_SCALE)" : "",
           theirs, (long long)g->test_count, bound);
    VT_CHECK(fabs(ours - theirs) <= bound, "accuracy %.2f%%, PyTorch %.2f%% (bound %.2f)", ours,
             theirs, bound);
}

static void check_cnn_accuracy(vnn_isa isa)
{
    skip_if_emulated();
    vt_use_isa(isa);
    vnn_model *m = fixture_model("cnn");
    struct golden g;
    golden_read("cnn", &g);
    struct image_set set;
    char err[512];
    VT_CHECK(image_set_read("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz",
                            "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz",
                            &set, err, sizeof err) == 0,
             "%s (install dataset-fashion-mnist)", err);
    VT_CHECK(set.count == g.test_count, "PyTorch counted %lld test images, we %lld",
             (long long)g.test_count, (long long)set.count);
    const int64_t B = 500, C = 10, px = set.h * set.w, stride = subset_stride();
    const int64_t total = (set.count + stride - 1) / stride;
    float *probs = vt_alloc_floats((size_t)(B * C)), *batch = vt_alloc_floats((size_t)(B * px));
    vnn_model_context *ctx;
    VT_CHECK(vnn_model_context_create(m, &ctx) == VNN_OK, "context");
    int64_t correct = 0;
    for (int64_t s = 0; s < total; s += B) {
        int64_t n = total - s < B ? total - s : B;
        vt_writable(batch);
        for (int64_t k = 0; k < n; k++) /* into a guarded, read-only batch */
            memcpy(batch + k * px, set.pixels + (s + k) * stride * px,
                   (size_t)px * sizeof *batch);
        vt_readonly(batch);
        VT_CHECK(vnn_model_run_images(m, ctx, n, batch, NULL, probs) == VNN_OK, "run: %s",
                 vnn_last_error());
        for (int64_t k = 0; k < n; k++)
            correct += argmax(probs + k * C, C) == set.labels[(s + k) * stride];
    }
    check_accuracy("cnn", isa, correct, total, &g, stride);
    vnn_model_context_destroy(ctx);
    vt_free(probs);
    vt_free(batch);
    image_set_free(&set);
    golden_free(&g);
    vnn_model_free(m);
}

static const char *corpus_dir(void)
{
    const char *env = getenv("VNN_CORPUS_DIR");
    return env && *env ? env : VT_BUILD_ROOT "/data/spam-assassin/data";
}

static void check_text_accuracy(vnn_isa isa, const char *family)
{
    skip_if_emulated();
    if (access(corpus_dir(), R_OK) != 0)
        vt_skip("no SpamAssassin corpus at %s (tools/fetch-corpus.sh fetches it)",
                corpus_dir());
    vt_use_isa(isa);
    vnn_model *m = fixture_model(family);
    vnn_model_info info;
    vnn_model_get_info(m, &info);
    struct golden g;
    golden_read(family, &g);
    struct text_set set;
    char err[512];
    VT_CHECK(text_set_read_corpus_test(corpus_dir(), &set, err, sizeof err) == 0, "%s", err);
    VT_CHECK(set.count == g.test_count, "PyTorch counted %lld test documents, we %lld",
             (long long)g.test_count, (long long)set.count);
    const int64_t B = 32, M = info.max_tokens, C = info.classes, stride = subset_stride();
    const int64_t total = (set.count + stride - 1) / stride;
    int64_t *ids = vt_alloc_bytes((size_t)(B * M) * sizeof *ids, sizeof *ids);
    int64_t *lens = vt_alloc_bytes((size_t)B * sizeof *lens, sizeof *lens), correct = 0;
    float *probs = vt_alloc_floats((size_t)(B * C));
    vnn_model_context *ctx;
    VT_CHECK(vnn_model_context_create(m, &ctx) == VNN_OK, "context");
    for (int64_t s = 0; s < total; s += B) {
        int64_t n = total - s < B ? total - s : B;
        for (int64_t k = 0; k < n; k++)
            VT_CHECK(vnn_model_tokenize(m, set.texts[(s + k) * stride],
                                        set.lengths[(s + k) * stride], ids + k * M, M,
                                        &lens[k]) == VNN_OK,
                     "tokenize");
        vt_readonly(ids);
        vt_readonly(lens);
        VT_CHECK(vnn_model_run_tokens(m, ctx, n, M, ids, lens, NULL, probs) == VNN_OK,
                 "run: %s", vnn_last_error());
        vt_writable(ids);
        vt_writable(lens);
        for (int64_t k = 0; k < n; k++)
            correct += argmax(probs + k * C, C) == set.labels[(s + k) * stride];
    }
    check_accuracy(family, isa, correct, total, &g, stride);
    vnn_model_context_destroy(ctx);
    vt_free(ids);
    vt_free(lens);
    vt_free(probs);
    text_set_free(&set);
    golden_free(&g);
    vnn_model_free(m);
}

/* Each golden sequence alone (unpadded) gives what it gives in the padded
 * batch; so does each image alone. */
static void check_batch_invariance(vnn_isa isa, const char *family)
{
    vt_use_isa(isa);
    vnn_model *m = fixture_model(family);
    struct golden g;
    golden_read(family, &g);
    float *batch = vt_alloc_floats((size_t)(g.N * g.C)), *one = vt_alloc_floats((size_t)g.C);
    golden_run(m, &g, batch);
    vnn_model_info info;
    vnn_model_get_info(m, &info);
    for (int64_t n = 0; n < g.N; n++) {
        vnn_status st =
            g.images ? vnn_model_run_images(m, NULL, 1,
                                            g.images + n * info.height * info.width *
                                                           info.channels,
                                            one, NULL)
                     : vnn_model_run_tokens(m, NULL, 1, g.lengths[n], g.ids + n * g.T, NULL,
                                            one, NULL);
        VT_CHECK(st == VNN_OK, "run: %s", vnn_last_error());
        for (int64_t c = 0; c < g.C; c++)
            VT_CHECK(fabsf(one[c] - batch[n * g.C + c]) <= 1e-5f * (1.0f + fabsf(one[c])),
                     "%s sample %lld alone: logit %d is %.8g, in the batch %.8g", family,
                     (long long)n, (int)c, one[c], batch[n * g.C + c]);
    }
    vt_free(batch);
    vt_free(one);
    golden_free(&g);
    vnn_model_free(m);
}

struct shared_run {
    const vnn_model *m;
    const struct golden *g;
    float *logits;
    int rounds;
    vnn_status st;
};

static void *run_thread(void *arg)
{
    struct shared_run *r = arg;
    vnn_model_context *ctx;
    r->st = vnn_model_context_create(r->m, &ctx);
    for (int i = 0; i < r->rounds && r->st == VNN_OK; i++)
        r->st = r->g->images
                    ? vnn_model_run_images(r->m, ctx, r->g->N, r->g->images, r->logits, NULL)
                    : vnn_model_run_tokens(r->m, ctx, r->g->N, r->g->T, r->g->ids,
                                           r->g->lengths, r->logits, NULL);
    vnn_model_context_destroy(ctx);
    return NULL;
}

/* 8 threads share one loaded model, each with its own context: every one
 * gets exactly the serial result. */
static void check_threads(vnn_isa isa, const char *family)
{
    vt_use_isa(isa);
    vnn_model *m = fixture_model(family);
    struct golden g;
    golden_read(family, &g);
    size_t n = (size_t)(g.N * g.C);
    float *serial = vt_alloc_floats(n);
    golden_run(m, &g, serial);
    enum { THREADS = 8 };
    pthread_t tid[THREADS];
    struct shared_run runs[THREADS];
    for (int t = 0; t < THREADS; t++) {
        runs[t] = (struct shared_run){.m = m, .g = &g, .logits = vt_alloc_floats(n), .rounds = 3};
        VT_CHECK(pthread_create(&tid[t], NULL, run_thread, &runs[t]) == 0, "pthread_create");
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(tid[t], NULL);
    for (int t = 0; t < THREADS; t++) {
        VT_CHECK(runs[t].st == VNN_OK, "thread %d: %s", t, vnn_status_str(runs[t].st));
        VT_CHECK(memcmp(runs[t].logits, serial, n * sizeof(float)) == 0,
                 "thread %d: results differ from the serial run", t);
        vt_free(runs[t].logits);
    }
    vt_free(serial);
    golden_free(&g);
    vnn_model_free(m);
}

#define MODEL_SUITE(isa, suite)                                                          \
    VT_TEST(suite, cnn_golden) { check_golden(isa, "cnn"); }                             \
    VT_TEST(suite, bilstm_golden) { check_golden(isa, "bilstm"); }                       \
    VT_TEST(suite, transformer_golden) { check_golden(isa, "transformer"); }             \
    VT_TEST(suite, cnn_accuracy) { check_cnn_accuracy(isa); }                            \
    VT_TEST(suite, bilstm_accuracy) { check_text_accuracy(isa, "bilstm"); }              \
    VT_TEST(suite, transformer_accuracy) { check_text_accuracy(isa, "transformer"); }    \
    VT_TEST(suite, cnn_batch_invariance) { check_batch_invariance(isa, "cnn"); }         \
    VT_TEST(suite, bilstm_padding_invariance) { check_batch_invariance(isa, "bilstm"); } \
    VT_TEST(suite, transformer_padding_invariance)                                       \
    {                                                                                    \
        check_batch_invariance(isa, "transformer");                                      \
    }                                                                                    \
    VT_TEST(suite, cnn_threads) { check_threads(isa, "cnn"); }                           \
    VT_TEST(suite, bilstm_threads) { check_threads(isa, "bilstm"); }                     \
    VT_TEST(suite, transformer_threads) { check_threads(isa, "transformer"); }

MODEL_SUITE(VNN_ISA_SCALAR, models_scalar)
MODEL_SUITE(VNN_ISA_AVX2, models_avx2)
MODEL_SUITE(VNN_ISA_AVX512, models_avx512)
MODEL_SUITE(VNN_ISA_NEON, models_neon)
