/* model/<family>_b<N>[_t<T>]/<impl>: a whole model's forward pass on a batch
 * of N samples (text: N sequences of T tokens, every one at full length):
 *   vnn         vnn_model_run_images / vnn_model_run_tokens (label: the ISA)
 *   vnn_<isa>   the same with each other SIMD ISA this CPU supports forced
 *               (the model is loaded under that ISA: its packing follows it)
 * Counters: samples_per_s (N per call / seconds) and ms per call.
 *
 * The models are benchmark-size with seeded random weights, read from the
 * safetensors files of model-weights.h (written on first use), so
 * tools/models/bench_pytorch.py runs PyTorch on exactly the same weights.
 * Inputs are seeded too: images uniform in [0, 1), token ids uniform in
 * [2, vocab). The model is loaded, and its context made and run once, before
 * timing: the timed loop allocates nothing. Models, contexts and inputs are
 * kept for the next call of the same benchmark (Google Benchmark calls it
 * again for each repetition). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-model.h"
#include "bench.h" /* vb_alloc */
#include "model-weights.h"
#include "shim/vnn_bench.h"
#include "vnn/vnn.h"

enum family { CNN, BILSTM, TRANSFORMER, FAMILIES };
static const char *const family_names[FAMILIES] = {"cnn", "bilstm", "transformer"};

static const struct {
    enum family family;
    int64_t N, T; /* T = 0: images */
} cases[] = {
    {CNN, 1, 0},           {CNN, 64, 0},           {BILSTM, 1, 128},
    {BILSTM, 64, 128},     {TRANSFORMER, 1, 128},  {TRANSFORMER, 64, 128},
    {TRANSFORMER, 1, 512},
};

struct model_case {
    enum family family;
    int64_t N, T;
    bool forced; /* vnn_<isa> */
    vnn_isa isa;
    /* Made on first use, kept to exit. */
    vnn_model_context *ctx;
    float *images, *logits;
    int64_t *ids, *lengths;
};

static const char *weights_dir;
/* One loaded model per family and ISA (packing depends on the ISA). */
static vnn_model *models[FAMILIES][VNN_ISA_COUNT];

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static char errbuf[512];

static const char *vnn_err(const char *what, vnn_status s)
{
    snprintf(errbuf, sizeof errbuf, "%.200s: %s: %.250s", what, vnn_status_str(s), vnn_last_error());
    return errbuf;
}

static const char *model_get(const struct model_case *c, vnn_model **out)
{
    vnn_model **m = &models[c->family][c->isa];
    if (!*m) {
        char path[4096];
        if (vb_model_weights_file(weights_dir, family_names[c->family], path, sizeof path))
            return "cannot write the model's weight file (see stderr)";
        vnn_status s = vnn_model_load(path, m);
        if (s != VNN_OK)
            return vnn_err(path, s);
    }
    *out = *m;
    return NULL;
}

/* Context, inputs and outputs of c, on first use. */
static const char *case_setup(struct model_case *c, const vnn_model *m)
{
    if (c->ctx)
        return NULL;
    vnn_model_info info;
    vnn_status s = vnn_model_get_info(m, &info);
    if (s != VNN_OK)
        return vnn_err("vnn_model_get_info", s);
    uint64_t rng = 0x696e707574000000u ^ (uint64_t)(c->family * 1000003 + c->N * 1009 + c->T);
    c->logits = vb_alloc((size_t)(c->N * info.classes) * sizeof(float));
    if (!c->logits)
        return "out of memory";
    if (c->T == 0) {
        int64_t n = c->N * info.height * info.width * info.channels;
        c->images = vb_alloc((size_t)n * sizeof(float));
        if (!c->images)
            return "out of memory";
        for (int64_t i = 0; i < n; i++)
            c->images[i] = (float)(splitmix64(&rng) >> 40) * 0x1p-24f;
    } else {
        if (c->T > info.max_sequence)
            return "T exceeds the model's max_sequence";
        c->ids = vb_alloc((size_t)(c->N * c->T) * sizeof(int64_t));
        c->lengths = vb_alloc((size_t)c->N * sizeof(int64_t));
        if (!c->ids || !c->lengths)
            return "out of memory";
        for (int64_t i = 0; i < c->N * c->T; i++)
            c->ids[i] = 2 + (int64_t)(splitmix64(&rng) % (uint64_t)(info.vocab - 2));
        for (int64_t i = 0; i < c->N; i++)
            c->lengths[i] = c->T; /* full length */
    }
    s = vnn_model_context_create(m, &c->ctx);
    return s == VNN_OK ? NULL : vnn_err("vnn_model_context_create", s);
}

