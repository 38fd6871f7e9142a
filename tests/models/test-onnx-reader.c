/* ONNX reader suite (models/onnx-model.c, onnx-tensor.c). Models are built
 * in memory with protobuf-c's generated structs and packed, so each case
 * states exactly which field is wrong; every malformed case checks the
 * status and that vnn_last_error() names the tensor, node or field. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/onnx-internal.h"
#include "vt.h"

/* A one-node graph: Y = Relu(W) with W an initializer [2][2] floats, unless
 * a case changes a field before packing. */
struct fixture {
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
    Onnx__NodeProto node;
    Onnx__TensorProto init;
    Onnx__ValueInfoProto out;
    Onnx__OperatorSetIdProto opset;
    Onnx__OperatorSetIdProto *opsets[1];
    Onnx__NodeProto *nodes[1];
    Onnx__TensorProto *inits[1];
    Onnx__ValueInfoProto *outs[1];
    char *node_in[1], *node_out[1];
    int64_t dims[VNN_ONNX_MAX_DIMS + 1];
    float values[4];
    Onnx__StringStringEntryProto ext[3];
    Onnx__StringStringEntryProto *ext_p[3];
};

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    onnx__model_proto__init(&f->model);
    onnx__graph_proto__init(&f->graph);
    onnx__node_proto__init(&f->node);
    onnx__tensor_proto__init(&f->init);
    onnx__value_info_proto__init(&f->out);
    onnx__operator_set_id_proto__init(&f->opset);
    f->opset.has_version = 1;
    f->opset.version = 17;
    f->opsets[0] = &f->opset;
    f->model.has_ir_version = 1;
    f->model.ir_version = 8;
    f->model.n_opset_import = 1;
    f->model.opset_import = f->opsets;
    f->model.graph = &f->graph;
    f->values[0] = 1, f->values[1] = -2, f->values[2] = 3, f->values[3] = -4;
    f->dims[0] = f->dims[1] = 2;
    f->init.name = "W";
    f->init.has_data_type = 1;
    f->init.data_type = VNN_ONNX_FLOAT;
    f->init.n_dims = 2;
    f->init.dims = f->dims;
    f->init.has_raw_data = 1;
    f->init.raw_data.len = sizeof f->values;
    f->init.raw_data.data = (uint8_t *)f->values;
    f->inits[0] = &f->init;
    f->graph.n_initializer = 1;
    f->graph.initializer = f->inits;
    f->node_in[0] = "W";
    f->node_out[0] = "Y";
    f->node.op_type = "Relu";
    f->node.n_input = 1;
    f->node.input = f->node_in;
    f->node.n_output = 1;
    f->node.output = f->node_out;
    f->nodes[0] = &f->node;
    f->graph.n_node = 1;
    f->graph.node = f->nodes;
    f->out.name = "Y";
    f->outs[0] = &f->out;
    f->graph.n_output = 1;
    f->graph.output = f->outs;
}

/* W's data from external file `location` at offset, length. */
static void fixture_external(struct fixture *f, const char *location, const char *offset,
                             const char *length)
{
    static const char *const keys[3] = {"location", "offset", "length"};
    const char *vals[3] = {location, offset, length};
    for (int k = 0; k < 3; k++) {
        onnx__string_string_entry_proto__init(&f->ext[k]);
        f->ext[k].key = (char *)keys[k];
        f->ext[k].value = (char *)vals[k];
        f->ext_p[k] = &f->ext[k];
    }
    f->init.has_raw_data = 0;
    f->init.n_external_data = 3;
    f->init.external_data = f->ext_p;
    f->init.has_data_location = 1;
    f->init.data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
}

static uint8_t *pack(const struct fixture *f, size_t *size)
{
    *size = onnx__model_proto__get_packed_size(&f->model);
    uint8_t *buf = malloc(*size ? *size : 1);
    VT_CHECK(buf, "out of memory");
    VT_CHECK(onnx__model_proto__pack(&f->model, buf) == *size, "pack");
    return buf;
}

static vnn_status parse(const struct fixture *f, const char *dir, struct vnn_onnx_model **m)
{
    size_t size;
    uint8_t *buf = pack(f, &size);
    vnn_status st = vnn_onnx_model_parse(buf, size, dir, m);
    free(buf); /* the model must not keep pointers into the buffer */
    return st;
}

