/* The served models: every *.safetensors file of a folder, loaded once,
 * named by its file name without the extension, each with its batcher and
 * metrics. */
#ifndef VNN_SERVE_REGISTRY_H
#define VNN_SERVE_REGISTRY_H

#include "serve/batcher.h"
#include "serve/metrics.h"
#include "vnn/model.h"

struct served_model {
    char name[64];
    vnn_model *model;
    vnn_model_info info;
    struct batcher_opts opts;
    struct batcher *batcher;
    struct model_metrics metrics;
};

struct registry {
    struct served_model *models;
    size_t count;
};

/* A batching option set for one model (--max-batch cnn=64). */
enum opt_field { OPT_MAX_BATCH, OPT_MAX_DELAY_US, OPT_QUEUE, OPT_INSTANCES };
struct model_override {
    char name[64];
    enum opt_field field;
    int64_t value;
};

/* 0, or -1 with a message in err (no model, a file that does not load, an
 * override naming no model of the folder). */
int registry_load(struct registry *r, const char *dir, const struct batcher_opts *defaults,
                  const struct model_override *ov, size_t n_ov, char *err, size_t errlen);
struct served_model *registry_find(struct registry *r, const char *name, size_t len);
/* Stops the batchers (running what they hold) and frees the models. */
void registry_free(struct registry *r);

#endif
