#include "serve/batcher.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct worker {
    struct batcher *b;
    pthread_t thread;
    vnn_model_context *ctx; /* taken from the pool for one batch */
    /* The batch's inputs and outputs, grown to the largest batch seen. */
    float *images, *logits, *probs;
    int64_t *ids, *lengths;
    size_t cap_images, cap_logits, cap_probs, cap_ids, cap_lengths;
};

struct batcher {
    const vnn_model *model;
    vnn_model_info info;
    struct batcher_opts opts;
    struct model_metrics *metrics;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct serve_job *head, *tail;
    int64_t depth;
    int stopping;
    int workers;
    struct worker *worker;
    /* One context per instance; a batch (or an inline run) holds one. */
    vnn_model_context **pool;
    int n_pool, n_free;
};

double serve_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static struct timespec abs_time(double t)
{
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static struct serve_job *pop(struct batcher *b)
{
    struct serve_job *j = b->head;
    b->head = j->next;
    if (!b->head)
        b->tail = NULL;
    j->next = NULL;
    b->depth--;
    return j;
}

/* Grows *buf to hold n elements of size sz; 0 on success. */
static int reserve(void **buf, size_t *cap, size_t n, size_t sz)
{
    if (n <= *cap)
        return 0;
    void *p = realloc(*buf, n * sz);
    if (!p)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

/* One job on its own buffers; sets its code (no wake-up). */
static void run_one(struct batcher *b, vnn_model_context *ctx, struct serve_job *j)
{
    vnn_status st = b->info.family == VNN_MODEL_CNN
                        ? vnn_model_run_images(b->model, ctx, j->n, j->images, j->logits,
                                               j->probs)
                        : vnn_model_run_tokens(b->model, ctx, j->n, j->t, j->ids, j->lengths,
                                               j->logits, j->probs);
    j->http_code = st == VNN_OK ? 200 : 500;
    if (st != VNN_OK)
        snprintf(j->error, sizeof j->error, "model run failed: %s", vnn_last_error());
}

static void finish(struct serve_job *j, unsigned code, const char *msg)
{
    j->http_code = code;
    if (msg)
        snprintf(j->error, sizeof j->error, "%s", msg);
    sem_post(&j->done);
}

/* Runs jobs[0..count) as one model call (a single job runs on its own
 * buffers). */
static void run_batch(struct worker *w, struct serve_job **jobs, int64_t count, int64_t samples)
{
    struct batcher *b = w->b;
    const vnn_model_info *in = &b->info;
    int64_t C = in->classes;
    vnn_status st;
    char msg[256];
    if (count == 1) {
        run_one(b, w->ctx, jobs[0]);
        sem_post(&jobs[0]->done);
        return;
    }
    size_t out = (size_t)(samples * C);
    int bad = reserve((void **)&w->logits, &w->cap_logits, out, sizeof(float)) ||
              reserve((void **)&w->probs, &w->cap_probs, out, sizeof(float));
    if (!bad && in->family == VNN_MODEL_CNN) {
        size_t px = (size_t)(in->height * in->width * in->channels), at = 0;
        bad = reserve((void **)&w->images, &w->cap_images, (size_t)samples * px, sizeof(float));
        for (int64_t k = 0; k < count && !bad; k++) {
            memcpy(w->images + at, jobs[k]->images, (size_t)jobs[k]->n * px * sizeof(float));
            at += (size_t)jobs[k]->n * px;
        }
        st = bad ? VNN_ERR_OUT_OF_MEMORY
                 : vnn_model_run_images(b->model, w->ctx, samples, w->images, w->logits,
                                        w->probs);
    } else if (!bad) {
        /* Pad every row to the longest request's width. */
        int64_t T = 1, row = 0;
        for (int64_t k = 0; k < count; k++)
            T = jobs[k]->t > T ? jobs[k]->t : T;
        bad = reserve((void **)&w->ids, &w->cap_ids, (size_t)(samples * T), sizeof(int64_t)) ||
              reserve((void **)&w->lengths, &w->cap_lengths, (size_t)samples, sizeof(int64_t));
        for (int64_t k = 0; k < count && !bad; k++)
            for (int64_t i = 0; i < jobs[k]->n; i++, row++) {
                int64_t *dst = w->ids + row * T;
                memcpy(dst, jobs[k]->ids + i * jobs[k]->t, (size_t)jobs[k]->t * sizeof(int64_t));
                memset(dst + jobs[k]->t, 0, (size_t)(T - jobs[k]->t) * sizeof(int64_t));
                w->lengths[row] = jobs[k]->lengths ? jobs[k]->lengths[i] : jobs[k]->t;
            }
        st = bad ? VNN_ERR_OUT_OF_MEMORY
                 : vnn_model_run_tokens(b->model, w->ctx, samples, T, w->ids, w->lengths,
                                        w->logits, w->probs);
    } else {
        st = VNN_ERR_OUT_OF_MEMORY;
    }
    if (st != VNN_OK)
        snprintf(msg, sizeof msg, "model run failed: %s",
                 bad ? "out of memory for the batch" : vnn_last_error());
    size_t at = 0;
    for (int64_t k = 0; k < count; k++) {
        struct serve_job *j = jobs[k];
        size_t rows = (size_t)(j->n * C);
        if (st == VNN_OK) {
            if (j->logits)
                memcpy(j->logits, w->logits + at, rows * sizeof(float));
            if (j->probs)
                memcpy(j->probs, w->probs + at, rows * sizeof(float));
        }
        at += rows;
        finish(j, st == VNN_OK ? 200 : 500, st == VNN_OK ? NULL : msg);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct batcher *b = w->b;
    int64_t max = b->opts.max_batch;
    struct serve_job **jobs = malloc((size_t)max * sizeof *jobs);
    double *queued = malloc((size_t)max * sizeof *queued);
    if (!jobs || !queued)
        abort(); /* max_batch is bounded by the options: this is tiny */
    pthread_mutex_lock(&b->lock);
    for (;;) {
        while (!(b->head && b->n_free) && !(b->stopping && !b->head))
            pthread_cond_wait(&b->wake, &b->lock);
        if (!b->head)
            break; /* stopping and drained */
        w->ctx = b->pool[--b->n_free];
        int64_t count = 0, samples = 0;
        struct serve_job *first = pop(b);
        jobs[count++] = first;
        samples = first->n;
        double until = first->queued_at + 1e-6 * (double)b->opts.max_delay_us;
        /* Gather: the next request joins if it fits; wait for more while the
         * oldest may still wait (not when stopping: drain fast). */
        while (samples < max && count < max) {
            if (b->head) {
                if (samples + b->head->n > max)
                    break;
                struct serve_job *j = pop(b);
                jobs[count++] = j;
                samples += j->n;
                continue;
            }
            if (b->stopping || serve_now() >= until)
                break;
            struct timespec ts = abs_time(until);
            pthread_cond_timedwait(&b->wake, &b->lock, &ts);
        }
        pthread_mutex_unlock(&b->lock);

        /* Requests past their deadline are answered without running. */
        double now = serve_now();
        int64_t keep = 0, kept_samples = 0;
        for (int64_t k = 0; k < count; k++) {
            struct serve_job *j = jobs[k];
            if (j->deadline > 0 && now > j->deadline) {
                char msg[128];
                snprintf(msg, sizeof msg, "deadline exceeded after %.1f ms in the queue",
                         1e3 * (now - j->queued_at));
                finish(j, 504, msg);
                continue;
            }
            queued[keep] = now - j->queued_at;
            jobs[keep++] = j;
            kept_samples += j->n;
        }
        if (keep) {
            metrics_queued(b->metrics, queued, keep);
            run_batch(w, jobs, keep, kept_samples);
            metrics_batch(b->metrics, kept_samples);
        }
        pthread_mutex_lock(&b->lock);
        b->pool[b->n_free++] = w->ctx;
        w->ctx = NULL;
        if (b->head || b->stopping)
            pthread_cond_broadcast(&b->wake); /* a context is free again */
    }
    pthread_mutex_unlock(&b->lock);
    free(jobs);
    free(queued);
    return NULL;
}

int batcher_create(const vnn_model *model, const struct batcher_opts *opts,
                   struct model_metrics *metrics, struct batcher **out)
{
    *out = NULL;
    struct batcher *b = calloc(1, sizeof *b);
    if (!b)
        return -1;
    b->model = model;
    b->opts = *opts;
    b->metrics = metrics;
    vnn_model_get_info(model, &b->info);
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->wake, NULL);
    b->worker = calloc((size_t)opts->instances, sizeof *b->worker);
    b->pool = calloc((size_t)opts->instances, sizeof *b->pool);
    if (!b->worker || !b->pool) {
        batcher_destroy(b);
        return -1;
    }
    for (int i = 0; i < opts->instances; i++) {
        if (vnn_model_context_create(model, &b->pool[i]) != VNN_OK) {
            batcher_destroy(b);
            return -1;
        }
        b->n_pool = b->n_free = i + 1;
    }
    for (int i = 0; i < opts->instances; i++) {
        struct worker *w = &b->worker[i];
        w->b = b;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            batcher_destroy(b);
            return -1;
        }
        b->workers++;
    }
    *out = b;
    return 0;
}

unsigned batcher_submit(struct batcher *b, struct serve_job *job)
{
    job->next = NULL;
    job->http_code = 0;
    job->error[0] = '\0';
    pthread_mutex_lock(&b->lock);
    if (b->stopping || b->depth >= b->opts.queue) {
        snprintf(job->error, sizeof job->error,
                 b->stopping ? "server is shutting down"
                             : "queue full: %lld requests waiting for this model (--queue)",
                 (long long)b->depth);
        pthread_mutex_unlock(&b->lock);
        return 503;
    }
    job->queued_at = serve_now();
    job->ran_inline = 0;
    if (b->opts.max_batch == 1 && !b->head && b->n_free) {
        /* Batching off, nothing waiting, an instance idle: run it on this
         * thread (no hand-off to a worker and back). */
        vnn_model_context *ctx = b->pool[--b->n_free];
        pthread_mutex_unlock(&b->lock);
        double queued = 0.0;
        metrics_queued(b->metrics, &queued, 1);
        run_one(b, ctx, job);
        metrics_batch(b->metrics, job->n);
        pthread_mutex_lock(&b->lock);
        b->pool[b->n_free++] = ctx;
        if (b->head)
            pthread_cond_broadcast(&b->wake); /* queued jobs need it */
        pthread_mutex_unlock(&b->lock);
        job->ran_inline = 1;
        return 0;
    }
    sem_init(&job->done, 0, 0);
    if (b->tail)
        b->tail->next = job;
    else
        b->head = job;
    b->tail = job;
    b->depth++;
    pthread_cond_signal(&b->wake);
    pthread_mutex_unlock(&b->lock);
    return 0;
}

void batcher_wait(struct serve_job *job)
{
    if (job->ran_inline)
        return;
    while (sem_wait(&job->done) != 0)
        ; /* EINTR */
    sem_destroy(&job->done);
}

int64_t batcher_depth(struct batcher *b)
{
    pthread_mutex_lock(&b->lock);
    int64_t d = b->depth;
    pthread_mutex_unlock(&b->lock);
    return d;
}

void batcher_destroy(struct batcher *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    b->stopping = 1;
    pthread_cond_broadcast(&b->wake);
    pthread_mutex_unlock(&b->lock);
    for (int i = 0; i < b->workers; i++)
        pthread_join(b->worker[i].thread, NULL);
    for (int i = 0; i < b->n_pool; i++)
        vnn_model_context_destroy(b->pool[i]);
    free(b->pool);
    for (int i = 0; i < b->workers; i++) {
        struct worker *w = &b->worker[i];
        free(w->images);
        free(w->logits);
        free(w->probs);
        free(w->ids);
        free(w->lengths);
    }
    free(b->worker);
    pthread_cond_destroy(&b->wake);
    pthread_mutex_destroy(&b->lock);
    free(b);
}
