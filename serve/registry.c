#include "serve/registry.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_model_file(const struct dirent *e)
{
    size_t n = strlen(e->d_name), ext = strlen(".safetensors");
    return n > ext && strcmp(e->d_name + n - ext, ".safetensors") == 0;
}

/* Names go into URLs and Prometheus labels: letters, digits, '_', '-', '.'. */
static int good_name(const char *s, size_t n)
{
    if (n == 0 || n >= sizeof(((struct served_model *)0)->name))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-' || s[i] == '.'))
            return 0;
    return 1;
}

/* The defaults with this model's overrides applied, in command-line order. */
static struct batcher_opts opts_for(const char *name, const struct batcher_opts *defaults,
                                    const struct model_override *ov, size_t n_ov)
{
    struct batcher_opts o = *defaults;
    for (size_t i = 0; i < n_ov; i++) {
        if (strcmp(ov[i].name, name) != 0)
            continue;
        switch (ov[i].field) {
        case OPT_MAX_BATCH: o.max_batch = ov[i].value; break;
        case OPT_MAX_DELAY_US: o.max_delay_us = ov[i].value; break;
        case OPT_QUEUE: o.queue = ov[i].value; break;
        case OPT_INSTANCES: o.instances = (int)ov[i].value; break;
        }
    }
    return o;
}

int registry_load(struct registry *r, const char *dir, const struct batcher_opts *defaults,
                  const struct model_override *ov, size_t n_ov, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    struct dirent **names;
    int n = scandir(dir, &names, is_model_file, alphasort);
    if (n < 0) {
        snprintf(err, errlen, "%s: cannot read the folder", dir);
        return -1;
    }
    int rc = 0;
    r->models = calloc(n ? (size_t)n : 1, sizeof *r->models);
    if (!r->models) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    for (int i = 0; i < n; i++) {
        const char *f = names[i]->d_name;
        size_t stem = strlen(f) - strlen(".safetensors");
        if (rc == 0 && !good_name(f, stem)) {
            snprintf(err, errlen, "%s/%s: a model name takes letters, digits, '_', '-', '.' "
                     "(at most 63)", dir, f);
            rc = -1;
        }
        if (rc == 0) {
            struct served_model *m = &r->models[r->count];
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, f);
            memcpy(m->name, f, stem);
            m->name[stem] = '\0';
            if (vnn_model_load(path, &m->model) != VNN_OK) {
                snprintf(err, errlen, "%s: %s", path, vnn_last_error());
                rc = -1;
            } else {
                struct batcher_opts o = opts_for(m->name, defaults, ov, n_ov);
                m->opts = o;
                vnn_model_get_info(m->model, &m->info);
                model_metrics_init(&m->metrics, o.max_batch);
                r->count++;
                if (batcher_create(m->model, &o, &m->metrics, &m->batcher)) {
                    snprintf(err, errlen, "%s: cannot start its workers", path);
                    rc = -1;
                }
            }
        }
        free(names[i]);
    }
    free(names);
    if (rc == 0 && r->count == 0) {
        snprintf(err, errlen, "%s: no *.safetensors models", dir);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < n_ov; i++)
        if (!registry_find(r, ov[i].name, strlen(ov[i].name))) {
            snprintf(err, errlen, "an option names model '%s', which %s does not hold",
                     ov[i].name, dir);
            rc = -1;
        }
    if (rc)
        registry_free(r);
    return rc;
}

struct served_model *registry_find(struct registry *r, const char *name, size_t len)
{
    for (size_t i = 0; i < r->count; i++)
        if (strlen(r->models[i].name) == len && memcmp(r->models[i].name, name, len) == 0)
            return &r->models[i];
    return NULL;
}

void registry_free(struct registry *r)
{
    for (size_t i = 0; i < r->count; i++) {
        batcher_destroy(r->models[i].batcher);
        model_metrics_destroy(&r->models[i].metrics);
        vnn_model_free(r->models[i].model);
    }
    free(r->models);
    memset(r, 0, sizeof *r);
}
