/* libFuzzer target: the safetensors reader. Any bytes are either refused
 * with VNN_ERR_BAD_FILE and a message, or parsed into tensors that lie
 * inside the buffer and convert without reading past it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/safetensors.h"
#include "vnn/vnn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes, so ASan sees any read past the end. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    if (size)
        memcpy(copy, data, size);
    struct vnn_st_file *f = (struct vnn_st_file *)copy; /* anything non-NULL */
    vnn_status st = vnn_st_parse(copy, size, &f);
    if (st != VNN_OK) {
        if (f != NULL || st != VNN_ERR_BAD_FILE || !vnn_last_error()[0])
            abort(); /* a refusal must be BAD_FILE, with a message, and *out NULL */
        free(copy);
        return 0;
    }
    for (size_t i = 0; i < vnn_st_count(f); i++) {
        const struct vnn_st_tensor *t = vnn_st_at(f, i);
        if (t->data < copy || t->bytes > size || t->data + t->bytes > copy + size ||
            vnn_st_find(f, t->name) != t)
            abort();
        /* Every element converted (count * 8 <= 4 * bytes for the float
         * dtypes, == bytes for I64: bounded by the file's size). */
        size_t n = (size_t)t->count;
        if (t->dtype == VNN_ST_I64) {
            int64_t *v = malloc(n * sizeof *v + 1);
            if (v)
                vnn_st_to_i64(t, v);
            free(v);
        } else {
            float *v = malloc(n * sizeof *v + 1);
            if (v)
                vnn_st_to_float(t, v);
            free(v);
        }
    }
    for (size_t i = 0; i < vnn_st_meta_count(f); i++) {
        const char *key, *value;
        vnn_st_meta_at(f, i, &key, &value);
        if (vnn_st_meta(f, key) != value && strcmp(vnn_st_meta(f, key), value) != 0)
            abort();
    }
    vnn_st_free(f);
    free(copy);
    return 0;
}
