/* ModelProto decoding for the ONNX reader: the graph's nodes, attributes,
 * initializers, inputs and outputs, with every name checked (defined once,
 * used only after its definition). */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/common/error.h"
#include "models/onnx-internal.h"
#include "models/safetensors.h"

struct priv {
    Onnx__ModelProto *msg;
    void **allocs; /* everything else this model owns, freed at the end */
    size_t n_allocs, cap_allocs;
    struct vnn_onnx_tensor **tensors; /* decoded, to release */
    size_t n_tensors, cap_tensors;
};

vnn_status vnn_onnx_read_file(const char *path, void **data, size_t *size)
{
    return vnn_st_read_file(path, data, size); /* same limits: regular file, <= 2 GiB */
}

vnn_status vnn_onnx_error_prefix(vnn_status st, const char *prefix)
{
    char detail[512];
    snprintf(detail, sizeof detail, "%s", vnn_last_error());
    return vnn_error(st, "%s: %s", prefix, detail);
}

static void *own(struct priv *p, size_t count, size_t size)
{
    if (p->n_allocs == p->cap_allocs) {
        size_t cap = p->cap_allocs ? 2 * p->cap_allocs : 16;
        void **a = realloc(p->allocs, cap * sizeof *a);
        if (!a)
            return NULL;
        p->allocs = a;
        p->cap_allocs = cap;
    }
    void *q = calloc(count ? count : 1, size);
    if (q)
        p->allocs[p->n_allocs++] = q;
    return q;
}

static vnn_status decode_tensor(struct priv *p, const Onnx__TensorProto *src, const char *dir,
                                struct vnn_onnx_tensor *t)
{
    if (p->n_tensors == p->cap_tensors) {
        size_t cap = p->cap_tensors ? 2 * p->cap_tensors : 16;
        struct vnn_onnx_tensor **a = realloc(p->tensors, cap * sizeof *a);
        if (!a)
            return vnn_error(VNN_ERR_OUT_OF_MEMORY, "onnx: no memory");
        p->tensors = a;
        p->cap_tensors = cap;
    }
    vnn_status st = vnn_onnx_tensor_decode(src, dir, t);
    if (st == VNN_OK)
        p->tensors[p->n_tensors++] = t;
    return st;
}

static const char *str(const char *s) { return s ? s : ""; }

static vnn_status oom(void) { return vnn_error(VNN_ERR_OUT_OF_MEMORY, "onnx: no memory"); }

