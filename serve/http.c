#include "serve/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve/protocol.h"

/* Per request: its body as it arrives. */
struct request {
    char *body;
    size_t len, cap;
    int too_large;
    double t0;
};

/* An answer: body (malloc'd, taken over), status, content type, extra headers. */
struct answer {
    unsigned code;
    char *body;
    size_t len;
    const char *type;
    size_t json_len; /* binary extension: Inference-Header-Content-Length */
};

static struct answer json_answer(unsigned code, char *body, size_t len)
{
    return (struct answer){.code = code, .body = body, .len = len, .type = "application/json"};
}

static struct answer error_answer(unsigned code, const char *msg)
{
    size_t len;
    char *body = protocol_error(msg, &len);
    return json_answer(code, body, len);
}

static struct answer literal(unsigned code, const char *json)
{
    size_t len = strlen(json);
    char *body = malloc(len + 1);
    if (body)
        memcpy(body, json, len + 1);
    return json_answer(code, body, body ? len : 0);
}

static enum MHD_Result send_answer(struct server *s, struct MHD_Connection *c, struct answer a)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        a.body ? a.len : 0, a.body ? a.body : (void *)"", a.body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(a.body);
        return MHD_NO;
    }
    if (!a.body)
        a.code = 500; /* out of memory building the answer */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, a.type ? a.type : "application/json");
    if (a.json_len) {
        char n[32];
        snprintf(n, sizeof n, "%zu", a.json_len);
        MHD_add_response_header(r, "Inference-Header-Content-Length", n);
    }
    if (a.code == 503)
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    /* While draining, clients should not reuse the connection. */
    if (atomic_load(&s->draining))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, a.code, r);
    MHD_destroy_response(r);
    server_metrics_request(&s->metrics, a.code);
    return ret;
}

static size_t header_size(struct MHD_Connection *c, const char *name, int *present)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    *present = v != NULL;
    if (!v)
        return 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (end == v || *end)
        return SIZE_MAX;
    return (size_t)n;
}

static struct answer infer(struct server *s, struct served_model *m, struct MHD_Connection *c,
                           struct request *q)
{
    char err[512];
    int has_header;
    size_t json_len = header_size(c, "Inference-Header-Content-Length", &has_header);
    if (!has_header)
        json_len = q->len;
    struct serve_job job;
    struct infer_io io;
    unsigned code = protocol_parse_infer(&m->info, q->body, q->len, json_len, &job, &io, err,
                                         sizeof err);
    if (code)
        return error_answer(code, err);
    double budget = (double)s->opts.deadline_ms * 1e-3;
    if (io.timeout_us && (double)io.timeout_us * 1e-6 < budget)
        budget = (double)io.timeout_us * 1e-6;
    job.deadline = q->t0 + budget;
    struct answer a;
    code = batcher_submit(m->batcher, &job);
    if (code) {
        a = error_answer(code, job.error);
    } else {
        batcher_wait(&job);
        if (job.http_code != 200) {
            a = error_answer(job.http_code, job.error);
        } else {
            size_t len, jl;
            char *body = protocol_infer_response(m->name, &m->info, &job, &io, &len, &jl);
            a = json_answer(200, body, len);
            if (body && jl != len) {
                a.type = "application/octet-stream";
                a.json_len = jl;
            }
        }
    }
    protocol_job_free(&job, &io);
    return a;
}

static struct answer classify(struct server *s, struct served_model *m, struct request *q)
{
    if (m->info.family == VNN_MODEL_CNN)
        return error_answer(400, "classify takes text: this is an image model (use infer)");
    int64_t M = m->info.max_tokens, count = 0, len1;
    float *probs = malloc((size_t)m->info.classes * sizeof(float));
    struct serve_job job = {.n = 1, .ids = malloc((size_t)M * sizeof(int64_t)), .probs = probs};
    struct answer a;
    if (!job.ids || !probs) {
        a = error_answer(500, "out of memory");
    } else if (vnn_model_tokenize(m->model, q->body ? q->body : "", q->len, job.ids, M, &count) != VNN_OK) {
        a = error_answer(500, vnn_last_error());
    } else {
        job.t = len1 = count;
        job.lengths = &len1;
        job.deadline = q->t0 + (double)s->opts.deadline_ms * 1e-3;
        unsigned code = batcher_submit(m->batcher, &job);
        if (!code) {
            batcher_wait(&job);
            code = job.http_code;
        }
        if (code != 200) {
            a = error_answer(code, job.error);
        } else {
            size_t len;
            char *body = protocol_classify_response(m->name, m->model, &m->info, probs, count, &len);
            a = json_answer(200, body, len);
        }
    }
    free(job.ids);
    free(probs);
    return a;
}

static int is(const char *method, const char *want)
{
    return strcmp(method, want) == 0;
}

