/* words-v1 tokenizer suite (models/tokenizer.c): the header rule, the word
 * rule, truncation and vocabulary checks case by case, then parity with the
 * Python twin (tools/models/tokenizer.py) on every test-split document of
 * the SpamAssassin corpus, through the golden token counts and hashes in
 * tests/models/golden/tokens-test.tsv and the vocabulary of the bundled
 * BiLSTM. Every text is copied into a buffer of exactly its length, so a
 * read past it shows under ASan or valgrind. */
#include <dirent.h>
#include <glob.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/safetensors.h"
#include "models/tokenizer.h"
#include "vnn/status.h"
#include "vt.h"

/* ids: the, and, of, subject, hello, world, 123, free, money, x */
static const char VOCAB[] = "the\nand\nof\nsubject\nhello\nworld\n123\nfree\nmoney\nx";
enum { THE = 2, AND, OF, SUBJECT, HELLO, WORLD, N123, FREE, MONEY, X, VOCAB_SIZE };
#define UNK VNN_TOKEN_UNK

static struct vnn_tokenizer *make(int64_t max_tokens)
{
    struct vnn_tokenizer *t = NULL;
    vnn_status st = vnn_tokenizer_create(VOCAB, strlen(VOCAB), VOCAB_SIZE, max_tokens, &t);
    VT_CHECK(st == VNN_OK, "create: %s", vnn_last_error());
    return t;
}

/* Encodes text[0..len) from an exactly sized copy; returns the count. */
static int64_t encode_n(const struct vnn_tokenizer *t, const char *text, size_t len,
                        int64_t *ids, int64_t cap)
{
    char *copy = malloc(len ? len : 1);
    VT_CHECK(copy, "out of memory");
    memcpy(copy, text, len);
    int64_t n = vnn_tokenizer_encode(t, copy, len, ids, cap);
    free(copy);
    return n;
}

