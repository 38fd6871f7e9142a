/* Malformed or mismatched model files are refused with a message naming the
 * tensor or field (never a crash), and bad run arguments are refused
 * without writing any output. The bad files are made from the bundled CNN
 * by editing its JSON header. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model-fixtures.h"
#include "vnn/vnn.h"
#include "vt.h"

struct file {
    unsigned char *bytes;
    size_t size;
};

static struct file cnn_file(void)
{
    struct file f;
    f.bytes = fixture_model_bytes("cnn", &f.size);
    return f;
}

static json_t *header_of(const struct file *f, size_t *data_at)
{
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--)
        n = n << 8 | f->bytes[i];
    *data_at = 8 + (size_t)n;
    json_error_t e;
    json_t *h = json_loadb((const char *)f->bytes + 8, (size_t)n, 0, &e);
    VT_CHECK(h, "bundled cnn header: %s", e.text);
    return h;
}

/* The file with header h and the original data section. */
static struct file with_header(const struct file *f, json_t *h, size_t data_at)
{
    char *text = json_dumps(h, JSON_COMPACT);
    VT_CHECK(text, "json_dumps");
    size_t n = strlen(text), data = f->size - data_at;
    struct file out = {malloc(8 + n + data), 8 + n + data};
    VT_CHECK(out.bytes, "out of memory");
    for (int i = 0; i < 8; i++)
        out.bytes[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(out.bytes + 8, text, n);
    memcpy(out.bytes + 8 + n, f->bytes + data_at, data);
    free(text);
    return out;
}

static void expect_refused(const struct file *f, vnn_status want, const char *mention,
                           const char *what)
{
    vnn_model *m = (vnn_model *)f; /* anything non-NULL */
    vnn_status st = vnn_model_load_memory(f->bytes, f->size, &m);
    VT_CHECK(st == want, "%s: status \"%s\", want \"%s\"", what, vnn_status_str(st),
             vnn_status_str(want));
    VT_CHECK(m == NULL, "%s: *out not NULL on failure", what);
    VT_CHECK(strstr(vnn_last_error(), mention), "%s: message \"%s\" does not name \"%s\"",
             what, vnn_last_error(), mention);
}

VT_TEST(model_files, bundled_files_load)
{
    const char *families[] = {"cnn", "bilstm", "transformer"};
    for (int i = 0; i < 3; i++) {
        vnn_model *m = fixture_model(families[i]);
        vnn_model_info info;
        VT_CHECK(vnn_model_get_info(m, &info) == VNN_OK, "info");
        VT_CHECK(strcmp(info.family_name, families[i]) == 0, "family %s", info.family_name);
        const char *value, *label;
        VT_CHECK(vnn_model_config(m, "vnn.family", &value) == VNN_OK &&
                     strcmp(value, families[i]) == 0,
                 "vnn.family metadata");
        VT_CHECK(vnn_model_label(m, info.classes - 1, &label) == VNN_OK && *label, "label");
        VT_CHECK(vnn_model_label(m, info.classes, &label) == VNN_ERR_INVALID_ARG,
                 "label out of range accepted");
        vnn_model_free(m);
    }
}

VT_TEST(model_files, truncated)
{
    struct file f = cnn_file();
    size_t sizes[] = {0, 7, 8, 100, f.size / 2, f.size - 1};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        struct file t = {f.bytes, sizes[i]};
        vnn_model *m;
        VT_CHECK(vnn_model_load_memory(t.bytes, t.size, &m) == VNN_ERR_BAD_FILE,
                 "a file cut to %zu bytes loaded", sizes[i]);
        VT_CHECK(*vnn_last_error(), "no message for a file cut to %zu bytes", sizes[i]);
    }
    free(f.bytes);
}

VT_TEST(model_files, bad_header_length)
{
    struct file f = cnn_file();
    struct file t = {malloc(f.size), f.size};
    memcpy(t.bytes, f.bytes, f.size);
    uint64_t lens[] = {0, f.size, UINT64_MAX, (uint64_t)1 << 40};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        for (int b = 0; b < 8; b++)
            t.bytes[b] = (unsigned char)(lens[i] >> (8 * b));
        vnn_model *m;
        VT_CHECK(vnn_model_load_memory(t.bytes, t.size, &m) == VNN_ERR_BAD_FILE,
                 "header length %llu accepted", (unsigned long long)lens[i]);
        VT_CHECK(strstr(vnn_last_error(), "header"), "message \"%s\"", vnn_last_error());
    }
    free(t.bytes);
    free(f.bytes);
}