static vnn_status decode_attr(struct priv *p, const char *node, const Onnx__AttributeProto *a,
                              const char *dir, struct vnn_onnx_attr *out)
{
    out->name = str(a->name);
    if (!out->name[0])
        return vnn_error(VNN_ERR_BAD_FILE, "node '%s': attribute without a name", node);
    if (a->ref_attr_name && a->ref_attr_name[0])
        return vnn_error(VNN_ERR_BAD_FILE, "node '%s': attribute '%s' refers to a function "
                         "attribute outside a function", node, out->name);
    int type = a->has_type ? (int)a->type : 0;
    switch (type) {
    case VNN_ONNX_ATTR_FLOAT: out->f = a->f; break;
    case VNN_ONNX_ATTR_INT: out->i = a->i; break;
    case VNN_ONNX_ATTR_STRING: {
        if (a->s.len && memchr(a->s.data, 0, a->s.len))
            return vnn_error(VNN_ERR_BAD_FILE, "node '%s': attribute '%s': NUL in string", node,
                             out->name);
        char *s = own(p, a->s.len + 1, 1);
        if (!s)
            return oom();
        if (a->s.len)
            memcpy(s, a->s.data, a->s.len);
        out->s = s;
        break;
    }
    case VNN_ONNX_ATTR_TENSOR: {
        if (!a->t)
            return vnn_error(VNN_ERR_BAD_FILE, "node '%s': tensor attribute '%s' without tensor",
                             node, out->name);
        struct vnn_onnx_tensor *t = own(p, 1, sizeof *t);
        if (!t)
            return oom();
        vnn_status st = decode_tensor(p, a->t, dir, t);
        if (st != VNN_OK)
            return vnn_onnx_error_prefix(st, node);
        out->t = t;
        break;
    }
    case VNN_ONNX_ATTR_FLOATS: out->n = a->n_floats; out->floats = a->floats; break;
    case VNN_ONNX_ATTR_INTS: out->n = a->n_ints; out->ints = a->ints; break;
    case VNN_ONNX_ATTR_STRINGS: {
        char **v = own(p, a->n_strings, sizeof *v);
        if (!v)
            return oom();
        for (size_t k = 0; k < a->n_strings; k++) {
            const ProtobufCBinaryData *b = &a->strings[k];
            if (b->len && memchr(b->data, 0, b->len))
                return vnn_error(VNN_ERR_BAD_FILE, "node '%s': attribute '%s': NUL in string",
                                 node, out->name);
            if (!(v[k] = own(p, b->len + 1, 1)))
                return oom();
            if (b->len)
                memcpy(v[k], b->data, b->len);
        }
        out->n = a->n_strings;
        out->strings = (const char *const *)v;
        break;
    }
    case VNN_ONNX_ATTR_GRAPH: case 9: case 10: case 11: case 12: case 13: case 14:
        type = type == VNN_ONNX_ATTR_GRAPH ? type : VNN_ONNX_ATTR_OTHER;
        break;
    default:
        return vnn_error(VNN_ERR_BAD_FILE, "node '%s': attribute '%s' has type %d", node,
                         out->name, type);
    }
    out->type = (enum vnn_onnx_attr_type)type;
    return VNN_OK;
}

static vnn_status decode_value(const Onnx__ValueInfoProto *v, struct vnn_onnx_value *out)
{
    out->name = str(v->name);
    out->ndim = -1;
    if (!out->name[0])
        return vnn_error(VNN_ERR_BAD_FILE, "graph input or output without a name");
    if (!v->type || v->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE ||
        !v->type->tensor_type)
        return VNN_OK; /* not a tensor (sequence, map...): the runner refuses it */
    const Onnx__TypeProto__Tensor *tt = v->type->tensor_type;
    out->is_tensor = true;
    out->dtype = tt->has_elem_type ? tt->elem_type : 0;
    if (!tt->shape)
        return VNN_OK;
    if (tt->shape->n_dim > VNN_ONNX_MAX_DIMS)
        return vnn_error(VNN_ERR_BAD_FILE, "value '%s': %zu dims, more than %d", out->name,
                         tt->shape->n_dim, VNN_ONNX_MAX_DIMS);
    out->ndim = (int)tt->shape->n_dim;
    int64_t count = 1;
    for (int d = 0; d < out->ndim; d++) {
        const Onnx__TensorShapeProto__Dimension *dim = tt->shape->dim[d];
        if (dim->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            out->dims[d] = -1;
            continue;
        }
        if (dim->dim_value < 0)
            return vnn_error(VNN_ERR_BAD_FILE, "value '%s': dim %d is %lld", out->name, d,
                             (long long)dim->dim_value);
        out->dims[d] = dim->dim_value;
        if (dim->dim_value > 0 && count > VNN_ONNX_MAX_BYTES / dim->dim_value)
            return vnn_error(VNN_ERR_BAD_FILE, "value '%s': shape overflows", out->name);
        count *= dim->dim_value;
    }
    return VNN_OK;
}

/* Names defined so far, checked by linear search: graphs vnn runs have at
 * most a few hundred names. */
struct names {
    const char **v;
    size_t n;
};

static bool defined(const struct names *s, const char *name)
{
    for (size_t k = 0; k < s->n; k++)
        if (strcmp(s->v[k], name) == 0)
            return true;
    return false;
}

static vnn_status define(struct names *s, const char *name, const char *what)
{
    if (defined(s, name))
        return vnn_error(VNN_ERR_BAD_FILE, "%s '%s' is defined twice", what, name);
    s->v[s->n++] = name;
    return VNN_OK;
}