/* Requires text (a C string, or len bytes if len != 0) to give want[0..n). */
static void expect_ids(const struct vnn_tokenizer *t, const char *text, size_t len,
                       const int64_t *want, int64_t n)
{
    int64_t got[64];
    if (!len)
        len = strlen(text);
    int64_t m = encode_n(t, text, len, got, 64);
    char shown[96];
    snprintf(shown, sizeof shown, "%.*s", (int)(len < 80 ? len : 80), text);
    for (char *p = shown; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = '|';
    VT_CHECK(m == n, "\"%s\": %lld tokens, want %lld", shown, (long long)m, (long long)n);
    for (int64_t i = 0; i < n; i++)
        VT_CHECK(got[i] == want[i], "\"%s\": token %lld is %lld, want %lld", shown,
                 (long long)i, (long long)got[i], (long long)want[i]);
}

#define IDS(...) (const int64_t[]){__VA_ARGS__}, (int64_t)(sizeof((int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

VT_TEST(tokenizer, words_without_headers)
{
    struct vnn_tokenizer *t = make(100);
    expect_ids(t, "Hello, World! 123", 0, IDS(HELLO, WORLD, N123));
    expect_ids(t, "HELLO hello HeLLo", 0, IDS(HELLO, HELLO, HELLO));
    expect_ids(t, "free-money_x.the", 0, IDS(FREE, MONEY, X, THE));
    expect_ids(t, "hello123 world 0123 hell helloo", 0, IDS(UNK, WORLD, UNK, UNK, UNK));
    expect_ids(t, "averyveryverylongwordnotinthevocabulary x", 0, IDS(UNK, X));
    /* Not a header block: the first line has no field, so "Subject:" later is body. */
    expect_ids(t, "hello\nSubject: world\n\nx", 0, IDS(HELLO, SUBJECT, WORLD, X));
    expect_ids(t, "from x\n\nhello", 0, IDS(UNK, X, HELLO));  /* "from " is case-sensitive */
    expect_ids(t, ": hello\n\nworld", 0, IDS(HELLO, WORLD));   /* a field name needs a byte */
    expect_ids(t, "Foo bar: hello\n\nworld", 0, IDS(UNK, UNK, HELLO, WORLD));
    expect_ids(t, "Subject", 0, IDS(SUBJECT));                /* no ':' before the end */
    expect_ids(t, "Foo_x: hello\n\nworld", 0, IDS(UNK, X, HELLO, WORLD)); /* '_' is no field byte */
    vnn_tokenizer_free(t);
}

VT_TEST(tokenizer, header_block)
{
    struct vnn_tokenizer *t = make(100);
    expect_ids(t, "From a@b Mon\nSubject: Free MONEY\nX-Spam: hello\n\nhello world", 0,
               IDS(FREE, MONEY, HELLO, WORLD));
    expect_ids(t, "From: the\nTo: of\n\nworld", 0, IDS(WORLD)); /* no Subject: body only */
    expect_ids(t, "X-Header-1: a\nsubject: hello\n\nx", 0, IDS(HELLO, X));
    /* Only the first Subject, only its own line (no continuation). */
    expect_ids(t, "Subject: hello\nSubject: world\n\nx", 0, IDS(HELLO, X));
    expect_ids(t, "Subject: hello\n  world continued\n\nx", 0, IDS(HELLO, X));
    /* Headers to the end: no body. */
    expect_ids(t, "Subject: hello\nFoo: world", 0, IDS(HELLO));
    expect_ids(t, "Subject:hello", 0, IDS(HELLO));
    /* A Subject after the empty line is body. */
    expect_ids(t, "Foo: bar\n\nSubject: hello", 0, IDS(SUBJECT, HELLO));
    /* The field name itself is not kept, nor "Subject " without a colon. */
    expect_ids(t, "Foo: a\nSubject : hello\n\nx", 0, IDS(X));
    expect_ids(t, "Foo: a\nSubjects: hello\n\nx", 0, IDS(X));
    /* Subject words then body words, with nothing joined across. */
    expect_ids(t, "Subject: hel\n\nlo", 0, IDS(UNK, UNK));
    /* An empty header block ends at the very first empty line. */
    expect_ids(t, "Foo:\n\n", 0, IDS(UNK));
    expect_ids(t, "From \n", 0, IDS(UNK));
    vnn_tokenizer_free(t);
}

VT_TEST(tokenizer, subject_case_insensitive)
{
    struct vnn_tokenizer *t = make(100);
    const char *names[] = {"Subject", "SUBJECT", "subject", "sUbJeCt"};
    for (int i = 0; i < 4; i++) {
        char text[64];
        snprintf(text, sizeof text, "From: x\n%s: hello world\n\nfree", names[i]);
        expect_ids(t, text, 0, IDS(HELLO, WORLD, FREE));
    }
    vnn_tokenizer_free(t);
}

VT_TEST(tokenizer, crlf)
{
    struct vnn_tokenizer *t = make(100);
    expect_ids(t, "Subject: hello\r\nFoo: bar\r\n\r\nworld\r\n", 0, IDS(HELLO, WORLD));
    /* One '\r' is dropped, not two; a space is no empty line either. */
    expect_ids(t, "Subject: hello\n\r\r\nfree\n\nworld", 0, IDS(HELLO, WORLD));
    expect_ids(t, "Subject: hello\n \nfree\n\nworld", 0, IDS(HELLO, WORLD));
    /* '\r' alone ends no line. */
    expect_ids(t, "Subject: hello\rfree\n\nworld", 0, IDS(HELLO, FREE, WORLD));
    /* The empty line "\r" as the last line, with no '\n' after it. */
    expect_ids(t, "Subject: hello\n\r", 0, IDS(HELLO));
    vnn_tokenizer_free(t);
}

VT_TEST(tokenizer, non_ascii_and_nul)
{
    struct vnn_tokenizer *t = make(100);
    expect_ids(t, "caf\xc3\xa9 na\xefve hello\x80world\xff", 0, IDS(UNK, UNK, UNK, HELLO, WORLD));
    expect_ids(t, "hello\0world", 11, IDS(HELLO, WORLD));
    expect_ids(t, "\0\0\0", 3, IDS(UNK));
    /* A NUL inside the header block is just a byte of that line. */
    expect_ids(t, "Foo: a\0b\nSubject: x\0hello\n\nworld", 32, IDS(X, HELLO, WORLD));
    /* len cuts a word: only the bytes before it count. */
    expect_ids(t, "hello worldly", 11, IDS(HELLO, WORLD));
    vnn_tokenizer_free(t);
}

VT_TEST(tokenizer, truncation_and_empty)
{
    struct vnn_tokenizer *t = make(3);
    VT_CHECK(vnn_tokenizer_max_tokens(t) == 3, "max_tokens");
    expect_ids(t, "the and of hello world", 0, IDS(THE, AND, OF));
    expect_ids(t, "Subject: hello world free\n\nmoney", 0, IDS(HELLO, WORLD, FREE));
    expect_ids(t, "Subject: hello world\n\nmoney x", 0, IDS(HELLO, WORLD, MONEY));
    expect_ids(t, "", 0, IDS(UNK));
    int64_t id = -5;
    VT_CHECK(vnn_tokenizer_encode(t, NULL, 0, &id, 1) == 1 && id == UNK, "NULL text, len 0");
    expect_ids(t, " ,.;!\n\t", 0, IDS(UNK));
    expect_ids(t, "Subject: !!!\n\n...", 0, IDS(UNK));
    expect_ids(t, "Subject: zzz\n\n", 0, IDS(UNK));
    vnn_tokenizer_free(t);
    t = make(1);
    expect_ids(t, "Subject: x\n\nhello", 0, IDS(X));
    vnn_tokenizer_free(t);
}

VT_TEST(tokenizer, capacity_smaller_than_count)
{
    struct vnn_tokenizer *t = make(100);
    const char *text = "hello world free money";
    int64_t ids[4] = {-7, -7, -7, -7};
    VT_CHECK(vnn_tokenizer_encode(t, text, strlen(text), ids, 2) == 4, "count with capacity 2");
    VT_CHECK(ids[0] == HELLO && ids[1] == WORLD && ids[2] == -7 && ids[3] == -7,
             "capacity 2 wrote %lld %lld %lld %lld", (long long)ids[0], (long long)ids[1],
             (long long)ids[2], (long long)ids[3]);
    VT_CHECK(vnn_tokenizer_encode(t, text, strlen(text), NULL, 0) == 4, "count only");
    VT_CHECK(vnn_tokenizer_encode(t, "", 0, NULL, 0) == 1, "empty text, count only");
    VT_CHECK(vnn_tokenizer_encode(t, text, strlen(text), ids, -3) == 4, "negative capacity");
    VT_CHECK(vnn_tokenizer_encode(t, text, strlen(text), NULL, 2) == 0 &&
                 strstr(vnn_last_error(), "ids"),
             "NULL ids with capacity");
    VT_CHECK(vnn_tokenizer_encode(NULL, text, strlen(text), ids, 4) == 0, "NULL tokenizer");
    VT_CHECK(vnn_tokenizer_encode(t, NULL, 3, ids, 4) == 0, "NULL text");
    vnn_tokenizer_free(t);
}

static void expect_vocab_error(const char *vocab, size_t len, int64_t size, int64_t max,
                               vnn_status want, const char *needle, const char *needle2)
{
    struct vnn_tokenizer *t = (struct vnn_tokenizer *)1;
    vnn_status st = vnn_tokenizer_create(vocab, len, size, max, &t);
    const char *msg = vnn_last_error();
    VT_CHECK(st == want, "status %d, want %d: %s", st, want, msg);
    VT_CHECK(t == NULL, "*out not NULL after a failure");
    VT_CHECK(strstr(msg, needle), "message \"%s\" does not mention \"%s\"", msg, needle);
    VT_CHECK(!needle2 || strstr(msg, needle2), "message \"%s\" does not mention \"%s\"", msg,
             needle2);
    vt_log("%s", msg);
}

VT_TEST(tokenizer, vocab_errors)
{
    expect_vocab_error("a\nb\nc", 5, 4, 10, VNN_ERR_BAD_FILE, "holds 3 words", "needs 2");
    expect_vocab_error("a\nb\nc", 5, 6, 10, VNN_ERR_BAD_FILE, "holds 3 words", "needs 4");
    expect_vocab_error("a\n\nc", 4, 5, 10, VNN_ERR_BAD_FILE, "line 2 (id 3)", "empty");
    expect_vocab_error("a\nb\n", 4, 5, 10, VNN_ERR_BAD_FILE, "line 3 (id 4)", "empty");
    expect_vocab_error("", 0, 3, 10, VNN_ERR_BAD_FILE, "holds 0 words", "needs 1");
    expect_vocab_error("a\nHello", 7, 4, 10, VNN_ERR_BAD_FILE, "line 2 (id 3)", "0x48");
    expect_vocab_error("caf\xc3\xa9\nb", 7, 4, 10, VNN_ERR_BAD_FILE, "line 1 (id 2)", "0xc3");
    expect_vocab_error("a b\nc", 5, 4, 10, VNN_ERR_BAD_FILE, "line 1", "0x20");
    expect_vocab_error("a\r\nb", 4, 4, 10, VNN_ERR_BAD_FILE, "line 1", "0x0d");
    expect_vocab_error("ab\0c\nd", 6, 4, 10, VNN_ERR_BAD_FILE, "line 1", "0x00");
    expect_vocab_error("ab\ncd\nab", 8, 5, 10, VNN_ERR_BAD_FILE, "line 3 (id 4) \"ab\"",
                       "repeats line 1 (id 2)");
    expect_vocab_error("a\nb", 3, 4, 0, VNN_ERR_BAD_FILE, "max_tokens", "0");
    expect_vocab_error("a\nb", 3, 4, -1, VNN_ERR_BAD_FILE, "max_tokens", "-1");
    expect_vocab_error("", 0, 1, 10, VNN_ERR_BAD_FILE, "vocabulary size 1", NULL);
    expect_vocab_error(NULL, 3, 4, 10, VNN_ERR_INVALID_ARG, "vocab", NULL);
    VT_CHECK(vnn_tokenizer_create("a", 1, 3, 10, NULL) == VNN_ERR_INVALID_ARG, "NULL out");
    vnn_tokenizer_free(NULL);
}

VT_TEST(tokenizer, empty_vocab_all_unk)
{
    struct vnn_tokenizer *t = NULL;
    VT_CHECK(vnn_tokenizer_create("", 0, 2, 8, &t) == VNN_OK, "create: %s", vnn_last_error());
    expect_ids(t, "hello world", 0, IDS(UNK, UNK));
    vnn_tokenizer_free(t);
}

/* "w<k in base 36>" for word k: distinct, [a-z0-9] only. */
static size_t word_name(size_t k, char *out)
{
    char tmp[16];
    size_t n = 0;
    do {
        tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[k % 36];
        k /= 36;
    } while (k);
    out[0] = 'w';
    for (size_t i = 0; i < n; i++)
        out[1 + i] = tmp[n - 1 - i];
    return n + 1;
}

/* Many words: the table finds every one, and near misses are UNK. */
VT_TEST(tokenizer, large_vocab)
{
    enum { WORDS = 60000 };
    char *vocab = malloc((size_t)WORDS * 8), *text = malloc((size_t)WORDS * 10);
    VT_CHECK(vocab && text, "out of memory");
    size_t vl = 0, tl = 0;
    for (size_t k = 0; k < WORDS; k++) {
        vl += word_name(k, vocab + vl);
        vocab[vl++] = '\n';
        /* text: the word in upper case, then a near miss */
        size_t n = word_name(k, text + tl);
        for (size_t i = 0; i < n; i++)
            if (text[tl + i] >= 'a' && text[tl + i] <= 'z')
                text[tl + i] = (char)(text[tl + i] - 32);
        tl += n;
        text[tl++] = ' ';
    }
    struct vnn_tokenizer *t = NULL;
    VT_CHECK(vnn_tokenizer_create(vocab, vl - 1, WORDS + 2, WORDS, &t) == VNN_OK, "create: %s",
             vnn_last_error());
    int64_t *ids = malloc(sizeof *ids * WORDS);
    VT_CHECK(ids, "out of memory");
    VT_CHECK(vnn_tokenizer_encode(t, text, tl, ids, WORDS) == WORDS, "count");
    for (int64_t k = 0; k < WORDS; k++)
        VT_CHECK(ids[k] == k + 2, "word %lld got id %lld", (long long)k, (long long)ids[k]);
    const char *miss = "v0 w w00 wzzzzz x1";
    VT_CHECK(vnn_tokenizer_encode(t, miss, strlen(miss), ids, 8) == 5, "near misses");
    for (int k = 0; k < 5; k++)
        VT_CHECK(ids[k] == UNK, "near miss %d got %lld", k, (long long)ids[k]);
    vnn_tokenizer_free(t);
    free(ids);
    free(vocab);
    free(text);
}

/* --- one tokenizer, several threads ------------------------------------------ */

static const char *const THREAD_TEXTS[] = {
    "Subject: Free money\n\nhello world 123",
    "the and of x x x hello",
    "From a\nSUBJECT: x\r\n\r\nworld",
    "",
};

struct job {
    const struct vnn_tokenizer *t;
    int bad;
};

static void *encode_many(void *arg)
{
    struct job *j = arg;
    int64_t want[4][16], got[16];
    int64_t wn[4];
    for (int i = 0; i < 4; i++)
        wn[i] = vnn_tokenizer_encode(j->t, THREAD_TEXTS[i], strlen(THREAD_TEXTS[i]), want[i], 16);
    for (int r = 0; r < 20000; r++) {
        int i = r & 3;
        int64_t n = vnn_tokenizer_encode(j->t, THREAD_TEXTS[i], strlen(THREAD_TEXTS[i]), got, 16);
        if (n != wn[i] || memcmp(got, want[i], (size_t)n * sizeof *got) != 0)
            j->bad++;
    }
    return NULL;
}

VT_TEST(tokenizer, shared_across_threads)
{
    struct vnn_tokenizer *t = make(16);
    pthread_t th[4];
    struct job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (struct job){t, 0};
        VT_CHECK(pthread_create(&th[i], NULL, encode_many, &jobs[i]) == 0, "pthread_create");
    }
    int bad = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        bad += jobs[i].bad;
    }
    VT_CHECK(bad == 0, "%d encodings differed between threads", bad);
    vnn_tokenizer_free(t);
}

