/* libFuzzer target: the words-v1 tokenizer. The input is split at its
 * first 0xff byte: before it a vocabulary (a tokenizer is created from it
 * if it is valid; its size is the number of lines + 2), after it the text.
 * The text is also encoded with a fixed vocabulary, so text mutations are
 * exercised even when the vocabulary is refused. Encoding never reads past
 * the text, never writes past capacity, and returns 1 .. max_tokens ids,
 * each in [0, vocab). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/tokenizer.h"
#include "vnn/vnn.h"

static void encode(const struct vnn_tokenizer *t, int64_t vocab, const char *text, size_t len)
{
    int64_t max = vnn_tokenizer_max_tokens(t);
    int64_t *ids = malloc((size_t)max * sizeof *ids);
    if (!ids)
        return;
    int64_t n = vnn_tokenizer_encode(t, text, len, ids, max);
    if (n < 1 || n > max)
        abort();
    for (int64_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= vocab)
            abort();
    /* A smaller capacity writes a prefix of the same ids, nothing more. */
    int64_t cap = n / 2;
    int64_t *part = malloc((size_t)(cap ? cap : 1) * sizeof *part);
    if (part) {
        if (vnn_tokenizer_encode(t, text, len, cap ? part : NULL, cap) != n ||
            (cap && memcmp(part, ids, (size_t)cap * sizeof *ids) != 0))
            abort();
    }
    free(part);
    free(ids);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vnn_tokenizer *fixed;
    static const char words[] = "free\nmoney\nhello\nwin\nsubject\nfrom";
    if (!fixed && vnn_tokenizer_create(words, sizeof words - 1, 8, 16, &fixed) != VNN_OK)
        abort();
    const uint8_t *split = memchr(data, 0xff, size);
    size_t vlen = split ? (size_t)(split - data) : 0;
    size_t tlen = split ? size - vlen - 1 : size;
    /* Exact-size copies, so ASan sees any read past either end. */
    char *vocab = malloc(vlen ? vlen : 1), *text = malloc(tlen ? tlen : 1);
    if (!vocab || !text)
        goto done;
    memcpy(vocab, data, vlen);
    memcpy(text, split ? split + 1 : data, tlen);
    encode(fixed, 8, text, tlen);
    if (split) {
        int64_t lines = 1;
        for (size_t i = 0; i < vlen; i++)
            lines += vocab[i] == '\n';
        int64_t max_tokens = vlen ? 1 + (uint8_t)vocab[0] % 32 : 1;
        struct vnn_tokenizer *t = (struct vnn_tokenizer *)vocab;
        vnn_status st = vnn_tokenizer_create(vocab, vlen, lines + 2, max_tokens, &t);
        if (st == VNN_OK) {
            encode(t, lines + 2, text, tlen);
            vnn_tokenizer_free(t);
        } else if (t != NULL || st != VNN_ERR_BAD_FILE) {
            abort();
        }
    }
done:
    free(vocab);
    free(text);
    return 0;
}
