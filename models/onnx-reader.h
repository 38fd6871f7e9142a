/* Internal: a validating reader for ONNX model files (ModelProto) and
 * tensor files (TensorProto, the backend tests' input_*.pb / output_*.pb),
 * decoded by protobuf-c from the schema Debian's libonnx-dev installs. It
 * knows files, not kernels: a runner asks it for nodes, attributes and
 * tensors and maps them onto vnn's ops.
 *
 * Everything is checked before it is returned: the protobuf wire format
 * (truncated or malformed input is refused by protobuf-c), shapes (at most
 * VNN_ONNX_MAX_DIMS dims, each >= 0, element and byte counts without
 * overflow, at most 2 GiB), every tensor's data against its shape (raw_data
 * bytes or typed-field count), names (every node input defined earlier by a
 * graph input, an initializer or a node output; no name defined twice; every
 * graph output defined), and external data (a relative path inside the
 * model's folder, offset and length inside that file). A bad file gives
 * VNN_ERR_BAD_FILE and vnn_last_error() names the tensor, node or field.
 * A parsed model is read-only. */
#ifndef VNN_MODELS_ONNX_READER_H
#define VNN_MODELS_ONNX_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vnn/status.h"

#define VNN_ONNX_MAX_DIMS 8

/* TensorProto.DataType values. */
enum vnn_onnx_dtype {
    VNN_ONNX_FLOAT = 1,
    VNN_ONNX_UINT8 = 2,
    VNN_ONNX_INT8 = 3,
    VNN_ONNX_UINT16 = 4,
    VNN_ONNX_INT16 = 5,
    VNN_ONNX_INT32 = 6,
    VNN_ONNX_INT64 = 7,
    VNN_ONNX_STRING = 8,
    VNN_ONNX_BOOL = 9,
    VNN_ONNX_FLOAT16 = 10,
    VNN_ONNX_DOUBLE = 11,
    VNN_ONNX_UINT32 = 12,
    VNN_ONNX_UINT64 = 13,
    VNN_ONNX_BFLOAT16 = 16,
};

/* "float", "int64", ... ("dtype 99" style names are not returned: unknown
 * values give "unknown"). */
const char *vnn_onnx_dtype_name(int dtype);

struct vnn_onnx_tensor {
    const char *name;  /* "" if unnamed */
    int dtype;         /* enum vnn_onnx_dtype */
    int ndim;          /* 0 .. VNN_ONNX_MAX_DIMS */
    int64_t dims[VNN_ONNX_MAX_DIMS];
    int64_t count;     /* product of dims (1 for a scalar; may be 0) */
    /* The values, 64-byte aligned, owned by the tensor: floats for FLOAT,
     * int64 for the integer and BOOL dtypes (widened). Both NULL for the
     * dtypes vnn does not compute in (STRING, FLOAT16, BFLOAT16, DOUBLE,
     * UINT64), whose sizes are still checked. */
    float *f;
    int64_t *i;
};

enum vnn_onnx_attr_type {
    VNN_ONNX_ATTR_FLOAT = 1,
    VNN_ONNX_ATTR_INT = 2,
    VNN_ONNX_ATTR_STRING = 3,
    VNN_ONNX_ATTR_TENSOR = 4,
    VNN_ONNX_ATTR_GRAPH = 5,
    VNN_ONNX_ATTR_FLOATS = 6,
    VNN_ONNX_ATTR_INTS = 7,
    VNN_ONNX_ATTR_STRINGS = 8,
    VNN_ONNX_ATTR_OTHER = 100, /* tensors, graphs, sparse tensors, types */
};

struct vnn_onnx_attr {
    const char *name;
    enum vnn_onnx_attr_type type;
    float f;
    int64_t i;
    const char *s;                 /* STRING: NUL-terminated, no inner NUL */
    size_t n;                      /* FLOATS, INTS, STRINGS: element count */
    const float *floats;
    const int64_t *ints;
    const char *const *strings;
    const struct vnn_onnx_tensor *t; /* TENSOR */
};

struct vnn_onnx_node {
    const char *name, *op_type, *domain; /* domain "" is the default ONNX one */
    size_t n_in, n_out, n_attr;
    const char *const *in;  /* "" is an omitted optional input */
    const char *const *out; /* "" is an omitted optional output */
    const struct vnn_onnx_attr *attr;
};

/* A graph input or output: its element type and shape when the file gives
 * them (ndim -1: unknown rank; a dim of -1: unknown or symbolic). */
struct vnn_onnx_value {
    const char *name;
    bool is_tensor; /* false: a sequence, map, optional or an absent type */
    int dtype; /* 0 if not given */
    int ndim;
    int64_t dims[VNN_ONNX_MAX_DIMS];
};

struct vnn_onnx_model {
    int64_t ir_version;
    int64_t opset; /* of the default domain ("" or "ai.onnx"); 0 if absent */
    const char *producer;
    size_t n_nodes, n_inits, n_inputs, n_outputs;
    const struct vnn_onnx_node *nodes;      /* in the file's (topological) order */
    const struct vnn_onnx_tensor *inits;    /* initializers */
    const struct vnn_onnx_value *inputs;    /* graph inputs, initializers excluded */
    const struct vnn_onnx_value *outputs;
    void *priv; /* the decoded message and allocations */
};

/* Parses and validates a model held in data[0..size) (the buffer may be
 * freed afterwards). dir: the folder external-data paths are relative to,
 * or NULL to refuse external data. *out is NULL on failure. */
vnn_status vnn_onnx_model_parse(const void *data, size_t size, const char *dir,
                                struct vnn_onnx_model **out);
/* The same from a file (external data relative to its folder). */
vnn_status vnn_onnx_model_read(const char *path, struct vnn_onnx_model **out);
void vnn_onnx_model_free(struct vnn_onnx_model *m); /* NULL is fine */

/* Lookups (NULL if absent). */
const struct vnn_onnx_attr *vnn_onnx_attr_find(const struct vnn_onnx_node *node,
                                               const char *name);
const struct vnn_onnx_tensor *vnn_onnx_init_find(const struct vnn_onnx_model *m,
                                                 const char *name);

/* One TensorProto from data[0..size) or a file; no external data. */
vnn_status vnn_onnx_tensor_parse(const void *data, size_t size, struct vnn_onnx_tensor **out);
vnn_status vnn_onnx_tensor_read(const char *path, struct vnn_onnx_tensor **out);
void vnn_onnx_tensor_free(struct vnn_onnx_tensor *t); /* NULL is fine */

#endif
