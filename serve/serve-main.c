/* `vnn serve`: options, loading, and the life cycle (SIGTERM: stop
 * accepting, drain, exit 0). */
#include "serve/serve.h"

#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve/http.h"
#include "serve/registry.h"
#include "vnn/vnn.h"

void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: vnn serve [--models DIR] [options]\n"
            "\n"
            "Serves every *.safetensors model in DIR (named by its file name) over HTTP\n"
            "with the Open Inference Protocol (KServe v2), dynamic batching per model and\n"
            "Prometheus metrics. Default DIR: $VNN_MODELS_DIR, else the bundled weights\n"
            "(%s or %s).\n"
            "\n"
            "endpoints:\n"
            "  GET  /v2/health/live, /v2/health/ready    liveness; readiness (503 while draining)\n"
            "  GET  /v2                                   server metadata\n"
            "  GET  /v2/models/NAME[/ready]               model metadata (inputs, outputs); ready\n"
            "  POST /v2/models/NAME/infer                 tensors in JSON, or the binary tensor\n"
            "                                             data extension (Inference-Header-\n"
            "                                             Content-Length)\n"
            "  POST /v2/models/NAME/classify              text models: the body is raw text;\n"
            "                                             answers the label and class probabilities\n"
            "  GET  /metrics                              Prometheus text format\n"
            "\n"
            "options:\n"
            "  --models DIR        the folder of models\n"
            "  --host ADDR         IPv4 address to listen on (default 0.0.0.0)\n"
            "  --port N            TCP port (default 8000; 0: any free port, printed)\n"
            "  --port-file FILE    write the bound port to FILE once listening\n"
            "  --threads N         threads per op of a model run (default: all cores;\n"
            "                      also VNN_NUM_THREADS)\n"
            "  --max-batch N       samples per batched run, 1 turns batching off (default 16)\n"
            "  --max-delay-us N    how long a request may wait for others to join its batch\n"
            "                      (default 500)\n"
            "  --queue N           requests waiting per model, beyond it 503 at once (default 128)\n"
            "  --instances N       model instances (contexts, workers) per model (default 1)\n"
            "                      These four also take MODEL=N for one model (repeatable):\n"
            "                      --max-batch 1 --max-batch cnn=64 batches only the cnn.\n"
            "  --max-body BYTES    request body limit, beyond it 413 (default 16777216)\n"
            "  --deadline-ms N     a request not started within N ms gets 504 (default 10000;\n"
            "                      a request's parameters.timeout in us may shorten it)\n"
            "  --connections N     simultaneous connections, at most (default 1024)\n"
            "  --drain-ms N        on SIGTERM, how long to wait for in-flight requests\n"
            "                      (default 30000)\n"
            "  -h, --help          this help\n"
            "\n"
            "SIGTERM or SIGINT: stop accepting, answer the requests in flight, exit 0.\n",
            VNN_MODELS_DIR, VNN_INSTALLED_MODELS_DIR);
}

enum { O_MODELS = 256, O_HOST, O_PORT, O_PORTFILE, O_THREADS, O_INST, O_BATCH, O_DELAY,
       O_QUEUE, O_BODY, O_DEADLINE, O_CONN, O_DRAIN };
#define MAX_OVERRIDES 64

static int die(const char *msg, const char *arg)
{
    fprintf(stderr, "vnn serve: %s%s\n", msg, arg ? arg : "");
    return 1;
}