static const char *run(const struct model_case *c, const vnn_model *m)
{
    vnn_status s = c->T == 0 ? vnn_model_run_images(m, c->ctx, c->N, c->images, c->logits, NULL)
                             : vnn_model_run_tokens(m, c->ctx, c->N, c->T, c->ids, c->lengths,
                                                    c->logits, NULL);
    return s == VNN_OK ? NULL : vnn_err("run", s);
}

static void bench_model(vb_state *st, void *arg)
{
    struct model_case *c = arg;
    vnn_isa saved = vnn_get_isa();
    if (c->forced) {
        vnn_status s = vnn_set_isa(c->isa);
        if (s != VNN_OK) {
            vb_skip_with_error(st, vnn_status_str(s));
            return;
        }
    }
    vnn_model *m = NULL;
    const char *err = model_get(c, &m);
    if (!err)
        err = case_setup(c, m);
    if (!err)
        err = run(c, m); /* warm-up: the context reaches its size here */
    if (err)
        vb_skip_with_error(st, err);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!err && vb_keep_running(st))
        if ((err = run(c, m)))
            vb_skip_with_error(st, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!err) {
        char label[64];
        snprintf(label, sizeof label, "%s", vnn_isa_name(vnn_get_isa()));
        vb_set_label(st, label);
        double it = (double)vb_iterations(st);
        vb_set_counter(st, "samples_per_s", it * (double)c->N, VB_RATE);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
        vb_set_counter(st, "ms", it > 0 ? 1e3 * secs / it : 0.0, VB_PLAIN);
    }
    if (c->forced)
        vnn_set_isa(saved);
}

static bool add(int i, bool forced, vnn_isa isa)
{
    struct model_case *c = calloc(1, sizeof *c); /* lives until exit */
    if (!c)
        return false;
    *c = (struct model_case){.family = cases[i].family, .N = cases[i].N, .T = cases[i].T,
                             .forced = forced, .isa = isa};
    char name[128], shape[48];
    int at = snprintf(shape, sizeof shape, "%s_b%lld", family_names[c->family], (long long)c->N);
    if (c->T)
        snprintf(shape + at, sizeof shape - (size_t)at, "_t%lld", (long long)c->T);
    snprintf(name, sizeof name, "model/%s/vnn%s%s", shape, forced ? "_" : "",
             forced ? vnn_isa_name(isa) : "");
    vb_register(name, bench_model, c);
    return true;
}

bool vb_register_model(const char *dir)
{
    weights_dir = dir;
    vnn_isa selected = vnn_get_isa();
    for (int i = 0; i < (int)(sizeof cases / sizeof cases[0]); i++) {
        if (!add(i, false, selected))
            return false;
        /* The forced SIMD ISAs; not scalar, whose batch-64 Transformer
         * takes many seconds a call. */
        for (int isa = 0; isa < VNN_ISA_COUNT; isa++)
            if ((vnn_isa)isa != selected && (vnn_isa)isa != VNN_ISA_SCALAR &&
                vnn_isa_supported((vnn_isa)isa) && !add(i, true, (vnn_isa)isa))
                return false;
    }
    return true;
}
