/* Safetensors reader suite (models/safetensors.c). Files are written in
 * memory by a tiny writer (jansson's json_dumps for the header), so every
 * case states exactly which field is wrong. Each malformed case checks the
 * status and that vnn_last_error() names the offending tensor or field; the
 * mutation test throws thousands of damaged files at the parser, which must
 * refuse or accept each cleanly (every file is a guarded buffer of its exact
 * size, read-only: a read past its end faults, natively and under ASan). */
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/safetensors.h"
#include "vt.h"

/* --- the writer ------------------------------------------------------------ */

struct blob {
    unsigned char *p;
    size_t size;
};

/* 8-byte little-endian length, the header text, then the data section. */
static struct blob write_raw(const char *header, size_t hlen, const void *data, size_t dlen)
{
    struct blob b = {vt_alloc_bytes(8 + hlen + dlen, 1), 8 + hlen + dlen};
    for (int i = 0; i < 8; i++)
        b.p[i] = (unsigned char)((uint64_t)hlen >> (8 * i));
    memcpy(b.p + 8, header, hlen);
    if (dlen)
        memcpy(b.p + 8 + hlen, data, dlen);
    return b;
}

/* Dumps and releases the header object. */
static struct blob write_json(json_t *header, const void *data, size_t dlen)
{
    char *text = json_dumps(header, JSON_COMPACT | JSON_PRESERVE_ORDER);
    VT_CHECK(text, "json_dumps failed");
    struct blob b = write_raw(text, strlen(text), data, dlen);
    free(text);
    json_decref(header);
    return b;
}

static json_t *entry(const char *dtype, const long long *shape, int ndim, long long begin,
                     long long end)
{
    json_t *s = json_array();
    for (int d = 0; d < ndim; d++)
        json_array_append_new(s, json_integer(shape[d]));
    return json_pack("{s:s, s:o, s:[I,I]}", "dtype", dtype, "shape", s, "data_offsets",
                     (json_int_t)begin, (json_int_t)end);
}

/* The base file: conv1.weight F16 [32,1,3,3] at [0, 576), conv1.bias F32
 * [32] at [576, 704), a metadata object; data bytes i & 0x7f (finite). */
#define BASE_DATA 704
static unsigned char base_data[BASE_DATA];

static json_t *base_header(void)
{
    for (int i = 0; i < BASE_DATA; i++)
        base_data[i] = (unsigned char)(i & 0x3f);
    json_t *h = json_object();
    json_object_set_new(h, "__metadata__",
                        json_pack("{s:s, s:s}", "vnn.family", "cnn", "vnn.classes", "10"));
    json_object_set_new(h, "conv1.weight", entry("F16", (long long[]){32, 1, 3, 3}, 4, 0, 576));
    json_object_set_new(h, "conv1.bias", entry("F32", (long long[]){32}, 1, 576, 704));
    return h;
}

static struct blob base_file(void) { return write_json(base_header(), base_data, BASE_DATA); }

/* Parses b (then frees it) and requires `want` with every needle in the message. */
static void expect_bad(struct blob b, vnn_status want, const char *needle, const char *needle2)
{
    struct vnn_st_file *f = (struct vnn_st_file *)1;
    vt_readonly(b.p);
    vnn_status st = vnn_st_parse(b.p, b.size, &f);
    vt_free(b.p);
    const char *msg = vnn_last_error();
    VT_CHECK(st == want, "status %d (%s), want %d; message: %s", st, vnn_status_str(st), want,
             msg);
    VT_CHECK(f == NULL, "*out not NULL after a failure");
    VT_CHECK(strstr(msg, needle), "message \"%s\" does not mention \"%s\"", msg, needle);
    VT_CHECK(!needle2 || strstr(msg, needle2), "message \"%s\" does not mention \"%s\"", msg,
             needle2);
    vt_log("%s", msg);
}

/* The base header with tensor `name`'s field `key` replaced (or removed if v is NULL). */
static struct blob with_field(const char *name, const char *key, json_t *v)
{
    json_t *h = base_header();
    json_t *e = json_object_get(h, name);
    if (v)
        json_object_set_new(e, key, v);
    else
        json_object_del(e, key);
    return write_json(h, base_data, BASE_DATA);
}

