/* The safetensors reader: an 8-byte little-endian header length, a JSON
 * header (parsed by jansson), then the data section. Every field is checked
 * before anything points into the buffer, and all arithmetic on file values
 * is overflow-checked, so a hostile file can only ever be refused. Names and
 * metadata are copied out of the JSON into one string block, so the parsed
 * file does not keep jansson's tree alive. */
#include "models/safetensors.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernels/common/error.h"

#define MAX_HEADER ((uint64_t)100 << 20)
#define MAX_FILE ((uint64_t)2 << 30)
/* Names are cut to this many bytes in messages (the message buffer is small). */
#define NAME_MAX_SHOWN 120

struct vnn_st_file {
    size_t count;
    struct vnn_st_tensor *tensors; /* header order */
    const struct vnn_st_tensor **by_name; /* sorted by name, for vnn_st_find */
    size_t meta_count;
    const char **meta_keys;        /* sorted by key, values beside them */
    const char **meta_values;
    char *strings;                 /* every name, key and value, NUL-terminated */
};

static const struct {
    const char *name;
    enum vnn_st_dtype dtype;
    size_t size;
} dtypes[] = {
    {"F32", VNN_ST_F32, 4},
    {"F16", VNN_ST_F16, 2},
    {"BF16", VNN_ST_BF16, 2},
    {"I64", VNN_ST_I64, 8},
};

static vnn_status bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* vnn_error with VNN_ERR_BAD_FILE and a "safetensors: " prefix. */
static vnn_status bad(const char *fmt, ...)
{
    char msg[448];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return vnn_error(VNN_ERR_BAD_FILE, "safetensors: %s", msg);
}

/* "[32,1,3,3]" into buf (cut short, never overflowing, if it does not fit). */
static const char *shape_str(const int64_t *shape, int ndim, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "[");
    for (int d = 0; d < ndim && n < size; d++)
        n += (size_t)snprintf(buf + n, size - n, d ? ",%lld" : "%lld", (long long)shape[d]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
    return buf;
}

/* One tensor's "shape" array: dims, ndim and the element count. */
static vnn_status read_shape(const char *name, const json_t *shape, struct vnn_st_tensor *t)
{
    if (!json_is_array(shape))
        return bad("tensor \"%.*s\": \"shape\" is not an array", NAME_MAX_SHOWN, name);
    size_t ndim = json_array_size(shape);
    if (ndim > VNN_ST_MAX_DIMS)
        return bad("tensor \"%.*s\": \"shape\" has %zu dimensions, more than %d",
                   NAME_MAX_SHOWN, name, ndim, VNN_ST_MAX_DIMS);
    t->ndim = (int)ndim;
    t->count = 1;
    for (size_t d = 0; d < ndim; d++) {
        const json_t *v = json_array_get(shape, d);
        if (!json_is_integer(v))
            return bad("tensor \"%.*s\": \"shape\"[%zu] is not an integer", NAME_MAX_SHOWN,
                       name, d);
        json_int_t dim = json_integer_value(v);
        if (dim < 0)
            return bad("tensor \"%.*s\": \"shape\"[%zu] is negative (%lld)", NAME_MAX_SHOWN,
                       name, d, (long long)dim);
        t->shape[d] = (int64_t)dim;
    }
    /* After all dims: a zero anywhere makes an empty tensor, never an overflow. */
    for (size_t d = 0; d < ndim; d++)
        if (t->shape[d] == 0)
            t->count = 0;
    for (size_t d = 0; d < ndim && t->count; d++)
        if (__builtin_mul_overflow(t->count, t->shape[d], &t->count))
            return bad("tensor \"%.*s\": \"shape\" element count overflows at dimension %zu",
                       NAME_MAX_SHOWN, name, d);
    return VNN_OK;
}

