/* Helpers the families' loaders share: typed metadata, tensors checked
 * against the shape the architecture needs, dense layers packed once. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "models/model-internal.h"

vnn_status vnn_meta_int(const struct vnn_st_file *f, const char *key, int64_t lo, int64_t hi,
                        int64_t *out)
{
    const char *s = vnn_st_meta(f, key);
    if (!s)
        return vnn_error(VNN_ERR_BAD_FILE, "metadata \"%s\" is missing", key);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end != '\0' || v < lo || v > hi)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "metadata \"%s\" is \"%.40s\", not an integer in [%" PRId64
                         ", %" PRId64 "]",
                         key, s, lo, hi);
    *out = v;
    return VNN_OK;
}

vnn_status vnn_meta_float(const struct vnn_st_file *f, const char *key, double lo, double hi,
                          float *out)
{
    const char *s = vnn_st_meta(f, key);
    if (!s)
        return vnn_error(VNN_ERR_BAD_FILE, "metadata \"%s\" is missing", key);
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v) || v < lo || v > hi)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "metadata \"%s\" is \"%.40s\", not a number in [%g, %g]", key, s, lo,
                         hi);
    *out = (float)v;
    return VNN_OK;
}

static void shape_str(char *buf, size_t size, int ndim, const int64_t *dims)
{
    size_t at = 0;
    at += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < ndim && at < size; i++)
        at += (size_t)snprintf(buf + at, size - at, "%s%" PRId64, i ? "," : "", dims[i]);
    if (at < size)
        snprintf(buf + at, size - at, "]");
}

vnn_status vnn_load_floats(const struct vnn_st_file *f, const char *name, int ndim,
                           const int64_t *dims, float **out)
{
    *out = NULL;
    const struct vnn_st_tensor *t = vnn_st_find(f, name);
    if (!t)
        return vnn_error(VNN_ERR_BAD_FILE, "tensor \"%s\" is missing", name);
    if (t->dtype == VNN_ST_I64)
        return vnn_error(VNN_ERR_BAD_FILE, "tensor \"%s\": dtype I64, need F32, F16 or BF16",
                         name);
    int same = t->ndim == ndim;
    for (int i = 0; same && i < ndim; i++)
        same = t->shape[i] == dims[i];
    if (!same) {
        char got[160], want[160];
        shape_str(got, sizeof got, t->ndim, t->shape);
        shape_str(want, sizeof want, ndim, dims);
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tensor \"%s\": shape %s, but the model's sizes need %s", name, got,
                         want);
    }
    size_t bytes;
    if (!vnn_mul_size((size_t)t->count, sizeof(float), &bytes) ||
        !(*out = vnn_aligned_alloc(bytes ? bytes : sizeof(float))))
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "tensor \"%s\": no memory for %" PRId64
                         " floats", name, t->count);
    vnn_st_to_float(t, *out);
    return VNN_OK;
}

vnn_status vnn_dense_load(const struct vnn_st_file *f, const char *prefix, int64_t in,
                          int64_t out, struct vnn_dense *d)
{
    char name[128];
    float *w = NULL;
    *d = (struct vnn_dense){.in = in, .out = out};
    snprintf(name, sizeof name, "%s.weight", prefix);
    vnn_status st = vnn_load_floats(f, name, 2, (int64_t[]){out, in}, &w);
    if (st == VNN_OK) {
        snprintf(name, sizeof name, "%s.bias", prefix);
        st = vnn_load_floats(f, name, 1, (int64_t[]){out}, &d->b);
    }
    /* PyTorch's [out][in] is B transposed: y = x W^T. */
    if (st == VNN_OK && (st = vnn_sgemm_pack_b(VNN_TRANS, in, out, w, in, &d->w)) != VNN_OK)
        vnn_error(st, "%s.weight: packing failed: %s", prefix, vnn_status_str(st));
    vnn_aligned_free(w);
    return st;
}

vnn_status vnn_dense_run(const struct vnn_dense *d, int64_t M, const float *x, int64_t ldx,
                         float *y, int relu)
{
    vnn_gemm_epilogue ep = {.bias = d->b, .act = relu ? VNN_ACT_RELU : VNN_ACT_NONE};
    return vnn_sgemm_packed(VNN_NO_TRANS, M, 1.0f, x, ldx, d->w, 0.0f, y, d->out, &ep);
}

vnn_status vnn_dense_run_residual(const struct vnn_dense *d, int64_t M, const float *x,
                                  int64_t ldx, float *y)
{
    vnn_gemm_epilogue ep = {.bias = d->b, .act = VNN_ACT_NONE};
    return vnn_sgemm_packed(VNN_NO_TRANS, M, 1.0f, x, ldx, d->w, 1.0f, y, d->out, &ep);
}

void vnn_dense_free(struct vnn_dense *d)
{
    vnn_packed_b_destroy(d->w);
    vnn_aligned_free(d->b);
    d->w = NULL;
    d->b = NULL;
}

vnn_status vnn_tokenizer_load(const struct vnn_st_file *f, int64_t vocab,
                              struct vnn_tokenizer **out)
{
    *out = NULL;
    const char *kind = vnn_st_meta(f, "tokenizer.kind");
    if (!kind)
        return vnn_error(VNN_ERR_BAD_FILE, "metadata \"tokenizer.kind\" is missing");
    if (strcmp(kind, "words-v1") != 0)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "metadata \"tokenizer.kind\" is \"%.40s\"; only words-v1 is known",
                         kind);
    int64_t max_tokens;
    vnn_status st = vnn_meta_int(f, "tokenizer.max_tokens", 1, 1 << 20, &max_tokens);
    if (st != VNN_OK)
        return st;
    const char *words = vnn_st_meta(f, "tokenizer.vocab");
    if (!words)
        return vnn_error(VNN_ERR_BAD_FILE, "metadata \"tokenizer.vocab\" is missing");
    return vnn_tokenizer_create(words, strlen(words), vocab, max_tokens, out);
}