static uint32_t bits_of(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* --- valid files ------------------------------------------------------------ */

VT_TEST(safetensors, parse_find_meta)
{
    struct blob b = base_file();
    struct vnn_st_file *f = NULL;
    vnn_status st = vnn_st_parse(b.p, b.size, &f);
    VT_CHECK(st == VNN_OK, "parse: %s", vnn_last_error());
    VT_CHECK(vnn_st_count(f) == 2, "count %zu", vnn_st_count(f));
    VT_CHECK(strcmp(vnn_st_at(f, 0)->name, "conv1.weight") == 0, "header order lost");
    VT_CHECK(strcmp(vnn_st_at(f, 1)->name, "conv1.bias") == 0, "header order lost");
    VT_CHECK(vnn_st_at(f, 2) == NULL, "at past the end");
    const struct vnn_st_tensor *w = vnn_st_find(f, "conv1.weight");
    VT_CHECK(w && w->dtype == VNN_ST_F16 && w->ndim == 4 && w->count == 288 && w->bytes == 576,
             "conv1.weight fields");
    VT_CHECK(w->shape[0] == 32 && w->shape[1] == 1 && w->shape[2] == 3 && w->shape[3] == 3,
             "conv1.weight shape");
    size_t data_at = b.size - BASE_DATA;
    VT_CHECK(w->data == b.p + data_at, "conv1.weight data pointer");
    const struct vnn_st_tensor *bias = vnn_st_find(f, "conv1.bias");
    VT_CHECK(bias && bias->dtype == VNN_ST_F32 && bias->count == 32 &&
                 bias->data == b.p + data_at + 576,
             "conv1.bias fields");
    VT_CHECK(!vnn_st_find(f, "conv1") && !vnn_st_find(f, "__metadata__") &&
                 !vnn_st_find(f, "conv1.weightx"),
             "find of absent names");
    VT_CHECK(strcmp(vnn_st_meta(f, "vnn.family"), "cnn") == 0, "meta vnn.family");
    VT_CHECK(strcmp(vnn_st_meta(f, "vnn.classes"), "10") == 0, "meta vnn.classes");
    VT_CHECK(!vnn_st_meta(f, "vnn.labels"), "meta of an absent key");
    float got[32];
    vnn_st_to_float(bias, got);
    VT_CHECK(memcmp(got, base_data + 576, sizeof got) == 0, "F32 copied");
    vnn_st_free(f);
    vnn_st_free(NULL);
    vt_free(b.p);
}

VT_TEST(safetensors, no_metadata_scalar_empty_padding)
{
    /* A 0-d tensor, an empty one sitting inside nothing, no __metadata__, and
     * the header padded with spaces (as the Python writer aligns it). */
    unsigned char data[4] = {0, 0, 0x80, 0x3f}; /* 1.0f */
    json_t *h = json_object();
    json_object_set_new(h, "scalar", entry("F32", NULL, 0, 0, 4));
    json_object_set_new(h, "empty", entry("BF16", (long long[]){0, 7}, 2, 4, 4));
    json_object_set_new(h, "empty_at_0", entry("F16", (long long[]){3, 0}, 2, 0, 0));
    char *text = json_dumps(h, JSON_COMPACT);
    json_decref(h);
    char padded[256];
    snprintf(padded, sizeof padded, "%-64s", text);
    free(text);
    struct blob b = write_raw(padded, strlen(padded), data, sizeof data);
    struct vnn_st_file *f = NULL;
    VT_CHECK(vnn_st_parse(b.p, b.size, &f) == VNN_OK, "parse: %s", vnn_last_error());
    const struct vnn_st_tensor *s = vnn_st_find(f, "scalar");
    VT_CHECK(s && s->ndim == 0 && s->count == 1 && s->bytes == 4, "scalar fields");
    float one;
    vnn_st_to_float(s, &one);
    VT_CHECK(one == 1.0f, "scalar value %g", one);
    const struct vnn_st_tensor *e = vnn_st_find(f, "empty");
    VT_CHECK(e && e->ndim == 2 && e->count == 0 && e->bytes == 0, "empty fields");
    VT_CHECK(!vnn_st_meta(f, "anything"), "meta without __metadata__");
    vnn_st_free(f);
    vt_free(b.p);
}

/* Reference half -> float by arithmetic, independent of bit tricks. */
static float half_ref(uint16_t h)
{
    int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    double v;
    if (exp == 0x1f)
        v = man ? NAN : INFINITY;
    else if (exp == 0)
        v = ldexp(man, -24);
    else
        v = ldexp(1024 + man, exp - 25);
    return sign ? -(float)v : (float)v;
}

/* Every one of the 65536 halves, unaligned in the buffer. */
VT_TEST(safetensors, f16_all_values)
{
    enum { N = 65536 };
    unsigned char *data = malloc(1 + 2 * N);
    VT_CHECK(data, "out of memory");
    data[0] = 0xee;
    for (int i = 0; i < N; i++) {
        data[1 + 2 * i] = (unsigned char)i;
        data[2 + 2 * i] = (unsigned char)(i >> 8);
    }
    json_t *h = json_object();
    json_object_set_new(h, "pad", entry("BF16", (long long[]){0}, 1, 0, 0));
    json_object_set_new(h, "halves", entry("F16", (long long[]){N}, 1, 1, 1 + 2 * N));
    struct blob b = write_json(h, data, 1 + 2 * N);
    free(data);
    struct vnn_st_file *f = NULL;
    VT_CHECK(vnn_st_parse(b.p, b.size, &f) == VNN_OK, "parse: %s", vnn_last_error());
    float *got = vt_alloc_floats(N);
    vnn_st_to_float(vnn_st_find(f, "halves"), got);
    for (int i = 0; i < N; i++) {
        float want = half_ref((uint16_t)i);
        if (isnan(want)) {
            /* NaN keeps sign and payload: the float's top mantissa bits. */
            uint32_t w = (uint32_t)(i >> 15) << 31 | 0x7f800000u | (uint32_t)(i & 0x3ff) << 13;
            VT_CHECK(bits_of(got[i]) == w, "half 0x%04x: 0x%08x, want NaN 0x%08x", i,
                     bits_of(got[i]), w);
        } else {
            VT_CHECK(bits_of(got[i]) == bits_of(want), "half 0x%04x: %a, want %a", i,
                     (double)got[i], (double)want);
        }
    }
    vt_free(got);
    vnn_st_free(f);
    vt_free(b.p);
}

VT_TEST(safetensors, f16_bf16_special_values)
{
    static const struct {
        uint16_t half, bf16;
        uint32_t want; /* float bits */
    } cases[] = {
        {0x0000, 0x0000, 0x00000000u}, /* +0 */
        {0x8000, 0x8000, 0x80000000u}, /* -0 */
        {0x3c00, 0x3f80, 0x3f800000u}, /* 1 */
        {0xc000, 0xc000, 0xc0000000u}, /* -2 */
        {0x7c00, 0x7f80, 0x7f800000u}, /* inf */
        {0xfc00, 0xff80, 0xff800000u}, /* -inf */
        {0x7e00, 0x7fc0, 0x7fc00000u}, /* quiet NaN */
        {0x0001, 0x0001, 0}, /* smallest subnormals: see below */
    };
    int n = (int)(sizeof cases / sizeof cases[0]);
    unsigned char data[64];
    for (int i = 0; i < n; i++) {
        memcpy(data + 2 * i, &cases[i].half, 2);
        memcpy(data + 2 * n + 2 * i, &cases[i].bf16, 2);
    }
    json_t *h = json_object();
    json_object_set_new(h, "h", entry("F16", (long long[]){n}, 1, 0, 2 * n));
    json_object_set_new(h, "b", entry("BF16", (long long[]){n}, 1, 2 * n, 4 * n));
    struct blob b = write_json(h, data, (size_t)(4 * n));
    struct vnn_st_file *f = NULL;
    VT_CHECK(vnn_st_parse(b.p, b.size, &f) == VNN_OK, "parse: %s", vnn_last_error());
    float gh[16], gb[16];
    vnn_st_to_float(vnn_st_find(f, "h"), gh);
    vnn_st_to_float(vnn_st_find(f, "b"), gb);
    for (int i = 0; i < n - 1; i++) {
        VT_CHECK(bits_of(gh[i]) == cases[i].want, "F16 0x%04x: 0x%08x, want 0x%08x",
                 cases[i].half, bits_of(gh[i]), cases[i].want);
        VT_CHECK(bits_of(gb[i]) == cases[i].want, "BF16 0x%04x: 0x%08x, want 0x%08x",
                 cases[i].bf16, bits_of(gb[i]), cases[i].want);
    }
    VT_CHECK(gh[n - 1] == ldexpf(1.0f, -24), "F16 0x0001: %a, want 2^-24", (double)gh[n - 1]);
    VT_CHECK(bits_of(gb[n - 1]) == 0x00010000u && gb[n - 1] == ldexpf(1.0f, -133),
             "BF16 0x0001: %a, want 2^-133 (a float subnormal)", (double)gb[n - 1]);
    VT_CHECK(signbit(gh[1]) && signbit(gb[1]), "negative zero lost its sign");
    vnn_st_free(f);
    vt_free(b.p);
}

VT_TEST(safetensors, i64)
{
    int64_t v[4] = {0, -3, INT64_MAX, (int64_t)1 << 40};
    json_t *h = json_object();
    json_object_set_new(h, "ids", entry("I64", (long long[]){2, 2}, 2, 0, 32));
    json_object_set_new(h, "w", entry("F32", (long long[]){2}, 1, 32, 40));
    unsigned char data[40] = {0};
    memcpy(data, v, 32);
    struct blob b = write_json(h, data, sizeof data);
    struct vnn_st_file *f = NULL;
    VT_CHECK(vnn_st_parse(b.p, b.size, &f) == VNN_OK, "parse: %s", vnn_last_error());
    const struct vnn_st_tensor *t = vnn_st_find(f, "ids");
    int64_t got[4];
    vnn_st_to_i64(t, got);
    VT_CHECK(memcmp(got, v, sizeof v) == 0, "I64 values");
    float fl[4];
    vnn_st_to_float(t, fl);
    VT_CHECK(fl[0] == 0 && fl[1] == -3 && fl[2] == (float)INT64_MAX && fl[3] == 0x1p40f,
             "I64 as float");
    int64_t z[2] = {7, 7};
    vnn_st_to_i64(vnn_st_find(f, "w"), z);
    VT_CHECK(z[0] == 0 && z[1] == 0, "to_i64 of a float tensor writes zeros");
    vnn_st_free(f);
    vt_free(b.p);
}

VT_TEST(safetensors, bad_arguments)
{
    struct vnn_st_file *f;
    VT_CHECK(vnn_st_parse(NULL, 8, &f) == VNN_ERR_INVALID_ARG, "NULL data");
    VT_CHECK(vnn_st_parse("12345678", 8, NULL) == VNN_ERR_INVALID_ARG, "NULL out");
    VT_CHECK(vnn_st_count(NULL) == 0 && !vnn_st_at(NULL, 0) && !vnn_st_find(NULL, "x") &&
                 !vnn_st_meta(NULL, "x"),
             "queries on NULL");
}

/* --- reading files ------------------------------------------------------------ */

static void temp_path(char *path, size_t size, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/vnn-st-%s-XXXXXX", dir && *dir ? dir : "/tmp", tag);
    int fd = mkstemp(path);
    VT_CHECK(fd >= 0, "mkstemp %s failed", path);
    close(fd);
}

VT_TEST(safetensors, read_file)
{
    char path[512];
    temp_path(path, sizeof path, "read");
    struct blob b = base_file();
    FILE *fp = fopen(path, "wb");
    VT_CHECK(fp && fwrite(b.p, 1, b.size, fp) == b.size && fclose(fp) == 0, "write %s", path);
    void *data = NULL;
    size_t size = 0;
    vnn_status st = vnn_st_read_file(path, &data, &size);
    unlink(path);
    VT_CHECK(st == VNN_OK, "read: %s", vnn_last_error());
    VT_CHECK(size == b.size && memcmp(data, b.p, size) == 0, "read back different bytes");
    free(data);
    vt_free(b.p);

    st = vnn_st_read_file("/nonexistent/vnn.safetensors", &data, &size);
    VT_CHECK(st == VNN_ERR_IO && strstr(vnn_last_error(), "/nonexistent/vnn.safetensors"),
             "missing file: %d %s", st, vnn_last_error());
    st = vnn_st_read_file("/", &data, &size);
    VT_CHECK(st == VNN_ERR_IO && strstr(vnn_last_error(), "not a regular file"),
             "directory: %d %s", st, vnn_last_error());
    VT_CHECK(vnn_st_read_file(NULL, &data, &size) == VNN_ERR_INVALID_ARG, "NULL path");
}

VT_TEST(safetensors, read_file_over_2gib)
{
    char path[512];
    temp_path(path, sizeof path, "big");
    /* Sparse: no disk space used where the file system allows holes. */
    int fd = open(path, O_WRONLY);
    int ok = fd >= 0 && ftruncate(fd, ((off_t)2 << 30) + 1) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        unlink(path);
        vt_skip("cannot make a sparse 2 GiB file in %s", path);
    }
    void *data = NULL;
    size_t size = 0;
    vnn_status st = vnn_st_read_file(path, &data, &size);
    unlink(path);
    VT_CHECK(st == VNN_ERR_BAD_FILE && strstr(vnn_last_error(), "2 GiB"), "status %d: %s", st,
             vnn_last_error());
    VT_CHECK(data == NULL, "data set on failure");
}