static void expect_bad(const struct fixture *f, const char *dir, const char *what,
                       const char *words)
{
    struct vnn_onnx_model *m = (struct vnn_onnx_model *)1;
    vnn_status st = parse(f, dir, &m);
    VT_CHECK(st == VNN_ERR_BAD_FILE && m == NULL, "%s: status %d, expected BAD_FILE", what,
             (int)st);
    VT_CHECK(strstr(vnn_last_error(), words) != NULL, "%s: message '%s' lacks '%s'", what,
             vnn_last_error(), words);
}

VT_TEST(onnx_reader, valid_model)
{
    struct fixture f;
    fixture_init(&f);
    struct vnn_onnx_model *m;
    VT_CHECK(parse(&f, NULL, &m) == VNN_OK, "parse: %s", vnn_last_error());
    VT_CHECK(m->n_nodes == 1 && strcmp(m->nodes[0].op_type, "Relu") == 0, "node");
    VT_CHECK(m->opset == 17 && m->ir_version == 8, "opset %lld", (long long)m->opset);
    const struct vnn_onnx_tensor *w = vnn_onnx_init_find(m, "W");
    VT_CHECK(w && w->count == 4 && w->f && w->f[1] == -2.0f && w->f[3] == -4.0f, "W");
    VT_CHECK(m->n_inputs == 0 && m->n_outputs == 1, "inputs/outputs");
    vnn_onnx_model_free(m);
}

VT_TEST(onnx_reader, truncated_or_garbage)
{
    struct fixture f;
    fixture_init(&f);
    size_t size;
    uint8_t *buf = pack(&f, &size);
    /* Every prefix: parsed or refused, never a read past it (exact-size copies). */
    for (size_t n = 0; n < size; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, buf, n);
        struct vnn_onnx_model *m = NULL;
        vnn_status st = vnn_onnx_model_parse(cut, n, NULL, &m);
        VT_CHECK(st == VNN_OK || (st == VNN_ERR_BAD_FILE && m == NULL), "prefix %zu", n);
        vnn_onnx_model_free(m);
        free(cut);
    }
    struct vnn_onnx_model *m = NULL;
    VT_CHECK(vnn_onnx_model_parse(buf, size - 1, NULL, &m) == VNN_ERR_BAD_FILE,
             "one byte short must be refused");
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34};
    VT_CHECK(vnn_onnx_model_parse(junk, sizeof junk, NULL, &m) == VNN_ERR_BAD_FILE, "junk");
    struct vnn_onnx_tensor *t = NULL;
    VT_CHECK(vnn_onnx_tensor_parse(junk, sizeof junk, &t) == VNN_ERR_BAD_FILE && !t,
             "junk tensor");
    free(buf);
}

VT_TEST(onnx_reader, names)
{
    struct fixture f;
    fixture_init(&f);
    f.node_in[0] = "missing";
    expect_bad(&f, NULL, "dangling input", "'missing' is not defined");
    fixture_init(&f);
    f.node_out[0] = "W";
    expect_bad(&f, NULL, "output redefines an initializer", "'W' is defined twice");
    fixture_init(&f);
    f.out.name = "Z";
    expect_bad(&f, NULL, "graph output never computed", "'Z' is never computed");
    fixture_init(&f);
    f.node.op_type = "";
    expect_bad(&f, NULL, "no op_type", "no op_type");
    fixture_init(&f);
    f.graph.n_node = 0;
    expect_bad(&f, NULL, "no node computes Y", "'Y' is never computed");
}

