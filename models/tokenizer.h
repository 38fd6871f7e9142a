/* Internal: the words-v1 tokenizer of the text models (models/weights-format.md,
 * "Tokenizer"), byte for byte the twin of tools/models/tokenizer.py: e-mail
 * headers reduced to the Subject line, words = runs of ASCII letters and
 * digits lowercased, looked up in the file's vocabulary (PAD 0, UNK 1, the
 * vocabulary's words from id 2), truncated to max_tokens.
 *
 * A tokenizer is read-only once made: any number of threads may encode with
 * one at once, and encoding allocates nothing. */
#ifndef VNN_MODELS_TOKENIZER_H
#define VNN_MODELS_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "vnn/status.h"

#define VNN_TOKEN_PAD 0
#define VNN_TOKEN_UNK 1

struct vnn_tokenizer;

/* vocab: the words of ids 2, 3, ... separated by '\n' (the tokenizer.vocab
 * metadata), exactly vocab_size - 2 of them; copied, so it may be freed
 * after. Refuses (VNN_ERR_BAD_FILE, naming the word's line and id): a count
 * different from vocab_size - 2, an empty word, a word with a byte outside
 * [a-z0-9], a duplicate; max_tokens < 1. *out is NULL on failure. */
vnn_status vnn_tokenizer_create(const char *vocab, size_t vocab_len, int64_t vocab_size,
                                int64_t max_tokens, struct vnn_tokenizer **out);
void vnn_tokenizer_free(struct vnn_tokenizer *t); /* NULL is fine */

/* Tokenizes text[0..len) per words-v1; returns the token count n
 * (1 <= n <= max_tokens) and writes the first min(n, capacity) ids. Never
 * reads past len (text need not be NUL-terminated and may hold NUL bytes).
 * Returns 0, writing nothing, on a NULL t, a NULL text with len > 0 or NULL
 * ids with capacity > 0 (VNN_ERR_INVALID_ARG in vnn_last_error()). */
int64_t vnn_tokenizer_encode(const struct vnn_tokenizer *t, const char *text, size_t len,
                             int64_t *ids, int64_t capacity);
int64_t vnn_tokenizer_max_tokens(const struct vnn_tokenizer *t);

#endif