/* --- malformed files: one case each ------------------------------------------ */

VT_TEST(safetensors, truncated)
{
    struct blob full = base_file();
    size_t hend = full.size - BASE_DATA;
    /* In the length field, in the header, in the data. */
    size_t cuts[] = {0, 1, 7};
    struct blob b;
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        b = (struct blob){vt_alloc_bytes(cuts[i], 1), cuts[i]};
        memcpy(b.p, full.p, b.size);
        expect_bad(b, VNN_ERR_BAD_FILE, "shorter", "8-byte");
    }
    b = (struct blob){vt_alloc_bytes(hend - 1, 1), hend - 1};
    memcpy(b.p, full.p, b.size);
    expect_bad(b, VNN_ERR_BAD_FILE, "header length", "past the end");
    b = (struct blob){vt_alloc_bytes(8 + 10, 1), 8 + 10};
    memcpy(b.p, full.p, b.size);
    expect_bad(b, VNN_ERR_BAD_FILE, "past the end", NULL);
    b = (struct blob){vt_alloc_bytes(hend + 600, 1), hend + 600};
    memcpy(b.p, full.p, b.size);
    expect_bad(b, VNN_ERR_BAD_FILE, "\"conv1.bias\"", "past the data section of 600 bytes");
    b = (struct blob){vt_alloc_bytes(hend + 100, 1), hend + 100};
    memcpy(b.p, full.p, b.size);
    expect_bad(b, VNN_ERR_BAD_FILE, "\"conv1.weight\"", "data_offsets");
    vt_free(full.p);
}

