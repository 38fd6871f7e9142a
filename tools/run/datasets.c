#include "datasets.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- IDX ------------------------------------------------------------- */

/* The whole (possibly gzipped) file; gzread reads plain files as they are. */
static unsigned char *read_gz(const char *path, size_t *size, char *err, size_t errlen)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        fail(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOENT));
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fail(err, errlen, "%s: out of memory", path);
            break;
        }
        if (n == cap) {
            unsigned char *more = cap <= (size_t)1 << 31 ? realloc(buf, cap * 2) : NULL;
            if (!more) {
                free(buf);
                buf = NULL;
                fail(err, errlen, "%s: too large", path);
                break;
            }
            buf = more;
            cap *= 2;
        }
        int got = gzread(f, buf + n, (unsigned)(cap - n > 1u << 30 ? 1u << 30 : cap - n));
        if (got < 0) {
            int code;
            fail(err, errlen, "%s: %s", path, gzerror(f, &code));
            free(buf);
            buf = NULL;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    gzclose(f);
    *size = n;
    return buf;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An IDX file of unsigned bytes with `dims` dimensions: the dims and data. */
static unsigned char *read_idx(const char *path, int dims, uint32_t *shape, size_t *count,
                               char *err, size_t errlen)
{
    size_t size;
    unsigned char *buf = read_gz(path, &size, err, errlen);
    if (!buf)
        return NULL;
    size_t head = 4 + 4 * (size_t)dims, n = 1;
    if (size < head || buf[0] || buf[1] || buf[2] != 0x08 || buf[3] != dims) {
        fail(err, errlen, "%s: not an IDX file of %d-dimensional unsigned bytes", path, dims);
        free(buf);
        return NULL;
    }
    for (int i = 0; i < dims; i++) {
        shape[i] = be32(buf + 4 + 4 * i);
        if (shape[i] == 0 || __builtin_mul_overflow(n, (size_t)shape[i], &n)) {
            fail(err, errlen, "%s: bad dimension %d", path, i);
            free(buf);
            return NULL;
        }
    }
    if (size - head != n) {
        fail(err, errlen, "%s: %zu data bytes, the header says %zu", path, size - head, n);
        free(buf);
        return NULL;
    }
    memmove(buf, buf + head, n);
    *count = n;
    return buf;
}

int image_set_read(const char *images, const char *labels, struct image_set *out, char *err,
                   size_t errlen)
{
    *out = (struct image_set){0};
    uint32_t shape[3];
    size_t n;
    unsigned char *px = read_idx(images, 3, shape, &n, err, errlen);
    if (!px)
        return -1;
    out->count = shape[0], out->h = shape[1], out->w = shape[2];
    if (!(out->pixels = malloc(n * sizeof(float)))) {
        free(px);
        return fail(err, errlen, "%s: out of memory", images);
    }
    for (size_t i = 0; i < n; i++)
        out->pixels[i] = (float)px[i] / 255.0f;
    free(px);
    if (labels) {
        uint32_t lshape[1];
        unsigned char *lb = read_idx(labels, 1, lshape, &n, err, errlen);
        if (!lb) {
            image_set_free(out);
            return -1;
        }
        if (lshape[0] != out->count || !(out->labels = malloc(n * sizeof(int)))) {
            free(lb);
            image_set_free(out);
            return fail(err, errlen, "%s: %u labels for %lld images", labels, lshape[0],
                        (long long)shape[0]);
        }
        for (size_t i = 0; i < n; i++)
            out->labels[i] = lb[i];
        free(lb);
    }
    return 0;
}

void image_set_free(struct image_set *s)
{
    free(s->pixels);
    free(s->labels);
    *s = (struct image_set){0};
}

/* ---- text ------------------------------------------------------------ */

static int text_push(struct text_set *s, const char *text, size_t len, int label,
                     const char *id)
{
    if ((s->count & (s->count - 1)) == 0) { /* grow at powers of two */
        size_t cap = s->count ? (size_t)s->count * 2 : 1;
        char **t = realloc(s->texts, cap * sizeof *t);
        if (t)
            s->texts = t;
        size_t *l = realloc(s->lengths, cap * sizeof *l);
        if (l)
            s->lengths = l;
        int *lb = realloc(s->labels, cap * sizeof *lb);
        if (lb)
            s->labels = lb;
        char **ids = realloc(s->ids, cap * sizeof *ids);
        if (ids)
            s->ids = ids;
        if (!t || !l || !lb || !ids)
            return -1;
    }
    char *copy = malloc(len + 1), *idc = id ? strdup(id) : NULL;
    if (!copy || (id && !idc)) {
        free(copy);
        free(idc);
        return -1;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    s->texts[s->count] = copy;
    s->lengths[s->count] = len;
    s->labels[s->count] = label;
    s->ids[s->count] = idc;
    s->count++;
    return 0;
}

static int json_label(json_t *v, const char *const *names, int n, int *label)
{
    if (!v) {
        *label = -1;
        return 0;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < n) {
        *label = (int)json_integer_value(v);
        return 0;
    }
    for (int i = 0; json_is_string(v) && i < n; i++)
        if (strcmp(json_string_value(v), names[i]) == 0) {
            *label = i;
            return 0;
        }
    return -1;
}

int text_set_read_lines(const char *path, int jsonl, const char *const *label_names,
                        int n_labels, struct text_set *out, char *err, size_t errlen)
{
    *out = (struct text_set){0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    long lineno = 0;
    int rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        size_t len = (size_t)got;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (!jsonl) {
            if (text_push(out, line, len, -1, NULL))
                rc = fail(err, errlen, "%s: out of memory", path);
            continue;
        }
        if (len == 0)
            continue;
        json_error_t je;
        json_t *doc = json_loadb(line, len, 0, &je);
        json_t *text = doc ? json_object_get(doc, "text") : NULL;
        int label;
        if (!doc)
            rc = fail(err, errlen, "%s:%ld: %s", path, lineno, je.text);
        else if (!json_is_string(text))
            rc = fail(err, errlen, "%s:%ld: no \"text\" string", path, lineno);
        else if (json_label(json_object_get(doc, "label"), label_names, n_labels, &label))
            rc = fail(err, errlen, "%s:%ld: \"label\" is not a class index or name", path,
                      lineno);
        else if (text_push(out, json_string_value(text), json_string_length(text), label,
                           NULL))
            rc = fail(err, errlen, "%s: out of memory", path);
        json_decref(doc);
    }
    free(line);
    fclose(f);
    if (rc == 0 && out->count == 0)
        rc = fail(err, errlen, "%s: no documents", path);
    if (rc)
        text_set_free(out);
    return rc;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the *.json files in dir. */
static char **json_files(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            char **more = realloc(names, cap * sizeof *names);
            if (!more)
                break;
            names = more;
        }
        if (!(names[*n] = strdup(e->d_name)))
            break;
        (*n)++;
    }
    closedir(d);
    if (names)
        qsort(names, *n, sizeof *names, by_name);
    return names;
}

int text_set_read_corpus_test(const char *dir, struct text_set *out, char *err, size_t errlen)
{
    static const char *const groups[] = {"easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1",
                                         "spam-2"};
    static const int group_label[] = {0, 0, 0, 1, 1};
    *out = (struct text_set){0};
    int rc = 0;
    for (size_t g = 0; g < 5 && rc == 0; g++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, groups[g]);
        size_t n = 0;
        char **names = json_files(path, &n);
        if (!names || n == 0) {
            free(names);
            rc = fail(err, errlen, "%s: no e-mails (*.json) found", path);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (rc == 0) {
                snprintf(path, sizeof path, "%s/%s/%s", dir, groups[g], names[i]);
                json_error_t je;
                json_t *doc = json_load_file(path, 0, &je);
                json_t *text = json_object_get(doc, "text");
                json_t *sum = json_object_get(json_object_get(doc, "checksum"), "value");
                json_t *id = json_object_get(doc, "id");
                if (!doc || !json_is_string(text) || !json_is_string(sum) ||
                    !json_is_string(id) || strlen(json_string_value(sum)) < 8) {
                    rc = fail(err, errlen, "%s: not a corpus e-mail (%s)", path,
                              doc ? "missing text, id or checksum" : je.text);
                } else {
                    char hex[9];
                    memcpy(hex, json_string_value(sum), 8);
                    hex[8] = '\0';
                    if (strtoul(hex, NULL, 16) % 5 == 0) {
                        char docid[256];
                        snprintf(docid, sizeof docid, "%s/%s", groups[g],
                                 json_string_value(id));
                        if (text_push(out, json_string_value(text), json_string_length(text),
                                      group_label[g], docid))
                            rc = fail(err, errlen, "out of memory");
                    }
                }
                json_decref(doc);
            }
            free(names[i]);
        }
        free(names);
    }
    if (rc)
        text_set_free(out);
    return rc;
}

void text_set_free(struct text_set *s)
{
    for (int64_t i = 0; i < s->count; i++) {
        free(s->texts[i]);
        if (s->ids)
            free(s->ids[i]);
    }
    free(s->texts);
    free(s->lengths);
    free(s->labels);
    free(s->ids);
    *s = (struct text_set){0};
}
