/* Shared by the model tests: the bundled weights and PyTorch goldens
 * (tests/models/golden), read with vnn's own safetensors reader. */
#ifndef VNN_MODEL_FIXTURES_H
#define VNN_MODEL_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "vnn/model.h"

/* A golden batch: images (cnn) or ids + lengths (text), PyTorch's logits
 * and probabilities, and PyTorch's accuracy on the whole test set. */
struct golden {
    int64_t N, T, C; /* T: tokens per row (0 for images) */
    float *images;   /* [N][H][W][C] */
    int64_t *ids, *lengths;
    float *logits, *probs;
    int64_t test_correct, test_count;
};

/* Path of a repository file (VT_SOURCE_ROOT/rel). */
const char *fixture_path(const char *rel, char *buf, size_t size);
/* The bundled model of a family; fails the test if it does not load. */
vnn_model *fixture_model(const char *family);
/* The whole bundled file as bytes (free()). */
void *fixture_model_bytes(const char *family, size_t *size);
/* Fails the test if the golden file is missing or malformed. */
void golden_read(const char *family, struct golden *g);
void golden_free(struct golden *g);
/* Runs the golden batch (ctx may be NULL), logits [N][C]. */
void golden_run(const vnn_model *m, const struct golden *g, float *logits);

#endif
