/* `vnn run`: a model on a data set (accuracy, throughput, latency, memory)
 * or on one text. */
#include "vnn-run.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datasets.h"
#include "run-stats.h"
#include "vnn/vnn.h"

#define FASHION_DIR "/usr/share/datasets/fashion-mnist"

void run_usage(FILE *out)
{
    fprintf(out,
            "usage: vnn run cnn|bilstm|transformer [options]\n"
            "       vnn run --weights FILE [options]\n"
            "\n"
            "Runs a model on its test data and prints accuracy, samples/s, latency per\n"
            "batch (p50, p99) and peak memory. With no options: the bundled weights\n"
            "(%s) on the whole test set: Fashion-MNIST's 10,000 test images\n"
            "(%s) for the cnn, the SpamAssassin test split for the text\n"
            "models (fetched by tools/fetch-corpus.sh).\n"
            "\n"
            "options:\n"
            "  --weights FILE   a safetensors model file instead of the bundled one\n"
            "  --input FILE     cnn: IDX images (gzip or not; labels are read from the\n"
            "                   matching *labels-idx1* file if there is one); text: one\n"
            "                   document a line, or with a .jsonl name JSON lines\n"
            "                   {\"text\": \"...\", \"label\": 1 or \"spam\"} (label optional)\n"
            "  --text TEXT      classify one text and print the class probabilities\n"
            "  --data DIR       the corpus folder (default %s,\n"
            "                   or $VNN_CORPUS_DIR)\n"
            "  --batch N        samples per run (default 64)\n"
            "  --limit N        only the first N samples\n"
            "  --threads N      threads (default: all cores; also VNN_NUM_THREADS)\n"
            "  --isa ISA        scalar, avx2, avx512 or neon (default: the best; also VNN_ISA)\n"
            "  --json           one JSON object on stdout instead of text\n"
            "  -h, --help       this help\n",
            VNN_MODELS_DIR, FASHION_DIR, VNN_CORPUS_DIR);
}

struct run_opts {
    const char *family, *weights, *input, *text, *data;
    int64_t batch, limit;
    int json;
};

static int die(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "vnn run: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
    return 1;
}

static int parse_count(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* The bundled file of a family: $VNN_MODELS_DIR, the source tree, the
 * installed data folder, first found. */
static const char *bundled(const char *family, char *buf, size_t size)
{
    const char *dirs[] = {getenv("VNN_MODELS_DIR"), VNN_MODELS_DIR, VNN_INSTALLED_MODELS_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        if (!dirs[i] || !*dirs[i])
            continue;
        snprintf(buf, size, "%s/%s.safetensors", dirs[i], family);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    snprintf(buf, size, "%s/%s.safetensors", VNN_MODELS_DIR, family);
    return buf;
}

struct results {
    int64_t samples, correct, labelled;
    double seconds;
    double *batch_ms;
    size_t batches;
};

static void report(const struct run_opts *o, const vnn_model_info *info, const char *weights,
                   const char *input, struct results *r)
{
    double p50 = percentile(r->batch_ms, r->batches, 50.0);
    double p99 = percentile(r->batch_ms, r->batches, 99.0);
    double rate = r->seconds > 0 ? (double)r->samples / r->seconds : 0.0;
    double acc = r->labelled ? 100.0 * (double)r->correct / (double)r->labelled : -1.0;
    if (o->json) {
        json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:i, s:f, s:f, s:f, s:f}",
                              "model", info->family_name, "weights", weights, "input", input,
                              "isa", vnn_isa_name(vnn_get_isa()), "samples",
                              (json_int_t)r->samples, "batch", (json_int_t)o->batch,
                              "threads", vnn_get_num_threads(), "samples_per_s", rate,
                              "latency_p50_ms", p50, "latency_p99_ms", p99, "peak_rss_mib",
                              peak_rss_mib());
        if (j && r->labelled) {
            json_object_set_new(j, "accuracy", json_real(acc));
            json_object_set_new(j, "correct", json_integer(r->correct));
            json_object_set_new(j, "labelled", json_integer(r->labelled));
        }
        char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        printf("%s\n", s ? s : "{}");
        free(s);
        json_decref(j);
        return;
    }
    printf("model:      %s (%s)\n", info->family_name, weights);
    printf("input:      %s\n", input);
    printf("isa:        %s, %d threads, batch %lld\n", vnn_isa_name(vnn_get_isa()),
           vnn_get_num_threads(), (long long)o->batch);
    if (r->labelled)
        printf("accuracy:   %.2f%% (%lld of %lld)\n", acc, (long long)r->correct,
               (long long)r->labelled);
    printf("throughput: %.1f samples/s (%lld samples in %.2f s)\n", rate,
           (long long)r->samples, r->seconds);
    printf("latency:    p50 %.3f ms, p99 %.3f ms per batch\n", p50, p99);
    printf("memory:     %.1f MiB peak resident\n", peak_rss_mib());
}