/* One header edit: f(h) changes the JSON; the load must fail naming `mention`. */
static void edited(void (*edit)(json_t *h), vnn_status want, const char *mention,
                   const char *what)
{
    struct file f = cnn_file();
    size_t data_at;
    json_t *h = header_of(&f, &data_at);
    edit(h);
    struct file t = with_header(&f, h, data_at);
    expect_refused(&t, want, mention, what);
    json_decref(h);
    free(t.bytes);
    free(f.bytes);
}

static void set_offsets(json_t *h, const char *name, json_int_t b, json_int_t e)
{
    json_t *o = json_object_get(json_object_get(h, name), "data_offsets");
    json_array_set_new(o, 0, json_integer(b));
    json_array_set_new(o, 1, json_integer(e));
}

static void offsets_out_of_range(json_t *h) { set_offsets(h, "fc2.bias", 1 << 30, (1 << 30) + 20); }
static void offsets_reversed(json_t *h)
{
    json_t *o = json_object_get(json_object_get(h, "fc2.bias"), "data_offsets");
    json_int_t b = json_integer_value(json_array_get(o, 0)),
               e = json_integer_value(json_array_get(o, 1));
    set_offsets(h, "fc2.bias", e, b);
}
static void offsets_overlap(json_t *h)
{
    json_t *w = json_object_get(json_object_get(h, "conv1.bias"), "data_offsets");
    json_t *o = json_object_get(json_object_get(h, "conv1.weight"), "data_offsets");
    json_int_t b = json_integer_value(json_array_get(o, 0));
    json_int_t len = json_integer_value(json_array_get(w, 1)) -
                     json_integer_value(json_array_get(w, 0));
    set_offsets(h, "conv1.bias", b, b + len);
}
static void unknown_dtype(json_t *h)
{
    json_object_set_new(json_object_get(h, "fc2.bias"), "dtype", json_string("Q4"));
}
/* conv1.weight as I64 of the same byte count: the reader accepts it, the
 * loader must not. */
static void integer_dtype(json_t *h)
{
    json_t *t = json_object_get(h, "conv1.weight");
    const char *dt = json_string_value(json_object_get(t, "dtype"));
    json_int_t bytes = 32 * 9 * (strcmp(dt, "F32") == 0 ? 4 : 2);
    json_object_set_new(t, "dtype", json_string("I64"));
    json_object_set_new(t, "shape", json_pack("[I]", bytes / 8));
}
static void shape_swapped(json_t *h)
{
    json_object_set_new(json_object_get(h, "fc1.weight"), "shape", json_pack("[ii]", 576, 64));
}
static void shape_vs_bytes(json_t *h)
{
    json_object_set_new(json_object_get(h, "fc2.bias"), "shape", json_pack("[i]", 11));
}
static void missing_tensor(json_t *h) { json_object_del(h, "fc2.weight"); }
static void bad_family(json_t *h)
{
    json_object_set_new(json_object_get(h, "__metadata__"), "vnn.family", json_string("rnn"));
}
static void bad_size(json_t *h)
{
    json_object_set_new(json_object_get(h, "__metadata__"), "cnn.conv2", json_string("6x4"));
}
static void size_mismatch(json_t *h)
{
    json_object_set_new(json_object_get(h, "__metadata__"), "cnn.dense", json_string("65"));
}
static void no_labels(json_t *h) { json_object_del(json_object_get(h, "__metadata__"), "vnn.labels"); }
static void labels_count(json_t *h)
{
    json_object_set_new(json_object_get(h, "__metadata__"), "vnn.labels", json_string("a\nb"));
}
static void small_image(json_t *h)
{
    json_object_set_new(json_object_get(h, "__metadata__"), "cnn.height", json_string("12"));
}