static vnn_status decode_graph(struct priv *p, struct vnn_onnx_model *m, const char *dir)
{
    const Onnx__GraphProto *g = p->msg->graph;
    if (!g)
        return vnn_error(VNN_ERR_BAD_FILE, "model without a graph");
    if (g->n_sparse_initializer)
        return vnn_error(VNN_ERR_BAD_FILE, "sparse initializers are not supported");
    size_t n_names = g->n_input + g->n_initializer;
    for (size_t k = 0; k < g->n_node; k++)
        n_names += g->node[k]->n_output;
    struct names names = {own(p, n_names, sizeof(char *)), 0};
    struct vnn_onnx_tensor *inits = own(p, g->n_initializer, sizeof *inits);
    struct vnn_onnx_value *inputs = own(p, g->n_input, sizeof *inputs);
    struct vnn_onnx_value *outputs = own(p, g->n_output, sizeof *outputs);
    struct vnn_onnx_node *nodes = own(p, g->n_node, sizeof *nodes);
    if (!names.v || !inits || !inputs || !outputs || !nodes)
        return oom();

    vnn_status st;
    for (size_t k = 0; k < g->n_initializer; k++) {
        if ((st = decode_tensor(p, g->initializer[k], dir, &inits[k])) != VNN_OK)
            return st;
        if (!inits[k].name[0])
            return vnn_error(VNN_ERR_BAD_FILE, "initializer %zu has no name", k);
        if ((st = define(&names, inits[k].name, "initializer")) != VNN_OK)
            return st;
    }
    size_t n_in = 0;
    for (size_t k = 0; k < g->n_input; k++) {
        struct vnn_onnx_value v;
        if ((st = decode_value(g->input[k], &v)) != VNN_OK)
            return st;
        if (defined(&names, v.name)) {
            /* IR < 4 lists initializers among the inputs too: allowed once */
            bool is_init = false;
            for (size_t j = 0; j < g->n_initializer; j++)
                is_init |= strcmp(inits[j].name, v.name) == 0;
            for (size_t j = 0; j < n_in; j++)
                is_init &= strcmp(inputs[j].name, v.name) != 0;
            if (!is_init)
                return vnn_error(VNN_ERR_BAD_FILE, "graph input '%s' is defined twice", v.name);
            continue;
        }
        names.v[names.n++] = v.name;
        inputs[n_in++] = v;
    }
    for (size_t k = 0; k < g->n_node; k++) {
        const Onnx__NodeProto *src = g->node[k];
        struct vnn_onnx_node *n = &nodes[k];
        n->op_type = str(src->op_type);
        n->domain = str(src->domain);
        n->name = src->name && src->name[0] ? src->name : n->op_type;
        if (!n->op_type[0])
            return vnn_error(VNN_ERR_BAD_FILE, "node %zu has no op_type", k);
        n->n_in = src->n_input;
        n->n_out = src->n_output;
        n->in = (const char *const *)src->input;
        n->out = (const char *const *)src->output;
        for (size_t j = 0; j < src->n_input; j++)
            if (src->input[j][0] && !defined(&names, src->input[j]))
                return vnn_error(VNN_ERR_BAD_FILE,
                                 "node '%s' (%s): input '%s' is not defined before it", n->name,
                                 n->op_type, src->input[j]);
        for (size_t j = 0; j < src->n_output; j++)
            if (src->output[j][0] &&
                (st = define(&names, src->output[j], "node output")) != VNN_OK)
                return st;
        struct vnn_onnx_attr *attr = own(p, src->n_attribute, sizeof *attr);
        if (!attr)
            return oom();
        for (size_t j = 0; j < src->n_attribute; j++) {
            if ((st = decode_attr(p, n->name, src->attribute[j], dir, &attr[j])) != VNN_OK)
                return st;
            for (size_t i = 0; i < j; i++)
                if (strcmp(attr[i].name, attr[j].name) == 0)
                    return vnn_error(VNN_ERR_BAD_FILE, "node '%s': attribute '%s' given twice",
                                     n->name, attr[j].name);
        }
        n->attr = attr;
        n->n_attr = src->n_attribute;
    }
    for (size_t k = 0; k < g->n_output; k++) {
        if ((st = decode_value(g->output[k], &outputs[k])) != VNN_OK)
            return st;
        if (!defined(&names, outputs[k].name))
            return vnn_error(VNN_ERR_BAD_FILE, "graph output '%s' is never computed",
                             outputs[k].name);
    }
    m->nodes = nodes;
    m->n_nodes = g->n_node;
    m->inits = inits;
    m->n_inits = g->n_initializer;
    m->inputs = inputs;
    m->n_inputs = n_in;
    m->outputs = outputs;
    m->n_outputs = g->n_output;
    return VNN_OK;
}