static int argmax(const float *p, int64_t n)
{
    int best = 0;
    for (int64_t i = 1; i < n; i++)
        if (p[i] > p[best])
            best = (int)i;
    return best;
}

static int run_images(const struct run_opts *o, const vnn_model *m, const vnn_model_info *info,
                      const char *weights)
{
    char err[512], labels[4096];
    const char *images = o->input ? o->input : FASHION_DIR "/t10k-images-idx3-ubyte.gz";
    const char *labels_path = NULL;
    /* The labels file next to the images, if there is one. */
    const char *at = strstr(images, "images-idx3");
    if (at && strlen(images) < sizeof labels) {
        snprintf(labels, sizeof labels, "%.*slabels-idx1%s", (int)(at - images), images,
                 at + strlen("images-idx3"));
        if (access(labels, R_OK) == 0)
            labels_path = labels;
    }
    struct image_set set;
    if (image_set_read(images, labels_path, &set, err, sizeof err))
        return die("%s%s", err, "");
    if (set.h != info->height || set.w != info->width || info->channels != 1) {
        image_set_free(&set);
        return die("%s: images are not the model's input size%s", images, "");
    }
    int64_t total = o->limit && o->limit < set.count ? o->limit : set.count;
    int64_t B = o->batch, C = info->classes, px = set.h * set.w;
    float *probs = malloc((size_t)(B * C) * sizeof(float));
    struct results r = {.batch_ms = malloc((size_t)((total + B - 1) / B) * sizeof(double))};
    vnn_model_context *ctx = NULL;
    vnn_status st = probs && r.batch_ms ? vnn_model_context_create(m, &ctx) : VNN_ERR_OUT_OF_MEMORY;
    struct progress bar;
    progress_start(&bar, "cnn", total);
    double t0 = now_seconds();
    for (int64_t i = 0; i < total && st == VNN_OK; i += B) {
        int64_t n = total - i < B ? total - i : B;
        double b0 = now_seconds();
        st = vnn_model_run_images(m, ctx, n, set.pixels + i * px, NULL, probs);
        r.batch_ms[r.batches++] = 1e3 * (now_seconds() - b0);
        for (int64_t k = 0; k < n && st == VNN_OK && set.labels; k++) {
            r.labelled++;
            r.correct += argmax(probs + k * C, C) == set.labels[i + k];
        }
        r.samples += n;
        progress_update(&bar, i + n);
    }
    r.seconds = now_seconds() - t0;
    progress_end(&bar);
    int rc = 0;
    if (st != VNN_OK)
        rc = die("%s: %s", vnn_status_str(st), vnn_last_error());
    else
        report(o, info, weights, images, &r);
    vnn_model_context_destroy(ctx);
    free(probs);
    free(r.batch_ms);
    image_set_free(&set);
    return rc;
}

