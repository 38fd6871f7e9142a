/* Internal: a validating safetensors reader (models/weights-format.md). It
 * knows files, not models: a loader asks it for tensors by name and for
 * __metadata__ values, and maps them onto a family's layers.
 *
 * vnn_st_parse checks the whole file before returning it: every field's
 * type, every dtype, shape and offset, sizes without overflow, tensors in
 * the data section and not overlapping. A bad file gives VNN_ERR_BAD_FILE
 * and vnn_last_error() names the tensor or field. A parsed file is
 * read-only: any number of threads may query it at once. */
#ifndef VNN_MODELS_SAFETENSORS_H
#define VNN_MODELS_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "vnn/status.h"

#define VNN_ST_MAX_DIMS 8

enum vnn_st_dtype { VNN_ST_F32, VNN_ST_F16, VNN_ST_BF16, VNN_ST_I64 };

struct vnn_st_tensor {
    const char *name;
    enum vnn_st_dtype dtype;
    int ndim;                       /* 0 .. VNN_ST_MAX_DIMS */
    int64_t shape[VNN_ST_MAX_DIMS];
    int64_t count;                  /* product of shape (1 for ndim 0) */
    const unsigned char *data;      /* into the caller's buffer; any alignment */
    size_t bytes;
};

struct vnn_st_file;

/* Parses and validates a whole file held in data[0..size). The buffer is
 * borrowed: it must outlive the returned file. *out is NULL on failure. */
vnn_status vnn_st_parse(const void *data, size_t size, struct vnn_st_file **out);
/* Reads a whole file into a malloc'ed buffer (free() it). Refuses files
 * over 2 GiB (VNN_ERR_BAD_FILE) and non-regular files (VNN_ERR_IO). */
vnn_status vnn_st_read_file(const char *path, void **data, size_t *size);
void vnn_st_free(struct vnn_st_file *f); /* NULL is fine */

/* Tensors in header order. */
size_t vnn_st_count(const struct vnn_st_file *f);
const struct vnn_st_tensor *vnn_st_at(const struct vnn_st_file *f, size_t i);
const struct vnn_st_tensor *vnn_st_find(const struct vnn_st_file *f, const char *name); /* NULL if absent */
const char *vnn_st_meta(const struct vnn_st_file *f, const char *key); /* NULL if absent */
/* The metadata as pairs: i in [0, vnn_st_meta_count), sorted by key. */
size_t vnn_st_meta_count(const struct vnn_st_file *f);
void vnn_st_meta_at(const struct vnn_st_file *f, size_t i, const char **key, const char **value);

/* count floats: F32 copied, F16 and BF16 converted exactly (subnormals,
 * inf, NaN included); I64 converted as (float). */
void vnn_st_to_float(const struct vnn_st_tensor *t, float *dst);
/* I64 tensors only: copies count int64 values (little-endian). Any other
 * dtype writes count zeros. */
void vnn_st_to_i64(const struct vnn_st_tensor *t, int64_t *dst);

#endif
