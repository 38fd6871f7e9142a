/* words-v1 (models/weights-format.md): the header rule, the word rule and
 * an open-addressing table of the vocabulary built once at create, so
 * encoding only reads. Every scan is bounded by the given length: text may
 * hold NUL bytes and need not be terminated. */
#include "models/tokenizer.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/common/error.h"

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME 0x100000001b3ull

struct word {
    size_t off, len; /* in t->text */
    uint64_t hash;
};

struct vnn_tokenizer {
    int64_t max_tokens;
    size_t count;      /* vocabulary words (ids 2 .. count + 1) */
    size_t max_len;    /* longest word: a longer one is UNK without a look-up */
    struct word *words;
    uint32_t *slots;   /* word index + 1, 0 = empty; a power of two, at most half full */
    size_t mask;
    char *text;        /* the vocabulary's bytes */
};

static bool is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static uint64_t fnv_step(uint64_t h, unsigned char c) { return (h ^ c) * FNV_PRIME; }

/* The word index of a[0..n) lowercased, or -1. */
static int64_t lookup(const struct vnn_tokenizer *t, const char *a, size_t n, uint64_t hash)
{
    if (n > t->max_len || !t->count)
        return -1;
    for (size_t s = (size_t)hash & t->mask;; s = (s + 1) & t->mask) {
        uint32_t e = t->slots[s];
        if (!e)
            return -1;
        const struct word *w = &t->words[e - 1];
        if (w->hash != hash || w->len != n)
            continue;
        const char *b = t->text + w->off;
        size_t i = 0;
        while (i < n && lower((unsigned char)a[i]) == (unsigned char)b[i])
            i++;
        if (i == n)
            return (int64_t)e - 1;
    }
}

/* Checks one vocabulary line and puts it in the table. */
static vnn_status add_word(struct vnn_tokenizer *t, size_t k, size_t off, size_t len)
{
    const char *w = t->text + off;
    if (len == 0)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tokenizer.vocab: line %zu (id %zu) is an empty word", k + 1, k + 2);
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return vnn_error(VNN_ERR_BAD_FILE,
                             "tokenizer.vocab: line %zu (id %zu): byte 0x%02x at %zu (after "
                             "\"%.*s\") is outside [a-z0-9]",
                             k + 1, k + 2, c, i, (int)(i < 64 ? i : 64), w);
        h = fnv_step(h, c);
    }
    int64_t old = lookup(t, w, len, h);
    if (old >= 0)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tokenizer.vocab: line %zu (id %zu) \"%.*s\" repeats line %lld (id %lld)",
                         k + 1, k + 2, (int)(len < 64 ? len : 64), w, (long long)old + 1,
                         (long long)old + 2);
    t->words[k] = (struct word){off, len, h};
    size_t s = (size_t)h & t->mask;
    while (t->slots[s])
        s = (s + 1) & t->mask;
    t->slots[s] = (uint32_t)(k + 1);
    t->count = k + 1;
    if (len > t->max_len)
        t->max_len = len;
    return VNN_OK;
}

static vnn_status build(struct vnn_tokenizer *t, const char *vocab, size_t vocab_len, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    t->text = malloc(vocab_len ? vocab_len : 1);
    t->words = malloc((n ? n : 1) * sizeof *t->words);
    t->slots = calloc(cap, sizeof *t->slots);
    if (!t->text || !t->words || !t->slots)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "tokenizer: no memory for %zu words", n);
    t->mask = cap - 1;
    if (vocab_len)
        memcpy(t->text, vocab, vocab_len);
    size_t start = 0;
    for (size_t k = 0; k < n; k++) {
        const char *nl = memchr(t->text + start, '\n', vocab_len - start);
        size_t end = nl ? (size_t)(nl - t->text) : vocab_len;
        vnn_status st = add_word(t, k, start, end - start);
        if (st != VNN_OK)
            return st;
        start = end + 1;
    }
    return VNN_OK;
}