static void print_probs(const struct run_opts *o, const vnn_model *m, const float *p,
                        int64_t C)
{
    json_t *j = o->json ? json_object() : NULL;
    for (int64_t c = 0; c < C; c++) {
        const char *name = "?";
        vnn_model_label(m, c, &name);
        if (j)
            json_object_set_new(j, name, json_real(p[c]));
        else
            printf("%-12s %.6f\n", name, p[c]);
    }
    if (j) {
        char *s = json_dumps(j, JSON_PRESERVE_ORDER);
        printf("%s\n", s ? s : "{}");
        free(s);
        json_decref(j);
    }
}

static int run_texts(const struct run_opts *o, const vnn_model *m, const vnn_model_info *info,
                     const char *weights)
{
    char err[512];
    struct text_set set = {0};
    const char *input;
    if (o->text) {
        input = "--text";
        char *texts[1] = {(char *)o->text};
        size_t lens[1] = {strlen(o->text)};
        set = (struct text_set){.count = 1, .texts = texts, .lengths = lens};
    } else if (o->input) {
        input = o->input;
        size_t n = strlen(input);
        int jsonl = n > 6 && strcmp(input + n - 6, ".jsonl") == 0;
        const char *names[64];
        int C = info->classes < 64 ? (int)info->classes : 64;
        for (int c = 0; c < C; c++)
            vnn_model_label(m, c, &names[c]);
        if (text_set_read_lines(input, jsonl, names, C, &set, err, sizeof err))
            return die("%s%s", err, "");
    } else {
        input = o->data;
        if (access(o->data, R_OK) != 0)
            return die("the SpamAssassin corpus is not at %s; fetch it with: "
                       "tools/fetch-corpus.sh%s",
                       o->data, "");
        if (text_set_read_corpus_test(o->data, &set, err, sizeof err))
            return die("%s%s", err, "");
    }
    int64_t total = o->limit && o->limit < set.count ? o->limit : set.count;
    int64_t B = o->batch, C = info->classes, M = info->max_tokens;
    int64_t *ids = malloc((size_t)(B * M) * sizeof(int64_t)), *lens = malloc((size_t)B * sizeof(int64_t));
    float *probs = malloc((size_t)(B * C) * sizeof(float));
    struct results r = {.batch_ms = malloc((size_t)((total + B - 1) / B) * sizeof(double))};
    vnn_model_context *ctx = NULL;
    vnn_status st = ids && lens && probs && r.batch_ms ? vnn_model_context_create(m, &ctx)
                                                       : VNN_ERR_OUT_OF_MEMORY;
    struct progress bar;
    progress_start(&bar, info->family_name, total);
    double t0 = now_seconds();
    for (int64_t i = 0; i < total && st == VNN_OK; i += B) {
        int64_t n = total - i < B ? total - i : B, T = 1;
        double b0 = now_seconds();
        /* Tokenize the batch, then pad it to its longest sequence. */
        for (int64_t k = 0; k < n && st == VNN_OK; k++) {
            st = vnn_model_tokenize(m, set.texts[i + k], set.lengths[i + k], ids + k * M, M,
                                    &lens[k]);
            T = lens[k] > T ? lens[k] : T;
        }
        for (int64_t k = 1; k < n && st == VNN_OK; k++)
            memmove(ids + k * T, ids + k * M, (size_t)lens[k] * sizeof(int64_t));
        if (st == VNN_OK)
            st = vnn_model_run_tokens(m, ctx, n, T, ids, lens, NULL, probs);
        r.batch_ms[r.batches++] = 1e3 * (now_seconds() - b0);
        for (int64_t k = 0; k < n && st == VNN_OK && set.labels; k++)
            if (set.labels[i + k] >= 0) {
                r.labelled++;
                r.correct += argmax(probs + k * C, C) == set.labels[i + k];
            }
        r.samples += n;
        progress_update(&bar, i + n);
    }
    r.seconds = now_seconds() - t0;
    progress_end(&bar);
    int rc = 0;
    if (st != VNN_OK)
        rc = die("%s: %s", vnn_status_str(st), vnn_last_error());
    else if (o->text)
        print_probs(o, m, probs, C);
    else
        report(o, info, weights, input, &r);
    vnn_model_context_destroy(ctx);
    free(ids);
    free(lens);
    free(probs);
    free(r.batch_ms);
    if (!o->text)
        text_set_free(&set);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"weights", required_argument, 0, 'w'}, {"input", required_argument, 0, 'i'},
        {"text", required_argument, 0, 't'},    {"data", required_argument, 0, 'd'},
        {"batch", required_argument, 0, 'b'},   {"limit", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 'j'}, {"isa", required_argument, 0, 'a'},
        {"json", no_argument, 0, 'J'},          {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *env_data = getenv("VNN_CORPUS_DIR");
    struct run_opts o = {.batch = 64, .data = env_data && *env_data ? env_data : VNN_CORPUS_DIR};
    int c;
    int64_t threads = 0;
    const char *isa = NULL;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': o.weights = optarg; break;
        case 'i': o.input = optarg; break;
        case 't': o.text = optarg; break;
        case 'd': o.data = optarg; break;
        case 'J': o.json = 1; break;
        case 'a': isa = optarg; break;
        case 'b':
            if (parse_count(optarg, 1, 1 << 16, &o.batch))
                return die("--batch %s: need an integer in [1, 65536]%s", optarg, "");
            break;
        case 'l':
            if (parse_count(optarg, 1, INT64_MAX, &o.limit))
                return die("--limit %s: need a positive integer%s", optarg, "");
            break;
        case 'j':
            if (parse_count(optarg, 1, 1024, &threads))
                return die("--threads %s: need an integer in [1, 1024]%s", optarg, "");
            break;
        case 'h': run_usage(stdout); return 0;
        default:
            return die("unknown or incomplete option '%s' (see vnn run --help)%s",
                       argv[optind - 1], "");
        }
    }
    if (optind < argc)
        o.family = argv[optind++];
    if (optind < argc)
        return die("unexpected argument '%s'%s", argv[optind], "");
    if (!o.family && !o.weights)
        return die("name a model (cnn, bilstm, transformer) or --weights FILE%s%s", "", "");
    if (o.family && strcmp(o.family, "cnn") && strcmp(o.family, "bilstm") &&
        strcmp(o.family, "transformer"))
        return die("unknown model '%s' (cnn, bilstm or transformer)%s", o.family, "");
    if (isa) {
        vnn_isa want;
        if (vnn_isa_parse(isa, &want) != VNN_OK || vnn_set_isa(want) != VNN_OK)
            return die("--isa %s: not an instruction set this machine can run%s", isa, "");
    } else if (vnn_isa_env_error()) {
        return die("%s%s", vnn_isa_env_error(), "");
    }
    if (threads)
        vnn_set_num_threads((int)threads);
    char path[4096];
    const char *weights = o.weights ? o.weights : bundled(o.family, path, sizeof path);
    vnn_model *m;
    vnn_status st = vnn_model_load(weights, &m);
    if (st != VNN_OK) {
        fprintf(stderr, "vnn run: %s: %s\n", weights, vnn_last_error());
        return 1;
    }
    vnn_model_info info;
    vnn_model_get_info(m, &info);
    int rc;
    if (o.family && strcmp(o.family, info.family_name) != 0)
        rc = die("%s holds a %s model", weights, info.family_name);
    else if (info.family == VNN_MODEL_CNN && o.text)
        rc = die("--text needs a text model%s%s", "", "");
    else
        rc = info.family == VNN_MODEL_CNN ? run_images(&o, m, &info, weights)
                                          : run_texts(&o, m, &info, weights);
    vnn_model_free(m);
    return rc;
}
