#include "serve/metrics.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const unsigned code_values[SC_COUNT] = {200, 400, 404, 405, 413, 500, 503, 504};

int serve_code_slot(unsigned http_code)
{
    for (int i = 0; i < SC_COUNT; i++)
        if (code_values[i] == http_code)
            return i;
    return SC_500;
}

/* Latency and queue time: 50 us to 10 s, roughly x2.5 apart. */
static const double time_bounds[] = {50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3,
                                     10e-3, 25e-3,  50e-3,  100e-3, 250e-3, 500e-3, 1.0,
                                     2.5,   5.0,    10.0};
/* Batch sizes: powers of two up to 2^15. */
static const double size_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048,
                                     4096, 8192, 16384, 32768};

static void hist_init(struct histogram *h, const double *bounds, int n)
{
    memset(h, 0, sizeof *h);
    h->bounds = bounds;
    h->buckets = n;
}

static void hist_add(struct histogram *h, double v)
{
    int i = 0;
    while (i < h->buckets && v > h->bounds[i])
        i++;
    h->counts[i]++;
    h->count++;
    h->sum += v;
}

void model_metrics_init(struct model_metrics *m, int64_t max_batch)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->lock, NULL);
    hist_init(&m->latency, time_bounds, (int)(sizeof time_bounds / sizeof *time_bounds));
    hist_init(&m->queue_time, time_bounds, (int)(sizeof time_bounds / sizeof *time_bounds));
    /* Batch-size buckets up to the first power of two >= max_batch. */
    int n = 1;
    while (n < (int)(sizeof size_bounds / sizeof *size_bounds) && size_bounds[n - 1] < (double)max_batch)
        n++;
    hist_init(&m->batch_size, size_bounds, n);
}

void model_metrics_destroy(struct model_metrics *m)
{
    pthread_mutex_destroy(&m->lock);
}

void metrics_request(struct model_metrics *m, unsigned http_code, double latency_s)
{
    pthread_mutex_lock(&m->lock);
    m->requests[serve_code_slot(http_code)]++;
    hist_add(&m->latency, latency_s);
    pthread_mutex_unlock(&m->lock);
}

