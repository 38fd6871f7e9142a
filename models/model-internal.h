/* Internal: what every model family provides, and the loaded model they
 * share. models/model.c holds the public entry points (load, info, runs,
 * contexts); each family's graph lives in its own file (cnn.c, bilstm.c,
 * transformer.c) and calls only public ops. */
#ifndef VNN_MODEL_INTERNAL_H
#define VNN_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "models/safetensors.h"
#include "models/tokenizer.h"
#include "vnn/gemm.h"
#include "vnn/model.h"

struct vnn_model_family_ops {
    const char *name; /* the vnn.family value */
    vnn_model_family family;
    /* Reads the family's metadata into m->info and its weights from f,
     * converted and packed into m->layers. On failure it leaves whatever it
     * built in m->layers for destroy(). */
    vnn_status (*build)(struct vnn_model *m, const struct vnn_st_file *f);
    void (*destroy)(void *layers);
    /* Floats of activation buffer a run of N samples of at most T tokens
     * needs (T = 0 for images), or 0 if that overflows. */
    size_t (*buffer_floats)(const struct vnn_model *m, int64_t N, int64_t T);
    /* Samples one forward pass should take at most so that its
     * activations stay in cache (0: any number); larger batches are run in
     * chunks of this many. */
    int64_t (*chunk_samples)(const struct vnn_model *m, int64_t T);
    /* logits [N][classes] from a validated input. buf holds
     * buffer_floats(N, T) floats, 64-byte aligned. */
    vnn_status (*forward)(const struct vnn_model *m, float *buf, int64_t N, int64_t T,
                          const void *input, const int64_t *lengths, float *logits);
};

extern const struct vnn_model_family_ops vnn_cnn_family, vnn_bilstm_family,
    vnn_transformer_family;

struct vnn_model {
    vnn_model_info info;
    const struct vnn_model_family_ops *ops;
    void *layers; /* the family's own struct */
    /* Copies of the file's __metadata__ and the class names. */
    size_t n_meta;
    char **meta_keys, **meta_values;
    char **labels;
    struct vnn_tokenizer *tokenizer; /* text families */
};

/* Loader helpers (model-load.c), each failing with a message naming the
 * key or tensor. */
/* An integer metadata value in [lo, hi]. */
vnn_status vnn_meta_int(const struct vnn_st_file *f, const char *key, int64_t lo, int64_t hi,
                        int64_t *out);
/* A finite float metadata value in [lo, hi]. */
vnn_status vnn_meta_float(const struct vnn_st_file *f, const char *key, double lo, double hi,
                          float *out);
/* The tensor `name` as floats in a new aligned buffer (vnn_aligned_free),
 * after checking that it exists, holds floats (F32, F16, BF16) and has
 * exactly the shape [dims...] (ndim entries). */
vnn_status vnn_load_floats(const struct vnn_st_file *f, const char *name, int ndim,
                           const int64_t *dims, float **out);
/* A dense layer y = x W^T + b: W [out][in] and b [out] from the file,
 * W packed for the GEMM, b kept as floats. */
struct vnn_dense {
    int64_t in, out;
    struct vnn_packed_b *w;
    float *b;
};
vnn_status vnn_dense_load(const struct vnn_st_file *f, const char *prefix, int64_t in,
                          int64_t out, struct vnn_dense *d);
/* y [M][out] = act(x [M][in] W^T + b); x rows ldx floats apart. */
vnn_status vnn_dense_run(const struct vnn_dense *d, int64_t M, const float *x, int64_t ldx,
                         float *y, int relu);
/* y [M][out] += x [M][in] W^T + b: a residual connection in the GEMM's
 * epilogue (no separate add pass over y). */
vnn_status vnn_dense_run_residual(const struct vnn_dense *d, int64_t M, const float *x,
                                  int64_t ldx, float *y);
void vnn_dense_free(struct vnn_dense *d);
/* The tokenizer from the tokenizer.* keys, for a vocabulary of `vocab`. */
vnn_status vnn_tokenizer_load(const struct vnn_st_file *f, int64_t vocab,
                              struct vnn_tokenizer **out);

#endif