VT_TEST(safetensors, header_length_zero_huge_past_end)
{
    struct blob b = base_file();
    memset(b.p, 0, 8);
    expect_bad(b, VNN_ERR_BAD_FILE, "header length is 0", NULL);
    b = base_file();
    memset(b.p, 0xff, 8);
    expect_bad(b, VNN_ERR_BAD_FILE, "header length", "100 MiB");
    b = base_file();
    uint64_t len = ((uint64_t)100 << 20) + 1;
    for (int i = 0; i < 8; i++)
        b.p[i] = (unsigned char)(len >> (8 * i));
    expect_bad(b, VNN_ERR_BAD_FILE, "104857601", "100 MiB");
    b = base_file();
    len = b.size - 8 + 1;
    for (int i = 0; i < 8; i++)
        b.p[i] = (unsigned char)(len >> (8 * i));
    expect_bad(b, VNN_ERR_BAD_FILE, "past the end", NULL);
}

VT_TEST(safetensors, bad_json)
{
    const char *texts[] = {
        "{\"a\": ",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} trailing",
        "{'a': 1}",
        "\xff\xfe{}",
        "{\"a\":1,}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        expect_bad(write_raw(texts[i], strlen(texts[i]), "\0\0\0\0", 4), VNN_ERR_BAD_FILE,
                   "header JSON", NULL);
    const char *arr = "[{\"dtype\":\"F32\"}]";
    expect_bad(write_raw(arr, strlen(arr), NULL, 0), VNN_ERR_BAD_FILE, "header JSON",
               "not an object");
    const char *nul = "{\"a\\u0000b\":{}}";
    expect_bad(write_raw(nul, strlen(nul), NULL, 0), VNN_ERR_BAD_FILE, "header JSON", "NUL");
}