VT_TEST(model_files, offsets_out_of_range)
{
    edited(offsets_out_of_range, VNN_ERR_BAD_FILE, "fc2.bias", "offsets past the end");
}
VT_TEST(model_files, offsets_reversed)
{
    edited(offsets_reversed, VNN_ERR_BAD_FILE, "fc2.bias", "offsets reversed");
}
VT_TEST(model_files, offsets_overlap)
{
    edited(offsets_overlap, VNN_ERR_BAD_FILE, "conv1", "overlapping tensors");
}
VT_TEST(model_files, unknown_dtype) { edited(unknown_dtype, VNN_ERR_BAD_FILE, "Q4", "dtype Q4"); }
VT_TEST(model_files, integer_dtype)
{
    edited(integer_dtype, VNN_ERR_BAD_FILE, "conv1.weight", "I64 weights");
}
VT_TEST(model_files, shape_mismatch)
{
    edited(shape_swapped, VNN_ERR_BAD_FILE, "fc1.weight", "fc1 transposed");
}
VT_TEST(model_files, shape_disagrees_with_bytes)
{
    edited(shape_vs_bytes, VNN_ERR_BAD_FILE, "fc2.bias", "shape vs data_offsets");
}
VT_TEST(model_files, missing_tensor)
{
    edited(missing_tensor, VNN_ERR_BAD_FILE, "fc2.weight", "no fc2.weight");
}
VT_TEST(model_files, bad_metadata)
{
    edited(bad_family, VNN_ERR_BAD_FILE, "vnn.family", "family rnn");
    edited(bad_size, VNN_ERR_BAD_FILE, "cnn.conv2", "conv2 6x4");
    edited(size_mismatch, VNN_ERR_BAD_FILE, "fc1.weight", "dense 65 vs the tensors");
    edited(no_labels, VNN_ERR_BAD_FILE, "vnn.labels", "no labels");
    edited(labels_count, VNN_ERR_BAD_FILE, "vnn.labels", "2 labels for 10 classes");
    edited(small_image, VNN_ERR_BAD_FILE, "cnn.height", "12x28 input");
}

VT_TEST(model_files, missing_file)
{
    vnn_model *m;
    VT_CHECK(vnn_model_load("/nonexistent/model.safetensors", &m) == VNN_ERR_IO,
             "a missing file must be VNN_ERR_IO");
    VT_CHECK(strstr(vnn_last_error(), "/nonexistent/model.safetensors"), "message \"%s\"",
             vnn_last_error());
}

/* Bad run arguments: an error, and the outputs untouched. */
VT_TEST(model_files, bad_run_arguments)
{
    vnn_model *cnn = fixture_model("cnn"), *tr = fixture_model("transformer");
    vnn_model_info ti;
    vnn_model_get_info(tr, &ti);
    float out[64], img[28 * 28] = {0};
    for (int i = 0; i < 64; i++)
        out[i] = 1234.5f;
    int64_t ids[4] = {2, 3, 4, 5}, bad_ids[4] = {2, ti.vocab, 4, 5}, len0[1] = {0},
            len5[1] = {5}, neg[4] = {2, -1, 3, 3};
    struct {
        vnn_status st;
        const char *what, *mention;
    } cases[] = {
        {vnn_model_run_tokens(tr, NULL, 1, 4, bad_ids, NULL, out, out + 8), "id = vocab", "token id"},
        {vnn_model_run_tokens(tr, NULL, 1, 4, neg, NULL, out, out + 8), "id -1", "token id"},
        {vnn_model_run_tokens(tr, NULL, 1, 4, ids, len0, out, out + 8), "length 0", "lengths"},
        {vnn_model_run_tokens(tr, NULL, 1, 4, ids, len5, out, out + 8), "length > T", "lengths"},
        {vnn_model_run_tokens(tr, NULL, 1, ti.max_sequence + 1, ids, len5, out, out + 8),
         "T > max positions", "at most"},
        {vnn_model_run_tokens(tr, NULL, 0, 4, ids, NULL, out, out + 8), "N = 0", "batch"},
        {vnn_model_run_tokens(cnn, NULL, 1, 4, ids, NULL, out, out + 8), "tokens to the cnn", "cnn"},
        {vnn_model_run_images(tr, NULL, 1, img, out, out + 8), "images to a text model", "tokens"},
        {vnn_model_run_images(cnn, NULL, 1, NULL, out, out + 8), "NULL images", "images"},
        {vnn_model_run_images(cnn, NULL, -3, img, out, out + 8), "N = -3", "batch"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        VT_CHECK(cases[i].st == VNN_ERR_INVALID_ARG, "%s: status %s", cases[i].what,
                 vnn_status_str(cases[i].st));
    for (int i = 0; i < 64; i++)
        VT_CHECK(out[i] == 1234.5f, "an output was written by a refused run (float %d)", i);
    /* A context made for one model cannot run another. */
    vnn_model_context *ctx;
    VT_CHECK(vnn_model_context_create(cnn, &ctx) == VNN_OK, "context");
    VT_CHECK(vnn_model_run_tokens(tr, ctx, 1, 4, ids, NULL, out, NULL) == VNN_ERR_INVALID_ARG,
             "another model's context accepted");
    vnn_model_context_destroy(ctx);
    vnn_model_free(cnn);
    vnn_model_free(tr);
}