/* One tensor's "data_offsets" against the data section of `avail` bytes. */
static vnn_status read_offsets(const char *name, const json_t *off, uint64_t avail,
                               uint64_t *begin, uint64_t *end)
{
    if (!json_is_array(off) || json_array_size(off) != 2)
        return bad("tensor \"%.*s\": \"data_offsets\" is not an array of two integers",
                   NAME_MAX_SHOWN, name);
    json_int_t v[2];
    for (size_t i = 0; i < 2; i++) {
        const json_t *x = json_array_get(off, i);
        if (!json_is_integer(x))
            return bad("tensor \"%.*s\": \"data_offsets\"[%zu] is not an integer",
                       NAME_MAX_SHOWN, name, i);
        v[i] = json_integer_value(x);
        if (v[i] < 0)
            return bad("tensor \"%.*s\": \"data_offsets\"[%zu] is negative (%lld)",
                       NAME_MAX_SHOWN, name, i, (long long)v[i]);
    }
    if (v[0] > v[1])
        return bad("tensor \"%.*s\": \"data_offsets\" [%lld, %lld) end before they begin",
                   NAME_MAX_SHOWN, name, (long long)v[0], (long long)v[1]);
    if ((uint64_t)v[1] > avail)
        return bad("tensor \"%.*s\": \"data_offsets\" [%lld, %lld) run past the data "
                   "section of %llu bytes",
                   NAME_MAX_SHOWN, name, (long long)v[0], (long long)v[1],
                   (unsigned long long)avail);
    *begin = (uint64_t)v[0];
    *end = (uint64_t)v[1];
    return VNN_OK;
}

/* Validates one header entry and fills t (all but name). */
static vnn_status read_tensor(const char *name, const json_t *e, const unsigned char *section,
                              uint64_t avail, struct vnn_st_tensor *t)
{
    if (name[0] == '\0')
        return bad("a tensor has an empty name");
    if (!json_is_object(e))
        return bad("tensor \"%.*s\": entry is not an object", NAME_MAX_SHOWN, name);
    const json_t *dt = json_object_get(e, "dtype");
    const json_t *shape = json_object_get(e, "shape");
    const json_t *off = json_object_get(e, "data_offsets");
    if (!dt || !shape || !off)
        return bad("tensor \"%.*s\": missing \"%s\"", NAME_MAX_SHOWN, name,
                   !dt ? "dtype" : !shape ? "shape" : "data_offsets");
    if (!json_is_string(dt))
        return bad("tensor \"%.*s\": \"dtype\" is not a string", NAME_MAX_SHOWN, name);
    const char *dts = json_string_value(dt);
    size_t d = 0, nd = sizeof dtypes / sizeof dtypes[0];
    while (d < nd && strcmp(dts, dtypes[d].name) != 0)
        d++;
    if (d == nd)
        return bad("tensor \"%.*s\": dtype \"%.16s\" is not supported (F32, F16, BF16, I64)",
                   NAME_MAX_SHOWN, name, dts);
    t->dtype = dtypes[d].dtype;
    vnn_status st = read_shape(name, shape, t);
    if (st != VNN_OK)
        return st;
    uint64_t begin = 0, end = 0, need;
    if ((st = read_offsets(name, off, avail, &begin, &end)) != VNN_OK)
        return st;
    char sb[128];
    if (__builtin_mul_overflow((uint64_t)t->count, (uint64_t)dtypes[d].size, &need) ||
        need > SIZE_MAX)
        return bad("tensor \"%.*s\": dtype %s shape %s needs more bytes than fit in 64 bits",
                   NAME_MAX_SHOWN, name, dtypes[d].name,
                   shape_str(t->shape, t->ndim, sb, sizeof sb));
    if (end - begin != need)
        return bad("tensor \"%.*s\": data_offsets [%llu, %llu) hold %llu bytes but dtype %s "
                   "shape %s needs %llu",
                   NAME_MAX_SHOWN, name, (unsigned long long)begin, (unsigned long long)end,
                   (unsigned long long)(end - begin), dtypes[d].name,
                   shape_str(t->shape, t->ndim, sb, sizeof sb), (unsigned long long)need);
    t->data = section + begin;
    t->bytes = (size_t)need;
    return VNN_OK;
}