/* --- parity with the Python twin ---------------------------------------------- */

#ifndef VT_SOURCE_ROOT
#define VT_SOURCE_ROOT "."
#endif
#ifndef VT_BUILD_ROOT
#define VT_BUILD_ROOT "build"
#endif

static bool exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

/* A decimal metadata value of the model, or fail the test. */
static int64_t meta_int(const struct vnn_st_file *f, const char *key)
{
    const char *v = vnn_st_meta(f, key);
    VT_CHECK(v, "bilstm.safetensors has no metadata \"%s\"", key);
    char *end;
    long long x = strtoll(v, &end, 10);
    VT_CHECK(*v && !*end, "metadata \"%s\" = \"%s\" is not an integer", key, v);
    return (int64_t)x;
}

static uint64_t fnv1a_ids(const int64_t *ids, int64_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int64_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            h = (h ^ (unsigned char)((uint64_t)ids[i] >> (8 * b))) * 0x100000001b3ull;
    return h;
}

/* One group folder's file names, sorted, listed once (a glob per document
 * would read the folder thousands of times). */
struct folder {
    char group[1024];
    char **names;
    int n;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void folder_free(struct folder *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->names[i]);
    free(d->names);
    *d = (struct folder){0};
}

static void folder_load(struct folder *d, const char *corpus, const char *group)
{
    folder_free(d);
    int gn = snprintf(d->group, sizeof d->group, "%s", group);
    VT_CHECK(gn > 0 && (size_t)gn < sizeof d->group, "group name too long");
    char path[4096];
    int pn = snprintf(path, sizeof path, "%s/%s", corpus, group);
    VT_CHECK(pn > 0 && (size_t)pn < sizeof path, "path too long in %s", corpus);
    DIR *dir = opendir(path);
    if (!dir)
        return;
    int cap = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        if (d->n == cap) {
            cap = cap ? 2 * cap : 256;
            d->names = realloc(d->names, sizeof *d->names * (size_t)cap);
            VT_CHECK(d->names, "out of memory");
        }
        d->names[d->n] = strdup(e->d_name);
        VT_CHECK(d->names[d->n], "out of memory");
        d->n++;
    }
    closedir(dir);
    qsort(d->names, (size_t)d->n, sizeof *d->names, by_name);
}

