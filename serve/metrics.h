/* The server's Prometheus metrics: counters and histograms updated by the
 * HTTP and batching threads, rendered in the text exposition format. */
#ifndef VNN_SERVE_METRICS_H
#define VNN_SERVE_METRICS_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

/* The HTTP status codes the server answers with, as counter slots. */
enum serve_code {
    SC_200, SC_400, SC_404, SC_405, SC_413, SC_500, SC_503, SC_504,
    SC_COUNT
};
int serve_code_slot(unsigned http_code);

#define HIST_MAX_BUCKETS 20

struct histogram {
    int buckets;
    const double *bounds; /* upper bounds, ascending; +Inf is implicit */
    uint64_t counts[HIST_MAX_BUCKETS + 1];
    uint64_t count;
    double sum;
};

/* Inferences per second over the last RATE_WINDOW whole seconds. */
#define RATE_WINDOW 10

struct model_metrics {
    pthread_mutex_t lock;
    uint64_t requests[SC_COUNT]; /* inference requests by answer */
    struct histogram latency;    /* request received -> answer ready, seconds */
    struct histogram queue_time; /* queued -> taken by a worker, seconds */
    struct histogram batch_size; /* samples per model run */
    uint64_t inferences;         /* samples run */
    uint64_t rate_counts[RATE_WINDOW];
    int64_t rate_second[RATE_WINDOW];
};

void model_metrics_init(struct model_metrics *m, int64_t max_batch);
void model_metrics_destroy(struct model_metrics *m);
void metrics_request(struct model_metrics *m, unsigned http_code, double latency_s);
/* A batch is taken: each request's time in the queue (before the run, so a
 * client sees its request started). */
void metrics_queued(struct model_metrics *m, const double *queue_s, int64_t jobs);
/* A batch ran. */
void metrics_batch(struct model_metrics *m, int64_t samples);

/* Requests to every path by answer (health, metadata, metrics, unknown). */
struct server_metrics {
    pthread_mutex_t lock;
    uint64_t http[SC_COUNT];
};
void server_metrics_request(struct server_metrics *s, unsigned http_code);

struct metrics_model {
    const char *name;
    struct model_metrics *metrics;
    int64_t queue_depth;
};
/* Writes the exposition text to out. */
void metrics_render(FILE *out, struct server_metrics *s, const struct metrics_model *models,
                    size_t n);

#endif
