/* Whole models on vnn's kernels: the CNN image classifier, the BiLSTM text
 * classifier and the Transformer encoder classifier, loaded from a
 * safetensors file (models/weights-format.md gives the tensors and the
 * __metadata__ keys of each family; layer sizes, classes, vocabulary and
 * tokenizer settings travel in the file).
 *
 * Loading validates the whole file before trusting any of it (header
 * length, JSON, dtypes, shapes against the family's architecture, offsets
 * in range and not overlapping, sizes without overflow); a bad file gives
 * VNN_ERR_BAD_FILE and vnn_last_error() names the tensor or field. Weights
 * (F32, F16 or BF16 in the file) are converted to float and packed for the
 * kernels once, at load.
 *
 * Weights are packed for the kernels of the ISA selected at load time, and
 * the convolution, LSTM and dense layers keep using those kernels if
 * vnn_set_isa() changes later (the other ops follow the current ISA): to
 * run a model on a forced ISA, select it before loading.
 *
 * A loaded model is read-only: any number of threads may run it at once,
 * each with its own context (or NULL, below). A context holds the
 * activation buffers of one run; it grows to the largest batch it has seen
 * and is reused, so runs of that size or smaller allocate nothing.
 *
 * Outputs are per sample: logits [N][classes] and probabilities (softmax of
 * the logits) [N][classes]; either may be NULL. Results do not depend on
 * the thread count, on the batch a sample runs in, or on the padding of a
 * token batch. */
#ifndef VNN_MODEL_H
#define VNN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "vnn/export.h"
#include "vnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vnn_model_family {
    VNN_MODEL_CNN = 1,         /* images [N][H][W][C] floats (NHWC) */
    VNN_MODEL_BILSTM = 2,      /* token ids, per-sequence lengths */
    VNN_MODEL_TRANSFORMER = 3, /* token ids, per-sequence lengths */
} vnn_model_family;

typedef struct vnn_model_info {
    vnn_model_family family;
    const char *family_name; /* "cnn", "bilstm", "transformer" */
    int64_t classes;
    /* CNN: the input image; 0 for the text models. */
    int64_t height, width, channels;
    /* Text models: vocabulary size (ids in [0, vocab); 0 is PAD, 1 UNK),
     * the tokenizer's truncation length, and the longest sequence a run
     * accepts (the Transformer's learned positions; INT64_MAX for the
     * BiLSTM). 0 for the CNN. */
    int64_t vocab, max_tokens, max_sequence;
} vnn_model_info;

typedef struct vnn_model vnn_model;
typedef struct vnn_model_context vnn_model_context;

/* Loads a safetensors file. *out is NULL on failure. */
VNN_API vnn_status vnn_model_load(const char *path, vnn_model **out);
/* The same from a buffer of `size` bytes (copied where needed: the buffer
 * may be freed once this returns). */
VNN_API vnn_status vnn_model_load_memory(const void *data, size_t size, vnn_model **out);
/* NULL is fine. */
VNN_API vnn_status vnn_model_free(vnn_model *model);

VNN_API vnn_status vnn_model_get_info(const vnn_model *model, vnn_model_info *info);
/* The file's __metadata__ value for `key` (e.g. "transformer.heads"), valid
 * while the model lives; VNN_ERR_INVALID_ARG if the key is absent. */
VNN_API vnn_status vnn_model_config(const vnn_model *model, const char *key,
                                    const char **value);
/* The name of class `cls` (e.g. "Sneaker", "spam"). */
VNN_API vnn_status vnn_model_label(const vnn_model *model, int64_t cls, const char **name);

/* A run's buffers, for one thread at a time. */
VNN_API vnn_status vnn_model_context_create(const vnn_model *model, vnn_model_context **out);
/* NULL is fine. */
VNN_API vnn_status vnn_model_context_destroy(vnn_model_context *ctx);

/* CNN: images [N][height][width][channels] (the bundled model takes pixel
 * values / 255). ctx: one made for this model, or NULL for a context made
 * and freed within the call. */
VNN_API vnn_status vnn_model_run_images(const vnn_model *model, vnn_model_context *ctx,
                                        int64_t N, const float *images, float *logits,
                                        float *probs);

/* Text models: ids [N][T] (row n holds sequence n in its first lengths[n]
 * entries; the rest is padding and is not read), lengths N values in
 * [1, T] (NULL: all T). T at most max_sequence. Every id read must be in
 * [0, vocab). */
VNN_API vnn_status vnn_model_run_tokens(const vnn_model *model, vnn_model_context *ctx,
                                        int64_t N, int64_t T, const int64_t *ids,
                                        const int64_t *lengths, float *logits, float *probs);

/* Text models: the ids of `text` (len bytes, any content) under the model's
 * tokenizer (models/weights-format.md): at most max_tokens ids, and at
 * least one (an empty text gives UNK). ids holds `capacity` entries;
 * *count gets the number of ids (all of them are written only if
 * capacity >= *count; max_tokens is always enough). */
VNN_API vnn_status vnn_model_tokenize(const vnn_model *model, const char *text, size_t len,
                                      int64_t *ids, int64_t capacity, int64_t *count);

#ifdef __cplusplus
}
#endif

#endif