static int by_begin(const void *a, const void *b)
{
    const struct vnn_st_tensor *x = *(const struct vnn_st_tensor *const *)a;
    const struct vnn_st_tensor *y = *(const struct vnn_st_tensor *const *)b;
    return x->data < y->data ? -1 : x->data > y->data;
}

/* No two tensors share a byte (empty tensors share none). */
static vnn_status check_overlap(const struct vnn_st_file *f, const unsigned char *section)
{
    const struct vnn_st_tensor **v = malloc((f->count ? f->count : 1) * sizeof *v);
    if (!v)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "safetensors: no memory for %zu tensors",
                         f->count);
    size_t n = 0;
    for (size_t i = 0; i < f->count; i++)
        if (f->tensors[i].bytes)
            v[n++] = &f->tensors[i];
    qsort(v, n, sizeof *v, by_begin);
    vnn_status st = VNN_OK;
    for (size_t i = 1; i < n && st == VNN_OK; i++)
        if (v[i - 1]->data + v[i - 1]->bytes > v[i]->data)
            st = bad("tensors \"%.*s\" [%zu, %zu) and \"%.*s\" [%zu, %zu) overlap",
                     NAME_MAX_SHOWN, v[i - 1]->name, (size_t)(v[i - 1]->data - section),
                     (size_t)(v[i - 1]->data - section) + v[i - 1]->bytes, NAME_MAX_SHOWN,
                     v[i]->name, (size_t)(v[i]->data - section),
                     (size_t)(v[i]->data - section) + v[i]->bytes);
    free(v);
    return st;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(const struct vnn_st_tensor *const *)a)->name,
                  (*(const struct vnn_st_tensor *const *)b)->name);
}

struct meta_pair {
    const char *key, *value;
};

static int by_key(const void *a, const void *b)
{
    return strcmp(((const struct meta_pair *)a)->key, ((const struct meta_pair *)b)->key);
}

/* Copies s (len bytes, no NUL inside: jansson refuses \u0000) into the block. */
static const char *keep(char **at, const char *s, size_t len)
{
    char *p = *at;
    memcpy(p, s, len);
    p[len] = '\0';
    *at = p + len + 1;
    return p;
}

/* __metadata__: an object of string values; copies it into f. */
static vnn_status read_meta(struct vnn_st_file *f, const json_t *meta, char **at)
{
    if (!json_is_object(meta))
        return bad("\"__metadata__\" is not an object");
    size_t n = json_object_size(meta);
    struct meta_pair *pairs = malloc((n ? n : 1) * sizeof *pairs);
    f->meta_keys = malloc((n ? n : 1) * sizeof *f->meta_keys);
    f->meta_values = malloc((n ? n : 1) * sizeof *f->meta_values);
    if (!pairs || !f->meta_keys || !f->meta_values) {
        free(pairs);
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "safetensors: no memory for %zu metadata keys",
                         n);
    }
    const char *key;
    json_t *v;
    size_t i = 0;
    json_object_foreach((json_t *)meta, key, v) {
        if (!json_is_string(v)) {
            free(pairs);
            return bad("\"__metadata__\" value of \"%.*s\" is not a string", NAME_MAX_SHOWN,
                       key);
        }
        pairs[i].key = keep(at, key, strlen(key));
        pairs[i].value = keep(at, json_string_value(v), json_string_length(v));
        i++;
    }
    qsort(pairs, n, sizeof *pairs, by_key);
    for (i = 0; i < n; i++) {
        f->meta_keys[i] = pairs[i].key;
        f->meta_values[i] = pairs[i].value;
    }
    f->meta_count = n;
    free(pairs);
    return VNN_OK;
}