void vnn_onnx_model_free(struct vnn_onnx_model *m)
{
    if (!m)
        return;
    struct priv *p = m->priv;
    if (p) {
        for (size_t k = 0; k < p->n_tensors; k++)
            vnn_onnx_tensor_release(p->tensors[k]);
        free(p->tensors);
        for (size_t k = 0; k < p->n_allocs; k++)
            free(p->allocs[k]);
        free(p->allocs);
        if (p->msg)
            onnx__model_proto__free_unpacked(p->msg, NULL);
        free(p);
    }
    free(m);
}

vnn_status vnn_onnx_model_parse(const void *data, size_t size, const char *dir,
                                struct vnn_onnx_model **out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_onnx_model_parse: out is NULL");
    *out = NULL;
    if (!data && size)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_onnx_model_parse: data is NULL");
    struct vnn_onnx_model *m = calloc(1, sizeof *m);
    struct priv *p = calloc(1, sizeof *p);
    if (!m || !p) {
        free(m);
        free(p);
        return oom();
    }
    m->priv = p;
    ProtobufCMessage *msg;
    vnn_status st = vnn_onnx_unpack(&onnx__model_proto__descriptor, data, size, "onnx model", &msg);
    if (st != VNN_OK) {
        vnn_onnx_model_free(m);
        return st;
    }
    p->msg = (Onnx__ModelProto *)msg;
    m->ir_version = p->msg->has_ir_version ? p->msg->ir_version : 0;
    m->producer = str(p->msg->producer_name);
    for (size_t k = 0; k < p->msg->n_opset_import; k++) {
        const Onnx__OperatorSetIdProto *o = p->msg->opset_import[k];
        if (!o->domain || !o->domain[0] || strcmp(o->domain, "ai.onnx") == 0)
            m->opset = o->has_version ? o->version : 0;
    }
    st = decode_graph(p, m, dir);
    if (st != VNN_OK) {
        vnn_onnx_model_free(m);
        return st;
    }
    *out = m;
    return VNN_OK;
}

vnn_status vnn_onnx_model_read(const char *path, struct vnn_onnx_model **out)
{
    if (!out || !path)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_onnx_model_read: NULL argument");
    *out = NULL;
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_onnx_model_read: path too long");
    void *data;
    size_t size;
    vnn_status st = vnn_onnx_read_file(path, &data, &size);
    if (st != VNN_OK)
        return st;
    st = vnn_onnx_model_parse(data, size, dirname(dir), out);
    free(data);
    return st == VNN_OK ? st : vnn_onnx_error_prefix(st, path);
}

const struct vnn_onnx_attr *vnn_onnx_attr_find(const struct vnn_onnx_node *node,
                                               const char *name)
{
    for (size_t k = 0; k < node->n_attr; k++)
        if (strcmp(node->attr[k].name, name) == 0)
            return &node->attr[k];
    return NULL;
}

const struct vnn_onnx_tensor *vnn_onnx_init_find(const struct vnn_onnx_model *m,
                                                 const char *name)
{
    for (size_t k = 0; k < m->n_inits; k++)
        if (strcmp(m->inits[k].name, name) == 0)
            return &m->inits[k];
    return NULL;
}
