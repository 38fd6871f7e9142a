/* Dynamic batching for one model (as Triton's dynamic batcher): requests
 * wait in a bounded queue; a worker takes the oldest and adds the next ones
 * while the batch holds at most max_batch samples and the oldest has waited
 * less than max_delay; the batch runs as one model call and each request
 * gets its own rows back. The model's results do not depend on the batch a
 * sample runs in or on token padding (include/vnn/model.h), so batched
 * answers equal unbatched ones. */
#ifndef VNN_SERVE_BATCHER_H
#define VNN_SERVE_BATCHER_H

#include <semaphore.h>
#include <stdint.h>

#include "serve/metrics.h"
#include "vnn/model.h"

struct serve_job {
    /* Input: n samples; images [n][H][W][C], or ids [n][t] and lengths [n]. */
    int64_t n, t;
    float *images;
    int64_t *ids, *lengths;
    /* Output, [n][classes] each, owned by the submitter. */
    float *logits, *probs;
    double deadline; /* monotonic seconds; not started by then: 504 */
    /* Set by the worker before done is posted. */
    unsigned http_code; /* 200, 500, 503 or 504 */
    char error[256];
    /* Private to the batcher. */
    double queued_at;
    int ran_inline; /* run by batcher_submit itself (batching off, idle) */
    sem_t done;
    struct serve_job *next;
};

struct batcher_opts {
    int64_t max_batch;    /* samples per run; 1 turns batching off */
    int64_t max_delay_us; /* how long the oldest request may wait for others */
    int64_t queue;        /* requests waiting, at most */
    int instances;        /* workers, each with its own context */
};

struct batcher;

/* 0 on success; -1 with errno-like failure (out of memory, thread). */
int batcher_create(const vnn_model *model, const struct batcher_opts *opts,
                   struct model_metrics *metrics, struct batcher **out);
/* Queues the job, or with batching off and an instance idle runs it at
 * once on the calling thread. 0, or an HTTP code (503) with job->error
 * naming the reason when the queue is full or stopping. */
unsigned batcher_submit(struct batcher *b, struct serve_job *job);
/* Waits for a submitted job and releases its semaphore. */
void batcher_wait(struct serve_job *job);
int64_t batcher_depth(struct batcher *b);
/* Refuses new jobs, runs the queued ones, joins the workers, frees. */
void batcher_destroy(struct batcher *b);

double serve_now(void);

#endif