vnn_status vnn_tokenizer_create(const char *vocab, size_t vocab_len, int64_t vocab_size,
                                int64_t max_tokens, struct vnn_tokenizer **out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_tokenizer_create: out is NULL");
    *out = NULL;
    if (!vocab && vocab_len)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_tokenizer_create: vocab is NULL");
    if (max_tokens < 1)
        return vnn_error(VNN_ERR_BAD_FILE, "tokenizer.max_tokens is %lld, not at least 1",
                         (long long)max_tokens);
    if (vocab_size < 2 || (uint64_t)vocab_size - 2 >= UINT32_MAX / 2)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tokenizer: vocabulary size %lld is outside [2, %u] (PAD, UNK, words)",
                         (long long)vocab_size, UINT32_MAX / 2);
    /* Count lines first: a wrong size is refused before anything is allocated. */
    size_t lines = 0;
    if (vocab_len) {
        lines = 1;
        for (const char *p = vocab, *e = vocab + vocab_len;
             (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
            lines++;
    }
    size_t want = (size_t)(vocab_size - 2);
    if (lines != want)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tokenizer.vocab holds %zu words but a vocabulary of %lld needs %zu "
                         "(ids 2 .. %lld)",
                         lines, (long long)vocab_size, want, (long long)vocab_size - 1);
    struct vnn_tokenizer *t = calloc(1, sizeof *t);
    if (!t)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "tokenizer: no memory");
    t->max_tokens = max_tokens;
    vnn_status st = build(t, vocab, vocab_len, want);
    if (st != VNN_OK) {
        vnn_tokenizer_free(t);
        return st;
    }
    *out = t;
    return VNN_OK;
}

void vnn_tokenizer_free(struct vnn_tokenizer *t)
{
    if (!t)
        return;
    free(t->words);
    free(t->slots);
    free(t->text);
    free(t);
}

int64_t vnn_tokenizer_max_tokens(const struct vnn_tokenizer *t) { return t ? t->max_tokens : 0; }

/* Where encoding writes: counts every token, stores the first `capacity`. */
struct sink {
    int64_t n, max, capacity;
    int64_t *ids;
};

/* Splits s[0..len) into words and emits their ids; false once max is reached. */
static bool emit_words(const struct vnn_tokenizer *t, const char *s, size_t len, struct sink *k)
{
    size_t i = 0;
    while (i < len && k->n < k->max) {
        while (i < len && !is_alnum((unsigned char)s[i]))
            i++;
        if (i == len)
            break;
        size_t start = i;
        uint64_t h = FNV_OFFSET;
        while (i < len && is_alnum((unsigned char)s[i]))
            h = fnv_step(h, lower((unsigned char)s[i++]));
        int64_t w = lookup(t, s + start, i - start, h);
        if (k->n < k->capacity)
            k->ids[k->n] = w >= 0 ? w + 2 : VNN_TOKEN_UNK;
        k->n++;
    }
    return k->n < k->max;
}

/* The first line begins with "From " or with a field name and ':'. */
static bool has_headers(const char *s, size_t len)
{
    if (len >= 5 && memcmp(s, "From ", 5) == 0)
        return true;
    size_t i = 0;
    while (i < len && (is_alnum((unsigned char)s[i]) || s[i] == '-'))
        i++;
    return i > 0 && i < len && s[i] == ':';
}

static bool is_subject(const char *line, size_t len)
{
    static const char name[] = "subject:";
    if (len < sizeof name - 1)
        return false;
    for (size_t i = 0; i < sizeof name - 1; i++)
        if (lower((unsigned char)line[i]) != (unsigned char)name[i])
            return false;
    return true;
}

/* Splits text into the Subject value [*subj, *subj + *subj_len) (possibly
 * empty) and the body offset. */
static size_t split_headers(const char *s, size_t len, const char **subj, size_t *subj_len)
{
    *subj = NULL;
    *subj_len = 0;
    if (!has_headers(s, len))
        return 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - s) : len;
        size_t n = end - pos;
        if (n == 0 || (n == 1 && s[pos] == '\r')) /* the empty line: the body follows */
            return nl ? end + 1 : len;
        if (!*subj && is_subject(s + pos, n)) {
            *subj = s + pos + 8;
            *subj_len = n - 8;
        }
        pos = end + 1;
    }
    return len; /* headers to the end: no body */
}

int64_t vnn_tokenizer_encode(const struct vnn_tokenizer *t, const char *text, size_t len,
                             int64_t *ids, int64_t capacity)
{
    if (!t || (!text && len) || (!ids && capacity > 0)) {
        vnn_error(VNN_ERR_INVALID_ARG, "vnn_tokenizer_encode: NULL %s",
                  !t ? "tokenizer" : !ids && capacity > 0 ? "ids" : "text");
        return 0;
    }
    struct sink k = {0, t->max_tokens, capacity > 0 ? capacity : 0, ids};
    if (len) {
        const char *subj;
        size_t subj_len;
        size_t body = split_headers(text, len, &subj, &subj_len);
        if (subj_len == 0 || emit_words(t, subj, subj_len, &k))
            emit_words(t, text + body, len - body, &k);
    }
    if (k.n == 0) { /* no words: one UNK */
        if (k.capacity > 0)
            ids[0] = VNN_TOKEN_UNK;
        k.n = 1;
    }
    return k.n;
}
