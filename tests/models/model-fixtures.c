#include "model-fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/safetensors.h"
#include "vt.h"

const char *fixture_path(const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", VT_SOURCE_ROOT, rel);
    return buf;
}

void *fixture_model_bytes(const char *family, size_t *size)
{
    char rel[128], path[4096];
    snprintf(rel, sizeof rel, "models/weights/%s.safetensors", family);
    void *data;
    vnn_status st = vnn_st_read_file(fixture_path(rel, path, sizeof path), &data, size);
    VT_CHECK(st == VNN_OK, "%s: %s", path, vnn_last_error());
    return data;
}

vnn_model *fixture_model(const char *family)
{
    char rel[128], path[4096];
    snprintf(rel, sizeof rel, "models/weights/%s.safetensors", family);
    vnn_model *m;
    vnn_status st = vnn_model_load(fixture_path(rel, path, sizeof path), &m);
    VT_CHECK(st == VNN_OK, "%s: %s (%s)", path, vnn_status_str(st), vnn_last_error());
    return m;
}

static void *tensor(const struct vnn_st_file *f, const char *file, const char *name,
                    int ndim, int64_t *dims)
{
    const struct vnn_st_tensor *t = vnn_st_find(f, name);
    VT_CHECK(t && t->ndim == ndim, "%s: no %d-d tensor \"%s\"", file, ndim, name);
    for (int i = 0; i < ndim; i++)
        dims[i] = t->shape[i];
    /* Guarded and read-only: the models' inputs (images, ids, lengths). */
    size_t elem = t->dtype == VNN_ST_I64 ? sizeof(int64_t) : sizeof(float);
    void *out = vt_alloc_bytes((size_t)t->count * elem, elem);
    if (t->dtype == VNN_ST_I64)
        vnn_st_to_i64(t, out);
    else
        vnn_st_to_float(t, out);
    vt_readonly(out);
    return out;
}

void golden_read(const char *family, struct golden *g)
{
    char rel[128], path[4096];
    snprintf(rel, sizeof rel, "tests/models/golden/%s.safetensors", family);
    fixture_path(rel, path, sizeof path);
    void *data;
    size_t size;
    vnn_status st = vnn_st_read_file(path, &data, &size);
    VT_CHECK(st == VNN_OK, "%s: %s", path, vnn_last_error());
    struct vnn_st_file *f;
    st = vnn_st_parse(data, size, &f);
    VT_CHECK(st == VNN_OK, "%s: %s", path, vnn_last_error());
    *g = (struct golden){0};
    int64_t d[4];
    if (strcmp(family, "cnn") == 0) {
        g->images = tensor(f, path, "input", 4, d);
        g->N = d[0];
    } else {
        g->ids = tensor(f, path, "ids", 2, d);
        g->N = d[0];
        g->T = d[1];
        g->lengths = tensor(f, path, "lengths", 1, d);
        VT_CHECK(d[0] == g->N, "%s: lengths do not match ids", path);
    }
    g->logits = tensor(f, path, "logits", 2, d);
    VT_CHECK(d[0] == g->N, "%s: logits do not match the inputs", path);
    g->C = d[1];
    g->probs = tensor(f, path, "probs", 2, d);
    const char *correct = vnn_st_meta(f, "pytorch.test_correct");
    const char *count = vnn_st_meta(f, "pytorch.test_count");
    VT_CHECK(correct && count, "%s: no pytorch.test_correct / test_count metadata", path);
    g->test_correct = atoll(correct);
    g->test_count = atoll(count);
    vnn_st_free(f);
    free(data);
}

void golden_free(struct golden *g)
{
    vt_free(g->images);
    vt_free(g->ids);
    vt_free(g->lengths);
    vt_free(g->logits);
    vt_free(g->probs);
}

void golden_run(const vnn_model *m, const struct golden *g, float *logits)
{
    vnn_status st = g->images
                        ? vnn_model_run_images(m, NULL, g->N, g->images, logits, NULL)
                        : vnn_model_run_tokens(m, NULL, g->N, g->T, g->ids, g->lengths, logits,
                                               NULL);
    VT_CHECK(st == VNN_OK, "run: %s (%s)", vnn_status_str(st), vnn_last_error());
}