/* The corpus JSON of document `id` of `group`: a file <id>.json or
 * <id>.*.json whose "id" and "group" fields match. NULL if none. */
static json_t *load_doc(struct folder *d, const char *corpus, const char *group, const char *id)
{
    if (strcmp(d->group, group) != 0)
        folder_load(d, corpus, group);
    char prefix[300];
    int plen = snprintf(prefix, sizeof prefix, "%s.", id);
    int lo = 0, hi = d->n; /* the first name >= prefix */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(d->names[mid], prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (int i = lo; i < d->n && strncmp(d->names[i], prefix, (size_t)plen) == 0; i++) {
        size_t len = strlen(d->names[i]);
        if (len < 5 || strcmp(d->names[i] + len - 5, ".json") != 0)
            continue;
        char path[4096];
        int pn = snprintf(path, sizeof path, "%s/%s/%s", corpus, group, d->names[i]);
        VT_CHECK(pn > 0 && (size_t)pn < sizeof path, "path too long in %s", corpus);
        json_error_t err;
        json_t *doc = json_load_file(path, JSON_ALLOW_NUL, &err);
        VT_CHECK(doc, "%s: %s (line %d)", path, err.text, err.line);
        const char *did = json_string_value(json_object_get(doc, "id"));
        const char *dgr = json_string_value(json_object_get(doc, "group"));
        if (did && dgr && !strcmp(did, id) && !strcmp(dgr, group))
            return doc;
        json_decref(doc);
    }
    return NULL;
}

VT_TEST(tokenizer, parity_with_python)
{
    const char *golden = VT_SOURCE_ROOT "/tests/models/golden/tokens-test.tsv";
    const char *weights = VT_SOURCE_ROOT "/models/weights/bilstm.safetensors";
    const char *corpus = getenv("VNN_CORPUS_DIR");
    if (!corpus || !*corpus)
        corpus = VT_BUILD_ROOT "/data/spam-assassin/data";
    char probe[1024];
    glob_t g;
    snprintf(probe, sizeof probe, "%s/*/*.json", corpus);
    bool have_corpus = glob(probe, 0, NULL, &g) == 0;
    if (have_corpus)
        globfree(&g);
    if (!exists(golden) || !exists(weights) || !have_corpus) {
        char missing[3072] = "";
        if (!exists(golden))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s", golden);
        if (!exists(weights))
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing), " %s",
                     weights);
        if (!have_corpus)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
                     " the corpus (%s/<group>/*.json: tools/fetch-corpus.sh, or set "
                     "VNN_CORPUS_DIR)",
                     corpus);
        vt_skip("parity with tools/models/tokenizer.py needs:%s", missing);
    }

    void *data;
    size_t size;
    struct vnn_st_file *f = NULL;
    VT_CHECK(vnn_st_read_file(weights, &data, &size) == VNN_OK, "%s", vnn_last_error());
    VT_CHECK(vnn_st_parse(data, size, &f) == VNN_OK, "%s", vnn_last_error());
    const char *kind = vnn_st_meta(f, "tokenizer.kind");
    VT_CHECK(kind && !strcmp(kind, "words-v1"), "tokenizer.kind is %s", kind ? kind : "absent");
    const char *vocab = vnn_st_meta(f, "tokenizer.vocab");
    VT_CHECK(vocab, "no tokenizer.vocab");
    struct vnn_tokenizer *t = NULL;
    VT_CHECK(vnn_tokenizer_create(vocab, strlen(vocab), meta_int(f, "bilstm.vocab"),
                                  meta_int(f, "tokenizer.max_tokens"), &t) == VNN_OK,
             "%s", vnn_last_error());
    int64_t max = vnn_tokenizer_max_tokens(t);
    int64_t *ids = malloc(sizeof *ids * (size_t)max);
    VT_CHECK(ids, "out of memory");

    FILE *tsv = fopen(golden, "r");
    VT_CHECK(tsv, "cannot open %s", golden);
    char *line = NULL;
    size_t line_cap = 0;
    long lineno = 0, docs = 0;
    struct folder folder = {0};
    while (getline(&line, &line_cap, tsv) >= 0) {
        lineno++;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char key[1024], hex[64];
        long long want_n;
        VT_CHECK(sscanf(line, "%1023[^\t]\t%lld\t%63s", key, &want_n, hex) == 3,
                 "%s:%ld: not <group>/<id>\\t<count>\\t<hash>", golden, lineno);
        char *slash = strchr(key, '/');
        VT_CHECK(slash, "%s:%ld: key \"%s\" has no '/'", golden, lineno, key);
        *slash = '\0';
        char *end;
        unsigned long long want_h = strtoull(hex, &end, 16);
        VT_CHECK(!*end, "%s:%ld: hash \"%s\" is not hex", golden, lineno, hex);
        json_t *doc = load_doc(&folder, corpus, key, slash + 1);
        VT_CHECK(doc, "document %s/%s (%s:%ld) not found in %s", key, slash + 1, golden, lineno,
                 corpus);
        json_t *text = json_object_get(doc, "text");
        VT_CHECK(json_is_string(text), "document %s/%s has no string \"text\"", key, slash + 1);
        int64_t n = encode_n(t, json_string_value(text), json_string_length(text), ids, max);
        uint64_t h = fnv1a_ids(ids, n);
        json_decref(doc);
        VT_CHECK(n == want_n && h == want_h,
                 "document %s/%s (%s:%ld, %ld matched before it): %lld tokens hash %016llx, "
                 "Python %lld tokens hash %016llx",
                 key, slash + 1, golden, lineno, docs, (long long)n, (unsigned long long)h,
                 want_n, want_h);
        docs++;
    }
    fclose(tsv);
    free(line);
    folder_free(&folder);
    VT_CHECK(docs > 0, "%s lists no documents", golden);
    vt_log("%ld test documents tokenize exactly as in Python", docs);
    free(ids);
    vnn_tokenizer_free(t);
    vnn_st_free(f);
    free(data);
}