VT_TEST(onnx_reader, shapes_and_sizes)
{
    struct fixture f;
    fixture_init(&f);
    f.dims[1] = -2;
    expect_bad(&f, NULL, "negative dim", "dim 1 is -2");
    fixture_init(&f);
    f.dims[0] = f.dims[1] = INT64_C(1) << 40;
    expect_bad(&f, NULL, "overflowing shape", "'W'");
    fixture_init(&f);
    f.init.n_dims = VNN_ONNX_MAX_DIMS + 1;
    for (int k = 0; k <= VNN_ONNX_MAX_DIMS; k++)
        f.dims[k] = 1;
    expect_bad(&f, NULL, "too many dims", "dims, more than");
    fixture_init(&f);
    f.init.raw_data.len = 12;
    expect_bad(&f, NULL, "raw_data short", "raw_data has 12 bytes, the shape needs 16");
    fixture_init(&f);
    f.init.has_raw_data = 0;
    f.init.n_float_data = 3;
    f.init.float_data = f.values;
    expect_bad(&f, NULL, "float_data short", "3 values of float");
    fixture_init(&f);
    f.init.data_type = 99;
    expect_bad(&f, NULL, "unknown dtype", "data_type 99");
    fixture_init(&f);
    f.init.n_int64_data = 1;
    f.init.int64_data = f.dims;
    expect_bad(&f, NULL, "two data fields", "more than one field");
}

/* A folder with the model's external file and, beside it, a file outside. */
static void make_dirs(char *root, size_t len, char *inner, size_t ilen)
{
    snprintf(root, len, "/tmp/vnn-onnx-test-XXXXXX");
    VT_CHECK(mkdtemp(root), "mkdtemp");
    snprintf(inner, ilen, "%s/model", root);
    VT_CHECK(mkdir(inner, 0700) == 0, "mkdir");
    char path[256];
    float data[8] = {9, 9, 9, 9, 5, 6, 7, 8};
    snprintf(path, sizeof path, "%s/w.bin", inner);
    FILE *fp = fopen(path, "wb");
    VT_CHECK(fp && fwrite(data, 4, 8, fp) == 8 && fclose(fp) == 0, "write");
    snprintf(path, sizeof path, "%s/secret.bin", root);
    fp = fopen(path, "wb");
    VT_CHECK(fp && fwrite(data, 4, 8, fp) == 8 && fclose(fp) == 0, "write");
    char link[256];
    snprintf(link, sizeof link, "%s/escape.bin", inner);
    VT_CHECK(symlink(path, link) == 0, "symlink");
}

static void remove_dirs(const char *root)
{
    static const char *const files[] = {"model/w.bin", "model/escape.bin", "secret.bin"};
    char path[256];
    for (size_t k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s", root, files[k]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/model", root);
    rmdir(path);
    rmdir(root);
}

VT_TEST(onnx_reader, external_data)
{
    char root[64], inner[96];
    make_dirs(root, sizeof root, inner, sizeof inner);
    struct fixture f;
    fixture_init(&f);
    fixture_external(&f, "w.bin", "16", "16");
    struct vnn_onnx_model *m;
    VT_CHECK(parse(&f, inner, &m) == VNN_OK, "inside the folder: %s", vnn_last_error());
    const struct vnn_onnx_tensor *w = vnn_onnx_init_find(m, "W");
    VT_CHECK(w->f[0] == 5 && w->f[3] == 8, "external values");
    vnn_onnx_model_free(m);

    fixture_external(&f, "w.bin", "16", "16");
    expect_bad(&f, NULL, "no folder", "no model folder");
    fixture_external(&f, "../secret.bin", "0", "16");
    expect_bad(&f, inner, "parent folder", "not a relative path inside");
    char abs[160];
    snprintf(abs, sizeof abs, "%s/secret.bin", root);
    fixture_external(&f, abs, "0", "16");
    expect_bad(&f, inner, "absolute path", "not a relative path inside");
    fixture_external(&f, "escape.bin", "0", "16");
    expect_bad(&f, inner, "symlink out", "resolves outside");
    fixture_external(&f, "w.bin", "24", "16");
    expect_bad(&f, inner, "past the end", "offset 24 length 16");
    fixture_external(&f, "w.bin", "0", "32");
    expect_bad(&f, inner, "length vs shape", "the shape needs 16");
    fixture_external(&f, "w.bin", "-4", "16");
    expect_bad(&f, inner, "negative offset", "external data offset");
    fixture_external(&f, "none.bin", "0", "16");
    expect_bad(&f, inner, "missing file", "none.bin");
    remove_dirs(root);
}