static int count_arg(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Parses an integer option in [lo, hi]; on failure says which and returns 1. */
static int int_option(const char *name, const char *s, long long lo, long long hi,
                      long long *out)
{
    if (!count_arg(s, lo, hi, out))
        return 0;
    fprintf(stderr, "vnn serve: %s: need an integer in [%lld, %lld], not %s\n", name, lo, hi, s);
    return 1;
}

/* --max-batch N sets every model's value, --max-batch NAME=N one model's. */
static int batching_arg(int opt, const char *arg, struct batcher_opts *defaults,
                        struct model_override *ov, size_t *n_ov)
{
    static const struct {
        int opt;
        const char *name;
        long long lo, hi;
        enum opt_field field;
    } spec[] = {
        {O_BATCH, "--max-batch", 1, 4096, OPT_MAX_BATCH},
        {O_DELAY, "--max-delay-us", 0, 10000000, OPT_MAX_DELAY_US},
        {O_QUEUE, "--queue", 1, 1 << 20, OPT_QUEUE},
        {O_INST, "--instances", 1, 64, OPT_INSTANCES},
    };
    size_t k = 0;
    while (spec[k].opt != opt)
        k++;
    const char *eq = strchr(arg, '='), *num = eq ? eq + 1 : arg;
    long long v;
    if (count_arg(num, spec[k].lo, spec[k].hi, &v)) {
        fprintf(stderr, "vnn serve: %s %s: need [MODEL=]N with N in [%lld, %lld]\n",
                spec[k].name, arg, spec[k].lo, spec[k].hi);
        return -1;
    }
    if (eq) {
        size_t len = (size_t)(eq - arg);
        if (len == 0 || len >= sizeof ov->name || *n_ov == MAX_OVERRIDES) {
            fprintf(stderr, "vnn serve: %s %s: bad model name or too many per-model options\n",
                    spec[k].name, arg);
            return -1;
        }
        struct model_override *o = &ov[(*n_ov)++];
        memcpy(o->name, arg, len);
        o->name[len] = '\0';
        o->field = spec[k].field;
        o->value = v;
        return 0;
    }
    switch (spec[k].field) {
    case OPT_MAX_BATCH: defaults->max_batch = v; break;
    case OPT_MAX_DELAY_US: defaults->max_delay_us = v; break;
    case OPT_QUEUE: defaults->queue = v; break;
    case OPT_INSTANCES: defaults->instances = (int)v; break;
    }
    return 0;
}

static const char *default_models(void)
{
    const char *env = getenv("VNN_MODELS_DIR");
    if (env && *env)
        return env;
    return access(VNN_MODELS_DIR, R_OK) == 0 ? VNN_MODELS_DIR : VNN_INSTALLED_MODELS_DIR;
}

static int write_port(const char *path, int port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "%d\n", port);
    if (fclose(f) != 0)
        return -1;
    return rename(tmp, path);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"models", required_argument, 0, O_MODELS},
        {"host", required_argument, 0, O_HOST},
        {"port", required_argument, 0, O_PORT},
        {"port-file", required_argument, 0, O_PORTFILE},
        {"threads", required_argument, 0, O_THREADS},
        {"instances", required_argument, 0, O_INST},
        {"max-batch", required_argument, 0, O_BATCH},
        {"max-delay-us", required_argument, 0, O_DELAY},
        {"queue", required_argument, 0, O_QUEUE},
        {"max-body", required_argument, 0, O_BODY},
        {"deadline-ms", required_argument, 0, O_DEADLINE},
        {"connections", required_argument, 0, O_CONN},
        {"drain-ms", required_argument, 0, O_DRAIN},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *models = NULL, *port_file = NULL;
    struct http_opts http = {.host = "0.0.0.0", .port = 8000, .max_body = 16u << 20,
                             .deadline_ms = 10000, .connections = 1024};
    struct batcher_opts bo = {.max_batch = 16, .max_delay_us = 500, .queue = 128, .instances = 1};
    struct model_override ov[MAX_OVERRIDES];
    size_t n_ov = 0;
    long long v, threads = 0, drain_ms = 30000;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_MODELS: models = optarg; break;
        case O_HOST: http.host = optarg; break;
        case O_PORTFILE: port_file = optarg; break;
        case O_PORT:
            if (int_option("--port", optarg, 0, 65535, &v))
                return 1;
            http.port = (int)v;
            break;
        case O_THREADS:
            if (int_option("--threads", optarg, 1, 1024, &threads))
                return 1;
            break;
        case O_INST:
        case O_BATCH:
        case O_DELAY:
        case O_QUEUE:
            if (batching_arg(c, optarg, &bo, ov, &n_ov))
                return 1;
            break;
        case O_BODY:
            if (int_option("--max-body", optarg, 1, (long long)1 << 32, &v))
                return 1;
            http.max_body = (size_t)v;
            break;
        case O_DEADLINE:
            if (int_option("--deadline-ms", optarg, 1, 86400000, &v))
                return 1;
            http.deadline_ms = v;
            break;
        case O_CONN:
            if (int_option("--connections", optarg, 1, 65536, &v))
                return 1;
            http.connections = (unsigned)v;
            break;
        case O_DRAIN:
            if (int_option("--drain-ms", optarg, 0, 86400000, &drain_ms))
                return 1;
            break;
        case 'h': serve_usage(stdout); return 0;
        default:
            return die("unknown or incomplete option (see vnn serve --help): ", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return die("unexpected argument ", argv[optind]);
    if (vnn_isa_env_error())
        return die(vnn_isa_env_error(), NULL);
    if (threads)
        vnn_set_num_threads((int)threads);
    if (!models)
        models = default_models();

    /* Signals are taken by sigwait below: block them before any thread
     * starts so every thread inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    char err[4096];
    struct registry reg;
    if (registry_load(&reg, models, &bo, ov, n_ov, err, sizeof err))
        return die(err, NULL);
    struct server srv;
    if (server_start(&srv, &http, &reg, err, sizeof err)) {
        registry_free(&reg);
        return die(err, NULL);
    }
    fprintf(stderr, "vnn serve: listening on http://%s:%d (isa %s, %d threads per op); models:",
            http.host, srv.port, vnn_isa_name(vnn_get_isa()), vnn_get_num_threads());
    for (size_t i = 0; i < reg.count; i++) {
        const struct served_model *m = &reg.models[i];
        fprintf(stderr, "%s %s (%s: max batch %lld, max delay %lld us, queue %lld, %d instance%s)",
                i ? "," : "", m->name, m->info.family_name, (long long)m->opts.max_batch,
                (long long)m->opts.max_delay_us, (long long)m->opts.queue, m->opts.instances,
                m->opts.instances > 1 ? "s" : "");
    }
    fprintf(stderr, "\n");
    if (port_file && write_port(port_file, srv.port)) {
        server_stop(&srv);
        registry_free(&reg);
        return die("cannot write the port file ", port_file);
    }

    int sig;
    while (sigwait(&sigs, &sig) != 0)
        ;
    fprintf(stderr, "vnn serve: %s: draining %ld requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT", atomic_load(&srv.in_flight));
    server_quiesce(&srv);
    struct timespec tick = {0, 5 * 1000 * 1000};
    for (long long waited = 0; atomic_load(&srv.in_flight) > 0 && waited < drain_ms; waited += 5)
        nanosleep(&tick, NULL);
    long left = atomic_load(&srv.in_flight);
    server_stop(&srv);
    registry_free(&reg);
    fprintf(stderr, "vnn serve: stopped%s\n", left ? " (drain time ran out)" : "");
    return 0;
}