/* Bytes of the string block: every key, plus the metadata values. */
static bool string_bytes(const json_t *root, size_t *total)
{
    size_t sum = 0;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)root, key, v) {
        if (__builtin_add_overflow(sum, strlen(key) + 1, &sum))
            return false;
        if (strcmp(key, "__metadata__") == 0 && json_is_object(v)) {
            const char *mk;
            json_t *mv;
            json_object_foreach(v, mk, mv) {
                size_t vl = json_is_string(mv) ? json_string_length(mv) : 0;
                if (__builtin_add_overflow(sum, strlen(mk) + 1, &sum) ||
                    __builtin_add_overflow(sum, vl + 1, &sum))
                    return false;
            }
        }
    }
    *total = sum ? sum : 1;
    return true;
}

static vnn_status build(struct vnn_st_file *f, const json_t *root, const unsigned char *section,
                        uint64_t avail)
{
    size_t total = 0;
    if (!string_bytes(root, &total))
        return bad("header strings overflow");
    size_t n = json_object_size(root);
    f->strings = malloc(total);
    f->tensors = calloc(n ? n : 1, sizeof *f->tensors);
    f->by_name = malloc((n ? n : 1) * sizeof *f->by_name);
    if (!f->strings || !f->tensors || !f->by_name)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY,
                         "safetensors: no memory for a header of %zu entries", n);
    char *at = f->strings;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)root, key, v) {
        vnn_status st;
        if (strcmp(key, "__metadata__") == 0) {
            if ((st = read_meta(f, v, &at)) != VNN_OK)
                return st;
            continue;
        }
        struct vnn_st_tensor *t = &f->tensors[f->count];
        if ((st = read_tensor(key, v, section, avail, t)) != VNN_OK)
            return st;
        t->name = keep(&at, key, strlen(key));
        f->by_name[f->count] = t;
        f->count++;
    }
    vnn_status st = check_overlap(f, section);
    if (st != VNN_OK)
        return st;
    qsort(f->by_name, f->count, sizeof *f->by_name, by_name);
    return VNN_OK;
}

vnn_status vnn_st_parse(const void *data, size_t size, struct vnn_st_file **out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_st_parse: out is NULL");
    *out = NULL;
    if (!data)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_st_parse: data is NULL");
    const unsigned char *bytes = data;
    if (size < 8)
        return bad("file of %zu bytes is shorter than the 8-byte header length", size);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | bytes[i];
    if (hlen == 0)
        return bad("header length is 0");
    if (hlen > MAX_HEADER)
        return bad("header length %llu is over the 100 MiB limit", (unsigned long long)hlen);
    if (hlen > size - 8)
        return bad("header length %llu runs past the end of the file (%zu bytes after the "
                   "length field)",
                   (unsigned long long)hlen, size - 8);
    json_error_t jerr;
    json_t *root = json_loadb((const char *)bytes + 8, (size_t)hlen, JSON_REJECT_DUPLICATES,
                              &jerr);
    /* jansson reports its allocation failures as json_error_out_of_memory,
     * except in its lexer's set-up, which leaves the error empty. */
    if (!root && (json_error_code(&jerr) == json_error_out_of_memory || !jerr.text[0]))
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "safetensors: no memory to parse the header");
    if (!root)
        return bad("header JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
    if (!json_is_object(root)) {
        json_decref(root);
        return bad("header JSON is not an object");
    }
    struct vnn_st_file *f = calloc(1, sizeof *f);
    vnn_status st = f ? VNN_OK
                      : vnn_error(VNN_ERR_OUT_OF_MEMORY, "safetensors: no memory for the file");
    if (st == VNN_OK)
        st = build(f, root, bytes + 8 + hlen, size - 8 - hlen);
    json_decref(root);
    if (st != VNN_OK) {
        vnn_st_free(f);
        return st;
    }
    *out = f;
    return VNN_OK;
}