VT_TEST(onnx_reader, tensor_file)
{
    Onnx__TensorProto t = ONNX__TENSOR_PROTO__INIT;
    int64_t dims[1] = {3};
    int32_t vals[3] = {1, -7, 300};
    t.has_data_type = 1;
    t.data_type = VNN_ONNX_INT32;
    t.n_dims = 1;
    t.dims = dims;
    t.n_int32_data = 3;
    t.int32_data = vals;
    size_t size = onnx__tensor_proto__get_packed_size(&t);
    uint8_t *buf = malloc(size);
    onnx__tensor_proto__pack(&t, buf);
    struct vnn_onnx_tensor *r;
    VT_CHECK(vnn_onnx_tensor_parse(buf, size, &r) == VNN_OK, "%s", vnn_last_error());
    VT_CHECK(r->i && r->i[0] == 1 && r->i[1] == -7 && r->i[2] == 300 && !r->f, "int32 widened");
    vnn_onnx_tensor_free(r);
    free(buf);
}

/* Graphs inside attributes inside nodes inside graphs, `levels` deep. */
static uint8_t *nested_model(int levels, size_t *size)
{
    Onnx__GraphProto *g = calloc((size_t)levels + 1, sizeof *g);
    Onnx__NodeProto *n = calloc((size_t)levels, sizeof *n);
    Onnx__AttributeProto *a = calloc((size_t)levels, sizeof *a);
    Onnx__NodeProto **np = calloc((size_t)levels, sizeof *np);
    Onnx__AttributeProto **ap = calloc((size_t)levels, sizeof *ap);
    VT_CHECK(g && n && a && np && ap, "out of memory");
    for (int k = 0; k <= levels; k++)
        onnx__graph_proto__init(&g[k]);
    for (int k = 0; k < levels; k++) {
        onnx__node_proto__init(&n[k]);
        onnx__attribute_proto__init(&a[k]);
        a[k].name = "then_branch";
        a[k].has_type = 1;
        a[k].type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH;
        a[k].g = &g[k + 1];
        ap[k] = &a[k];
        n[k].op_type = "If";
        n[k].n_attribute = 1;
        n[k].attribute = &ap[k];
        np[k] = &n[k];
        g[k].n_node = 1;
        g[k].node = &np[k];
    }
    Onnx__ModelProto m = ONNX__MODEL_PROTO__INIT;
    m.graph = &g[0];
    *size = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(*size);
    VT_CHECK(buf && onnx__model_proto__pack(&m, buf) == *size, "pack");
    free(g), free(n), free(a), free(np), free(ap);
    return buf;
}

VT_TEST(onnx_reader, nesting)
{
    size_t size;
    uint8_t *buf = nested_model(20, &size);
    struct vnn_onnx_model *m = NULL;
    VT_CHECK(vnn_onnx_model_parse(buf, size, NULL, &m) == VNN_OK, "20 levels: %s",
             vnn_last_error());
    vnn_onnx_model_free(m);
    free(buf);
    buf = nested_model(VNN_ONNX_MAX_NESTING, &size);
    m = NULL;
    VT_CHECK(vnn_onnx_model_parse(buf, size, NULL, &m) == VNN_ERR_BAD_FILE && !m &&
                 strstr(vnn_last_error(), "nested deeper"),
             "%d levels: %s", VNN_ONNX_MAX_NESTING, vnn_last_error());
    free(buf);
}

/* Empty strings and empty tensors carry no data pointer at all (found by
 * UBSan and the fuzzer: memchr / memcpy from NULL). */
VT_TEST(onnx_reader, empty_values)
{
    struct fixture f;
    fixture_init(&f);
    f.dims[0] = 0;
    f.init.has_raw_data = 0;
    Onnx__AttributeProto a = ONNX__ATTRIBUTE_PROTO__INIT, *ap[1] = {&a};
    a.name = "mode";
    a.has_type = 1;
    a.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING;
    a.has_s = 1; /* empty: no bytes */
    f.node.n_attribute = 1;
    f.node.attribute = ap;
    struct vnn_onnx_model *m;
    VT_CHECK(parse(&f, NULL, &m) == VNN_OK, "%s", vnn_last_error());
    const struct vnn_onnx_attr *at = vnn_onnx_attr_find(&m->nodes[0], "mode");
    VT_CHECK(at && at->type == VNN_ONNX_ATTR_STRING && at->s && at->s[0] == '\0', "empty string");
    VT_CHECK(m->inits[0].count == 0 && m->inits[0].f, "empty tensor");
    vnn_onnx_model_free(m);
}