static int64_t now_second(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

void metrics_queued(struct model_metrics *m, const double *queue_s, int64_t jobs)
{
    pthread_mutex_lock(&m->lock);
    for (int64_t j = 0; j < jobs; j++)
        hist_add(&m->queue_time, queue_s[j]);
    pthread_mutex_unlock(&m->lock);
}

void metrics_batch(struct model_metrics *m, int64_t samples)
{
    int64_t sec = now_second();
    pthread_mutex_lock(&m->lock);
    hist_add(&m->batch_size, (double)samples);
    m->inferences += (uint64_t)samples;
    int slot = (int)(sec % RATE_WINDOW);
    if (m->rate_second[slot] != sec) {
        m->rate_second[slot] = sec;
        m->rate_counts[slot] = 0;
    }
    m->rate_counts[slot] += (uint64_t)samples;
    pthread_mutex_unlock(&m->lock);
}

void server_metrics_request(struct server_metrics *s, unsigned http_code)
{
    pthread_mutex_lock(&s->lock);
    s->http[serve_code_slot(http_code)]++;
    pthread_mutex_unlock(&s->lock);
}

static void hist_render(FILE *out, const char *metric, const char *model,
                        const struct histogram *h)
{
    uint64_t cum = 0;
    for (int i = 0; i < h->buckets; i++) {
        cum += h->counts[i];
        fprintf(out, "%s_bucket{model=\"%s\",le=\"%g\"} %llu\n", metric, model, h->bounds[i],
                (unsigned long long)cum);
    }
    cum += h->counts[h->buckets];
    fprintf(out, "%s_bucket{model=\"%s\",le=\"+Inf\"} %llu\n", metric, model,
            (unsigned long long)cum);
    fprintf(out, "%s_sum{model=\"%s\"} %.9g\n", metric, model, h->sum);
    fprintf(out, "%s_count{model=\"%s\"} %llu\n", metric, model, (unsigned long long)h->count);
}

/* Samples per second over the last RATE_WINDOW - 1 whole seconds (the
 * current one is still counting). */
static double rate_of(const struct model_metrics *m)
{
    int64_t sec = now_second();
    uint64_t total = 0;
    for (int i = 0; i < RATE_WINDOW; i++)
        if (m->rate_second[i] < sec && m->rate_second[i] >= sec - (RATE_WINDOW - 1))
            total += m->rate_counts[i];
    return (double)total / (RATE_WINDOW - 1);
}

/* One counter line per model and status code, codes from slot `first` on. */
static void by_model_and_code(FILE *out, const char *metric, const struct metrics_model *models,
                              const struct model_metrics *snap, size_t n, int first)
{
    for (size_t i = 0; i < n; i++)
        for (int c = first; c < SC_COUNT; c++)
            fprintf(out, "%s{model=\"%s\",code=\"%u\"} %llu\n", metric, models[i].name,
                    code_values[c], (unsigned long long)snap[i].requests[c]);
}

void metrics_render(FILE *out, struct server_metrics *s, const struct metrics_model *models,
                    size_t n)
{
    /* Snapshot under each lock, print outside it. */
    struct model_metrics *snap = calloc(n ? n : 1, sizeof *snap);
    if (!snap)
        return;
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&models[i].metrics->lock);
        snap[i] = *models[i].metrics;
        pthread_mutex_unlock(&models[i].metrics->lock);
    }
    uint64_t http[SC_COUNT];
    pthread_mutex_lock(&s->lock);
    memcpy(http, s->http, sizeof http);
    pthread_mutex_unlock(&s->lock);

    fprintf(out, "# HELP vnn_http_requests_total HTTP requests to every path, by status code.\n"
                 "# TYPE vnn_http_requests_total counter\n");
    for (int c = 0; c < SC_COUNT; c++)
        fprintf(out, "vnn_http_requests_total{code=\"%u\"} %llu\n", code_values[c],
                (unsigned long long)http[c]);
    fprintf(out, "# HELP vnn_inference_requests_total Inference requests (infer, classify) "
                 "by model and status code.\n"
                 "# TYPE vnn_inference_requests_total counter\n");
    by_model_and_code(out, "vnn_inference_requests_total", models, snap, n, 0);
    fprintf(out, "# HELP vnn_inference_errors_total Inference requests answered with an error "
                 "(4xx or 5xx), by model and status code.\n"
                 "# TYPE vnn_inference_errors_total counter\n");
    by_model_and_code(out, "vnn_inference_errors_total", models, snap, n, SC_400);
    fprintf(out, "# HELP vnn_request_duration_seconds Inference request latency, body "
                 "received to answer ready.\n"
                 "# TYPE vnn_request_duration_seconds histogram\n");
    for (size_t i = 0; i < n; i++)
        hist_render(out, "vnn_request_duration_seconds", models[i].name, &snap[i].latency);
    fprintf(out, "# HELP vnn_queue_duration_seconds Time a request waited in its model's "
                 "queue before a worker took it.\n"
                 "# TYPE vnn_queue_duration_seconds histogram\n");
    for (size_t i = 0; i < n; i++)
        hist_render(out, "vnn_queue_duration_seconds", models[i].name, &snap[i].queue_time);
    fprintf(out, "# HELP vnn_batch_size Samples per model run (dynamic batching).\n"
                 "# TYPE vnn_batch_size histogram\n");
    for (size_t i = 0; i < n; i++)
        hist_render(out, "vnn_batch_size", models[i].name, &snap[i].batch_size);
    fprintf(out, "# HELP vnn_queue_depth Requests waiting in the model's queue.\n"
                 "# TYPE vnn_queue_depth gauge\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "vnn_queue_depth{model=\"%s\"} %lld\n", models[i].name,
                (long long)models[i].queue_depth);
    fprintf(out, "# HELP vnn_inferences_total Samples run through the model.\n"
                 "# TYPE vnn_inferences_total counter\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "vnn_inferences_total{model=\"%s\"} %llu\n", models[i].name,
                (unsigned long long)snap[i].inferences);
    fprintf(out, "# HELP vnn_inferences_per_second Samples run per second over the last %d "
                 "whole seconds.\n"
                 "# TYPE vnn_inferences_per_second gauge\n",
            RATE_WINDOW - 1);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "vnn_inferences_per_second{model=\"%s\"} %.6g\n", models[i].name,
                rate_of(&snap[i]));
    free(snap);
}