vnn_status vnn_st_read_file(const char *path, void **data, size_t *size)
{
    if (!path || !data || !size)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_st_read_file: NULL argument");
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vnn_error(VNN_ERR_IO, "%s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return vnn_error(VNN_ERR_IO, "%s: %s", path, strerror(e));
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return vnn_error(VNN_ERR_IO, "%s: not a regular file", path);
    }
    if ((uint64_t)sb.st_size > MAX_FILE) {
        close(fd);
        return vnn_error(VNN_ERR_BAD_FILE, "%s: %lld bytes, over the 2 GiB limit", path,
                         (long long)sb.st_size);
    }
    size_t n = (size_t)sb.st_size, got = 0;
    unsigned char *buf = malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "%s: no memory for %zu bytes", path, n);
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int e = r < 0 ? errno : 0;
            close(fd);
            free(buf);
            if (r == 0)
                return vnn_error(VNN_ERR_IO, "%s: ended after %zu of %zu bytes", path, got, n);
            return vnn_error(VNN_ERR_IO, "%s: %s", path, strerror(e));
        }
        got += (size_t)r;
    }
    close(fd);
    *data = buf;
    *size = n;
    return VNN_OK;
}

void vnn_st_free(struct vnn_st_file *f)
{
    if (!f)
        return;
    free(f->tensors);
    free(f->by_name);
    free(f->meta_keys);
    free(f->meta_values);
    free(f->strings);
    free(f);
}

size_t vnn_st_count(const struct vnn_st_file *f) { return f ? f->count : 0; }

const struct vnn_st_tensor *vnn_st_at(const struct vnn_st_file *f, size_t i)
{
    return f && i < f->count ? &f->tensors[i] : NULL;
}

const struct vnn_st_tensor *vnn_st_find(const struct vnn_st_file *f, const char *name)
{
    if (!f || !name)
        return NULL;
    size_t lo = 0, hi = f->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, f->by_name[mid]->name);
        if (c == 0)
            return f->by_name[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *vnn_st_meta(const struct vnn_st_file *f, const char *key)
{
    if (!f || !key)
        return NULL;
    size_t lo = 0, hi = f->meta_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(key, f->meta_keys[mid]);
        if (c == 0)
            return f->meta_values[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* IEEE half to single, exactly: every half is a float. */
static float f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) { /* inf, NaN (payload kept, quiet bit stays the top one) */
        bits = sign | 0x7f800000u | man << 13;
    } else if (exp != 0) {
        bits = sign | (exp + 112) << 23 | man << 13;
    } else if (man == 0) {
        bits = sign;
    } else { /* subnormal half: a normal float; shift the leading 1 into place */
        uint32_t e = 113;
        while (!(man & 0x400)) {
            man <<= 1;
            e--;
        }
        bits = sign | e << 23 | (man & 0x3ff) << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Reads go through memcpy: t->data has no alignment promise. */
void vnn_st_to_float(const struct vnn_st_tensor *t, float *dst)
{
    const unsigned char *p = t->data;
    size_t n = (size_t)t->count;
    switch (t->dtype) {
    case VNN_ST_F32:
        memcpy(dst, p, n * sizeof *dst);
        break;
    case VNN_ST_F16:
        for (size_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            dst[i] = f16_to_f32(h);
        }
        break;
    case VNN_ST_BF16:
        for (size_t i = 0; i < n; i++) {
            uint16_t h;
            memcpy(&h, p + 2 * i, 2);
            uint32_t bits = (uint32_t)h << 16;
            memcpy(&dst[i], &bits, sizeof bits);
        }
        break;
    case VNN_ST_I64:
        for (size_t i = 0; i < n; i++) {
            int64_t v;
            memcpy(&v, p + 8 * i, 8);
            dst[i] = (float)v;
        }
        break;
    }
}

void vnn_st_to_i64(const struct vnn_st_tensor *t, int64_t *dst)
{
    size_t n = (size_t)t->count;
    if (t->dtype == VNN_ST_I64)
        memcpy(dst, t->data, n * sizeof *dst);
    else
        memset(dst, 0, n * sizeof *dst);
}

size_t vnn_st_meta_count(const struct vnn_st_file *f) { return f->meta_count; }

void vnn_st_meta_at(const struct vnn_st_file *f, size_t i, const char **key, const char **value)
{
    *key = f->meta_keys[i];
    *value = f->meta_values[i];
}
