/* Tiny valid model files, made in memory: one per family, with seeded
 * random weights and every field models/weights-format.md asks for. The
 * reliability tests (allocation failure, threads) load them without the
 * bundled weights, and the fuzzers' seed corpora are written from them
 * (tests/fuzz/make-seeds.c). */
#ifndef VNN_TINY_MODELS_H
#define VNN_TINY_MODELS_H

#include <stddef.h>

/* The families' names, NULL-terminated: "cnn", "bilstm", "transformer". */
extern const char *const tiny_families[];

/* A safetensors file of the family (malloc'ed; free()), or NULL if the
 * family is unknown or memory ran out. half: store the weights as F16 (one
 * in three) and BF16 (one in three) instead of F32 only. */
unsigned char *tiny_model(const char *family, int half, size_t *size);

#endif