/* /v2/models/{name}[/{action}] */
static struct answer model_route(struct server *s, struct MHD_Connection *c, const char *method,
                                 const char *rest, struct request *q)
{
    const char *slash = strchr(rest, '/');
    size_t nlen = slash ? (size_t)(slash - rest) : strlen(rest);
    struct served_model *m = registry_find(s->registry, rest, nlen);
    const char *action = slash ? slash + 1 : "";
    /* /versions/1/... is the same model (one version each). */
    if (strncmp(action, "versions/1", 10) == 0 && (action[10] == '\0' || action[10] == '/'))
        action = action[10] ? action + 11 : "";
    int known = !*action || is(action, "ready") || is(action, "infer") || is(action, "classify");
    if (!known)
        return error_answer(404, "unknown path (the model's paths: '', ready, infer, classify)");
    if (!m) {
        char msg[160];
        snprintf(msg, sizeof msg, "unknown model '%.*s'", (int)(nlen > 64 ? 64 : nlen), rest);
        return error_answer(404, msg);
    }
    int post = is(action, "infer") || is(action, "classify");
    if (post ? !is(method, "POST") : !(is(method, "GET") || is(method, "HEAD")))
        return error_answer(405, post ? "use POST" : "use GET");
    if (!*action) {
        size_t len;
        char *body = protocol_metadata(m->name, &m->info, &len);
        return json_answer(200, body, len);
    }
    if (is(action, "ready"))
        return atomic_load(&s->draining) ? literal(503, "{\"ready\":false}")
                                         : literal(200, "{\"ready\":true}");
    unsigned code = 0;
    struct answer a = q->too_large ? (code = 413, error_answer(413, "request body too large (--max-body)"))
                      : is(action, "infer") ? infer(s, m, c, q)
                                            : classify(s, m, q);
    metrics_request(&m->metrics, a.body ? a.code : 500, serve_now() - q->t0);
    (void)code;
    return a;
}

static struct answer metrics_answer(struct server *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return error_answer(500, "out of memory");
    struct registry *r = s->registry;
    struct metrics_model *mm = calloc(r->count, sizeof *mm);
    for (size_t i = 0; mm && i < r->count; i++)
        mm[i] = (struct metrics_model){r->models[i].name, &r->models[i].metrics,
                                       batcher_depth(r->models[i].batcher)};
    if (mm)
        metrics_render(f, &s->metrics, mm, r->count);
    free(mm);
    fclose(f);
    struct answer a = json_answer(200, buf, len);
    a.type = "text/plain; version=0.0.4; charset=utf-8";
    return a;
}

static struct answer route(struct server *s, struct MHD_Connection *c, const char *url,
                           const char *method, struct request *q)
{
    int get = is(method, "GET") || is(method, "HEAD");
    if (strncmp(url, "/v2/models/", 11) == 0)
        return model_route(s, c, method, url + 11, q);
    if (q->too_large)
        return error_answer(413, "request body too large (--max-body)");
    int known = is(url, "/v2/health/live") || is(url, "/v2/health/ready") || is(url, "/v2") ||
                is(url, "/metrics");
    if (!known)
        return error_answer(404, "unknown path");
    if (!get)
        return error_answer(405, "use GET");
    if (is(url, "/v2/health/live"))
        return literal(200, "{\"live\":true}");
    if (is(url, "/v2/health/ready"))
        return atomic_load(&s->draining) ? literal(503, "{\"ready\":false}")
                                         : literal(200, "{\"ready\":true}");
    if (is(url, "/metrics"))
        return metrics_answer(s);
    return literal(200, "{\"name\":\"vnn\",\"version\":\"" "0.1.0" "\","
                        "\"extensions\":[\"binary_tensor_data\",\"classify\"]}");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **state)
{
    (void)version;
    struct server *s = cls;
    struct request *q = *state;
    if (!q) {
        if (!(q = calloc(1, sizeof *q)))
            return MHD_NO;
        q->t0 = serve_now();
        *state = q;
        atomic_fetch_add(&s->in_flight, 1);
        int present;
        size_t declared = header_size(c, MHD_HTTP_HEADER_CONTENT_LENGTH, &present);
        if (present && declared > s->opts.max_body) {
            /* Refuse before reading a byte of it. */
            char msg[160];
            snprintf(msg, sizeof msg, "request body of %zu bytes is over the limit of %zu (--max-body)",
                     declared, s->opts.max_body);
            return send_answer(s, c, error_answer(413, msg));
        }
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (q->too_large || n > s->opts.max_body - q->len) {
            q->too_large = 1; /* chunked upload past the limit: drop it */
            free(q->body);
            q->body = NULL;
            q->len = q->cap = 0;
            return MHD_YES;
        }
        if (q->len + n + 1 > q->cap) {
            size_t cap = q->cap ? q->cap : 4096;
            while (cap < q->len + n + 1)
                cap *= 2;
            char *b = realloc(q->body, cap);
            if (!b)
                return MHD_NO;
            q->body = b;
            q->cap = cap;
        }
        memcpy(q->body + q->len, upload, n);
        q->len += n;
        q->body[q->len] = '\0';
        return MHD_YES;
    }
    return send_answer(s, c, route(s, c, url, method, q));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state,
                         enum MHD_RequestTerminationCode why)
{
    (void)c;
    (void)why;
    struct server *s = cls;
    struct request *q = *state;
    if (!q)
        return;
    free(q->body);
    free(q);
    *state = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

int server_start(struct server *s, const struct http_opts *o, struct registry *r, char *err,
                 size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->opts = *o;
    s->registry = r;
    pthread_mutex_init(&s->metrics.lock, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->host, &addr.sin_addr) != 1) {
        snprintf(err, errlen, "--host %s: not an IPv4 address", o->host);
        return -1;
    }
    /* A thread per connection: a request's thread parses, waits for its
     * batch and answers; keep-alive connections keep their thread. */
    s->daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
            MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
        o->connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_THREAD_STACK_SIZE, (size_t)512 * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)1024, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s:%d", o->host, o->port);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : o->port;
    return 0;
}

void server_quiesce(struct server *s)
{
    atomic_store(&s->draining, 1);
    MHD_socket fd = MHD_quiesce_daemon(s->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
}

void server_stop(struct server *s)
{
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    pthread_mutex_destroy(&s->metrics.lock);
}