VT_TEST(safetensors, duplicate_keys)
{
    const char *dup = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                      "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
    expect_bad(write_raw(dup, strlen(dup), "\0\0\0\0\0\0\0\0", 8), VNN_ERR_BAD_FILE,
               "duplicate", NULL);
    const char *dup_meta = "{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}";
    expect_bad(write_raw(dup_meta, strlen(dup_meta), NULL, 0), VNN_ERR_BAD_FILE, "duplicate",
               NULL);
}

VT_TEST(safetensors, wrong_field_types)
{
    expect_bad(with_field("conv1.weight", "dtype", json_integer(16)), VNN_ERR_BAD_FILE,
               "\"conv1.weight\"", "\"dtype\" is not a string");
    expect_bad(with_field("conv1.weight", "shape", json_string("32,1,3,3")), VNN_ERR_BAD_FILE,
               "\"conv1.weight\"", "\"shape\" is not an array");
    expect_bad(with_field("conv1.weight", "shape", json_pack("[i,f,i,i]", 32, 1.0, 3, 3)),
               VNN_ERR_BAD_FILE, "\"conv1.weight\"", "\"shape\"[1] is not an integer");
    expect_bad(with_field("conv1.bias", "data_offsets", json_pack("[i,i,i]", 576, 704, 704)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "two integers");
    expect_bad(with_field("conv1.bias", "data_offsets", json_pack("{s:i}", "begin", 576)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "two integers");
    expect_bad(with_field("conv1.bias", "data_offsets", json_pack("[i,s]", 576, "704")),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "\"data_offsets\"[1] is not an integer");
    expect_bad(with_field("conv1.bias", "data_offsets", NULL), VNN_ERR_BAD_FILE,
               "\"conv1.bias\"", "missing \"data_offsets\"");
    expect_bad(with_field("conv1.bias", "dtype", NULL), VNN_ERR_BAD_FILE, "\"conv1.bias\"",
               "missing \"dtype\"");
    expect_bad(with_field("conv1.bias", "shape", NULL), VNN_ERR_BAD_FILE, "\"conv1.bias\"",
               "missing \"shape\"");
    json_t *h = base_header();
    json_object_set_new(h, "fc.weight", json_pack("[s]", "F32"));
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE, "\"fc.weight\"",
               "not an object");
}

VT_TEST(safetensors, unknown_dtype)
{
    const char *names[] = {"F64", "I32", "U8", "BOOL", "f32", "F8_E4M3", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "dtype \"%s\" is not supported", names[i]);
        expect_bad(with_field("conv1.bias", "dtype", json_string(names[i])), VNN_ERR_BAD_FILE,
                   "\"conv1.bias\"", want);
    }
}

