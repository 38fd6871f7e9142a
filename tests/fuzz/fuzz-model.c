/* libFuzzer target: the model loader (vnn_model_load_memory), then, for a
 * file it accepts, everything a caller can ask of the model: info, labels,
 * metadata, tokenizing, and a small batch through a fresh context (only
 * when the file's sizes keep the activations small). */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnn/vnn.h"

static int64_t config(const vnn_model *m, const char *key)
{
    const char *v;
    return vnn_model_config(m, key, &v) == VNN_OK ? strtoll(v, NULL, 10) : 0;
}

static void exercise(const vnn_model *m)
{
    vnn_model_info info;
    if (vnn_model_get_info(m, &info) != VNN_OK || info.classes < 1)
        abort();
    const char *label;
    if (vnn_model_label(m, info.classes - 1, &label) != VNN_OK ||
        vnn_model_label(m, info.classes, &label) != VNN_ERR_INVALID_ARG)
        abort();
    if (info.classes > 64)
        return;
    float logits[2 * 64], probs[2 * 64];
    vnn_model_context *ctx;
    if (vnn_model_context_create(m, &ctx) != VNN_OK)
        return;
    if (info.family == VNN_MODEL_CNN) {
        /* The largest activation is about H * W * max(K1, K2, K3, dense). */
        int64_t k = config(m, "cnn.conv1");
        const char *keys[] = {"cnn.conv2", "cnn.conv3", "cnn.dense"};
        for (int i = 0; i < 3; i++)
            if (config(m, keys[i]) > k)
                k = config(m, keys[i]);
        if (info.height * info.width * (info.channels > k ? info.channels : k) <= (1 << 18)) {
            size_t n = (size_t)(2 * info.height * info.width * info.channels);
            float *images = malloc(n * sizeof *images);
            if (images) {
                for (size_t i = 0; i < n; i++)
                    images[i] = (float)(i % 7) / 7.0f;
                vnn_model_run_images(m, ctx, 2, images, logits, probs);
            }
            free(images);
        }
    } else {
        int64_t count, ids[2 * 8], lengths[2] = {8, 3};
        static const char text[] = "Subject: win free money now\n\nhello";
        if (vnn_model_tokenize(m, text, sizeof text - 1, ids, 8, &count) != VNN_OK ||
            count < 1 || count > info.max_tokens)
            abort();
        int64_t width = info.family == VNN_MODEL_BILSTM ? config(m, "bilstm.hidden")
                                                        : config(m, "transformer.d_model") *
                                                              (config(m, "transformer.ffn") + 1);
        if (width <= (1 << 16) && info.max_sequence >= 8) {
            for (int i = 0; i < 16; i++)
                ids[i] = i % info.vocab;
            vnn_model_run_tokens(m, ctx, 2, 8, ids, lengths, logits, probs);
        }
    }
    vnn_model_context_destroy(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    vnn_model *m = (vnn_model *)copy; /* anything non-NULL */
    vnn_status st = vnn_model_load_memory(copy, size, &m);
    free(copy); /* the model must not keep pointers into the buffer */
    if (st != VNN_OK) {
        if (m != NULL || st == VNN_ERR_INTERNAL || !vnn_last_error()[0])
            abort();
        return 0;
    }
    exercise(m);
    vnn_model_free(m);
    return 0;
}