VT_TEST(safetensors, shape_does_not_match_offsets)
{
    /* The example message of the brief, word for word. */
    json_t *h = base_header();
    json_object_set_new(h, "conv1.weight", entry("F16", (long long[]){32, 1, 3, 3}, 4, 0, 100));
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE,
               "tensor \"conv1.weight\": data_offsets [0, 100) hold 100 bytes but dtype F16 "
               "shape [32,1,3,3] needs 576",
               NULL);
    expect_bad(with_field("conv1.bias", "dtype", json_string("F16")), VNN_ERR_BAD_FILE,
               "\"conv1.bias\"", "needs 64");
    expect_bad(with_field("conv1.bias", "shape", json_pack("[i]", 33)), VNN_ERR_BAD_FILE,
               "\"conv1.bias\"", "needs 132");
}

VT_TEST(safetensors, negative_and_too_many_dims)
{
    expect_bad(with_field("conv1.bias", "shape", json_pack("[i]", -32)), VNN_ERR_BAD_FILE,
               "\"conv1.bias\"", "negative (-32)");
    expect_bad(with_field("conv1.weight", "shape", json_pack("[i,i,i,i]", 32, 1, -3, -3)),
               VNN_ERR_BAD_FILE, "\"conv1.weight\"", "\"shape\"[2] is negative");
    expect_bad(with_field("conv1.bias", "shape", json_pack("[i,i,i,i,i,i,i,i,i]", 32, 1, 1, 1,
                                                           1, 1, 1, 1, 1)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "9 dimensions, more than 8");
}

VT_TEST(safetensors, overflowing_dims)
{
    /* The element count overflows int64. */
    expect_bad(with_field("conv1.bias", "shape",
                          json_pack("[I,I]", (json_int_t)1 << 62, (json_int_t)4)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "count overflows");
    expect_bad(with_field("conv1.bias", "shape",
                          json_pack("[I,I,I]", (json_int_t)1 << 32, (json_int_t)1 << 32,
                                    (json_int_t)2)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "count overflows");
    /* A zero after huge dims is an empty tensor, not an overflow. */
    expect_bad(with_field("conv1.bias", "shape",
                          json_pack("[I,I,I]", (json_int_t)1 << 32, (json_int_t)1 << 32,
                                    (json_int_t)0)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "hold 128 bytes but dtype F32 shape "
               "[4294967296,4294967296,0] needs 0");
    /* The count fits, its bytes do not: 2^62 F32 values. */
    expect_bad(with_field("conv1.bias", "shape", json_pack("[I]", (json_int_t)1 << 62)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "64 bits");
    /* Fits in 64 bits, nowhere near the offsets. */
    expect_bad(with_field("conv1.bias", "shape", json_pack("[I]", INT64_MAX / 8)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "hold 128 bytes");
}

VT_TEST(safetensors, offsets_out_of_range_or_reversed)
{
    expect_bad(with_field("conv1.bias", "data_offsets", json_pack("[i,i]", 577, 705)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "past the data section of 704 bytes");
    expect_bad(with_field("conv1.bias", "data_offsets",
                          json_pack("[I,I]", INT64_MAX - 127, INT64_MAX)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "past the data section");
    expect_bad(with_field("conv1.bias", "data_offsets", json_pack("[i,i]", 704, 576)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "end before they begin");
    expect_bad(with_field("conv1.bias", "data_offsets", json_pack("[i,i]", -128, 0)),
               VNN_ERR_BAD_FILE, "\"conv1.bias\"", "\"data_offsets\"[0] is negative");
}

VT_TEST(safetensors, overlapping_tensors)
{
    json_t *h = base_header();
    json_object_set_new(h, "conv1.bias", entry("F32", (long long[]){32}, 1, 574, 702));
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE, "overlap",
               "\"conv1.bias\" [574, 702)");
    h = base_header(); /* the same range twice */
    json_object_set_new(h, "conv1.bias2", entry("F32", (long long[]){32}, 1, 576, 704));
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE, "overlap", "conv1.bias");
    h = base_header(); /* one inside another, listed first */
    json_object_set_new(h, "inner", entry("F32", (long long[]){2}, 1, 8, 16));
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE, "overlap", "\"inner\"");
    /* Touching ranges and an empty range inside another are fine. */
    h = base_header();
    json_object_set_new(h, "nothing", entry("F32", (long long[]){0}, 1, 8, 8));
    struct blob b = write_json(h, base_data, BASE_DATA);
    struct vnn_st_file *f = NULL;
    VT_CHECK(vnn_st_parse(b.p, b.size, &f) == VNN_OK, "an empty tensor overlaps: %s",
             vnn_last_error());
    vnn_st_free(f);
    vt_free(b.p);
}

VT_TEST(safetensors, bad_metadata_and_names)
{
    json_t *h = base_header();
    json_object_set_new(json_object_get(h, "__metadata__"), "vnn.classes", json_integer(10));
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE, "__metadata__",
               "\"vnn.classes\" is not a string");
    h = base_header();
    json_object_set_new(json_object_get(h, "__metadata__"), "vnn.labels", json_null());
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE, "\"vnn.labels\"",
               "not a string");
    h = base_header();
    json_object_set_new(h, "__metadata__", json_pack("[s]", "cnn"));
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE,
               "\"__metadata__\" is not an object", NULL);
    h = base_header();
    json_object_set_new(h, "", entry("F32", (long long[]){0}, 1, 0, 0));
    expect_bad(write_json(h, base_data, BASE_DATA), VNN_ERR_BAD_FILE, "empty name", NULL);
}

/* --- damaged files ------------------------------------------------------------- */

/* A valid file with some of everything, for the mutation test. */
static struct blob rich_file(void)
{
    json_t *h = base_header();
    json_object_set_new(h, "emb", entry("BF16", (long long[]){4, 2}, 2, 704, 720));
    json_object_set_new(h, "ids", entry("I64", (long long[]){2}, 1, 720, 736));
    json_object_set_new(h, "s", entry("F32", NULL, 0, 736, 740));
    json_object_set_new(json_object_get(h, "__metadata__"), "tokenizer.vocab",
                        json_string("the\nand\nof"));
    unsigned char data[740];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7);
    return write_json(h, data, sizeof data);
}

VT_TEST(safetensors, random_mutations)
{
    vt_rng r = vt_rng_make("safetensors/random_mutations");
    struct blob good = rich_file();
    size_t hend = good.size - 740;
    static const char interesting[] = "{}[]\":,-0123456789eE. \\F16BI4\x00\xff\x80";
    int n = vt_count(2000), accepted = 0, refused = 0;
    float *scratch = vt_alloc_floats(1024);
    for (int it = 0; it < n; it++) {
        /* Mostly the header: damage to the data section is not the parser's concern. */
        size_t size = good.size;
        unsigned char *p = malloc(size);
        VT_CHECK(p, "out of memory");
        memcpy(p, good.p, size);
        int edits = vt_rng_int(&r, 1, 4);
        for (int e = 0; e < edits && size > 0; e++) {
            size_t at = (size_t)(vt_rng_next(&r) % (hend < size ? hend : size));
            switch (vt_rng_int(&r, 0, 5)) {
            case 0: p[at] ^= (unsigned char)(1u << vt_rng_int(&r, 0, 7)); break;
            case 1: p[at] = (unsigned char)vt_rng_next(&r); break;
            case 2:
                p[at] = (unsigned char)interesting[vt_rng_next(&r) % (sizeof interesting - 1)];
                break;
            case 3: p[at % 8] = (unsigned char)vt_rng_next(&r); break;
            case 4: /* drop a byte, keeping the length field: the rest shifts */
                memmove(p + at, p + at + 1, size - at - 1);
                size--;
                break;
            default: size = (size_t)(vt_rng_next(&r) % (size + 1)); break;
            }
        }
        /* Exactly `size` bytes, guarded: a read past them faults. */
        unsigned char *exact = vt_alloc_bytes(size, 1);
        memcpy(exact, p, size);
        vt_readonly(exact);
        free(p);
        struct vnn_st_file *f = NULL;
        vnn_status st = vnn_st_parse(exact, size, &f);
        if (st == VNN_OK) {
            accepted++;
            for (size_t i = 0; i < vnn_st_count(f); i++) {
                const struct vnn_st_tensor *t = vnn_st_at(f, i);
                VT_CHECK(t->data >= exact + 8 && t->bytes <= size &&
                             t->data + t->bytes <= exact + size,
                         "iteration %d: tensor %zu outside the buffer", it, i);
                VT_CHECK(vnn_st_find(f, t->name) == t, "iteration %d: find(%s)", it, t->name);
                if (t->count <= 1024)
                    vnn_st_to_float(t, scratch);
            }
            vnn_st_free(f);
        } else {
            refused++;
            VT_CHECK(st == VNN_ERR_BAD_FILE, "iteration %d: status %d", it, st);
            VT_CHECK(f == NULL && vnn_last_error()[0], "iteration %d: no message", it);
        }
        vt_free(exact);
    }
    vt_free(scratch);
    vt_free(good.p);
    vt_log("%d damaged files: %d accepted, %d refused", n, accepted, refused);
    VT_CHECK(refused > n / 2, "only %d of %d damaged files refused", refused, n);
}
