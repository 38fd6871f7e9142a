/* TensorProto decoding for the ONNX reader: shape and data checks, raw_data
 * and typed fields widened to float / int64, external data confined to the
 * model's folder. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "models/onnx-internal.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "raw_data is little-endian; this reader assumes a little-endian host"
#endif

const char *vnn_onnx_dtype_name(int dtype)
{
    switch (dtype) {
    case VNN_ONNX_FLOAT: return "float";
    case VNN_ONNX_UINT8: return "uint8";
    case VNN_ONNX_INT8: return "int8";
    case VNN_ONNX_UINT16: return "uint16";
    case VNN_ONNX_INT16: return "int16";
    case VNN_ONNX_INT32: return "int32";
    case VNN_ONNX_INT64: return "int64";
    case VNN_ONNX_STRING: return "string";
    case VNN_ONNX_BOOL: return "bool";
    case VNN_ONNX_FLOAT16: return "float16";
    case VNN_ONNX_DOUBLE: return "double";
    case VNN_ONNX_UINT32: return "uint32";
    case VNN_ONNX_UINT64: return "uint64";
    case 14: return "complex64";
    case 15: return "complex128";
    case VNN_ONNX_BFLOAT16: return "bfloat16";
    default: return "unknown";
    }
}

/* Bytes per element; 0 for STRING (variable), -1 for an unknown dtype. */
static int elem_size(int dtype)
{
    switch (dtype) {
    case VNN_ONNX_UINT8: case VNN_ONNX_INT8: case VNN_ONNX_BOOL: return 1;
    case VNN_ONNX_UINT16: case VNN_ONNX_INT16: case VNN_ONNX_FLOAT16:
    case VNN_ONNX_BFLOAT16: return 2;
    case VNN_ONNX_FLOAT: case VNN_ONNX_INT32: case VNN_ONNX_UINT32: return 4;
    case VNN_ONNX_INT64: case VNN_ONNX_DOUBLE: case VNN_ONNX_UINT64: case 14: return 8;
    case 15: return 16;
    case VNN_ONNX_STRING: return 0;
    default: return -1;
    }
}

vnn_status vnn_onnx_check_shape(const char *what, const char *name, size_t ndim,
                                const int64_t *dims, int64_t elem_bytes, int64_t *count)
{
    if (ndim > VNN_ONNX_MAX_DIMS)
        return vnn_error(VNN_ERR_BAD_FILE, "%s '%s': %zu dims, more than %d", what, name, ndim,
                         VNN_ONNX_MAX_DIMS);
    int64_t n = 1;
    for (size_t d = 0; d < ndim; d++) {
        if (dims[d] < 0)
            return vnn_error(VNN_ERR_BAD_FILE, "%s '%s': dim %zu is %lld", what, name, d,
                             (long long)dims[d]);
        if (dims[d] > 0 && n > VNN_ONNX_MAX_BYTES / dims[d])
            return vnn_error(VNN_ERR_BAD_FILE, "%s '%s': shape overflows (dim %zu = %lld)",
                             what, name, d, (long long)dims[d]);
        n *= dims[d];
    }
    if (elem_bytes > 0 && n > VNN_ONNX_MAX_BYTES / elem_bytes)
        return vnn_error(VNN_ERR_BAD_FILE, "%s '%s': %lld elements, over the 2 GiB limit", what,
                         name, (long long)n);
    *count = n;
    return VNN_OK;
}

void vnn_onnx_tensor_release(struct vnn_onnx_tensor *t)
{
    if (!t)
        return;
    vnn_aligned_free(t->f);
    vnn_aligned_free(t->i);
    t->f = NULL;
    t->i = NULL;
}

/* Widens n little-endian elements of dtype at src into t's buffer. */
static void widen_raw(struct vnn_onnx_tensor *t, const unsigned char *src, int64_t n)
{
    for (int64_t k = 0; k < n; k++) {
        switch (t->dtype) {
        case VNN_ONNX_FLOAT: memcpy(&t->f[k], src + 4 * k, 4); break;
        case VNN_ONNX_UINT8: t->i[k] = src[k]; break;
        case VNN_ONNX_INT8: t->i[k] = (int8_t)src[k]; break;
        case VNN_ONNX_BOOL: t->i[k] = src[k] != 0; break;
        case VNN_ONNX_UINT16: { uint16_t v; memcpy(&v, src + 2 * k, 2); t->i[k] = v; break; }
        case VNN_ONNX_INT16: { int16_t v; memcpy(&v, src + 2 * k, 2); t->i[k] = v; break; }
        case VNN_ONNX_INT32: { int32_t v; memcpy(&v, src + 4 * k, 4); t->i[k] = v; break; }
        case VNN_ONNX_UINT32: { uint32_t v; memcpy(&v, src + 4 * k, 4); t->i[k] = v; break; }
        case VNN_ONNX_INT64: memcpy(&t->i[k], src + 8 * k, 8); break;
        default: break;
        }
    }
}

static bool computable(int dtype)
{
    switch (dtype) {
    case VNN_ONNX_FLOAT: case VNN_ONNX_UINT8: case VNN_ONNX_INT8: case VNN_ONNX_UINT16:
    case VNN_ONNX_INT16: case VNN_ONNX_INT32: case VNN_ONNX_INT64: case VNN_ONNX_BOOL:
    case VNN_ONNX_UINT32: return true;
    default: return false;
    }
}

/* Reads `bytes` bytes at `offset` of the external file `location`, which must
 * name a regular file inside dir (relative, no "..", no symlink escaping it). */
static vnn_status read_external(const char *tname, const char *dir, const char *location,
                                int64_t offset, int64_t length, int64_t bytes,
                                unsigned char **out)
{
    *out = NULL;
    if (!dir)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tensor '%s': external data '%s' but no model folder to resolve it",
                         tname, location);
    if (!location[0] || location[0] == '/' || strstr(location, "..") != NULL)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tensor '%s': external data location '%s' is not a relative path "
                         "inside the model's folder", tname, location);
    char dir_real[PATH_MAX], file_real[PATH_MAX], joined[PATH_MAX];
    if (!realpath(dir, dir_real))
        return vnn_error(VNN_ERR_IO, "%s: %s", dir, strerror(errno));
    int len = snprintf(joined, sizeof joined, "%s/%s", dir_real, location);
    if (len < 0 || (size_t)len >= sizeof joined)
        return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': external data path too long", tname);
    if (!realpath(joined, file_real))
        return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': external data '%s': %s", tname,
                         location, strerror(errno));
    size_t dl = strlen(dir_real);
    if (strncmp(file_real, dir_real, dl) != 0 || (file_real[dl] != '/' && dl > 1))
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tensor '%s': external data '%s' resolves outside the model's folder",
                         tname, location);
    int fd = open(file_real, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return vnn_error(VNN_ERR_IO, "%s: %s", file_real, strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': external data '%s' is not a regular file",
                         tname, location);
    }
    if (length < 0)
        length = sb.st_size - offset;
    if (offset < 0 || offset > sb.st_size || length != bytes || length > sb.st_size - offset) {
        close(fd);
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tensor '%s': external data '%s' offset %lld length %lld: the file has "
                         "%lld bytes and the shape needs %lld",
                         tname, location, (long long)offset, (long long)length,
                         (long long)sb.st_size, (long long)bytes);
    }
    unsigned char *buf = malloc(bytes ? (size_t)bytes : 1);
    if (!buf) {
        close(fd);
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "tensor '%s': no memory", tname);
    }
    int64_t got = 0;
    while (got < bytes) {
        ssize_t r = pread(fd, buf + got, (size_t)(bytes - got), offset + got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            free(buf);
            return vnn_error(VNN_ERR_IO, "%s: short read", file_real);
        }
        got += r;
    }
    close(fd);
    *out = buf;
    return VNN_OK;
}

static int64_t parse_i64(const char *s, bool *ok)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    *ok = errno == 0 && end != s && *end == '\0' && v >= 0;
    return v;
}

vnn_status vnn_onnx_tensor_decode(const Onnx__TensorProto *p, const char *dir,
                                  struct vnn_onnx_tensor *t)
{
    memset(t, 0, sizeof *t);
    const char *name = p->name ? p->name : "";
    t->name = name;
    if (!p->has_data_type || elem_size(p->data_type) < 0)
        return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': data_type %d is not a tensor type",
                         name, p->has_data_type ? p->data_type : 0);
    if (p->segment)
        return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': segmented tensors are not supported",
                         name);
    t->dtype = p->data_type;
    int es = elem_size(t->dtype);
    vnn_status st = vnn_onnx_check_shape("tensor", name, p->n_dims, p->dims, es, &t->count);
    if (st != VNN_OK)
        return st;
    t->ndim = (int)p->n_dims;
    for (size_t d = 0; d < p->n_dims; d++)
        t->dims[d] = p->dims[d];
    int64_t n = t->count, bytes = n * es;

    bool external = p->has_data_location &&
                    p->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    size_t typed = 0; /* values in the typed field this dtype uses */
    int sources = 0;
    sources += p->n_float_data > 0;
    sources += p->n_int32_data > 0;
    sources += p->n_int64_data > 0;
    sources += p->n_double_data > 0;
    sources += p->n_uint64_data > 0;
    sources += p->n_string_data > 0;
    sources += p->has_raw_data && p->raw_data.len > 0;
    sources += external;
    if (sources > 1)
        return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': data in more than one field", name);
    switch (t->dtype) {
    case VNN_ONNX_FLOAT: typed = p->n_float_data; break;
    case 14: typed = p->n_float_data / 2; break;
    case VNN_ONNX_INT64: typed = p->n_int64_data; break;
    case VNN_ONNX_DOUBLE: typed = p->n_double_data; break;
    case 15: typed = p->n_double_data / 2; break;
    case VNN_ONNX_UINT32: case VNN_ONNX_UINT64: typed = p->n_uint64_data; break;
    case VNN_ONNX_STRING: typed = p->n_string_data; break;
    default: typed = p->n_int32_data; break;
    }

    const unsigned char *raw = NULL;
    unsigned char *ext = NULL;
    if (external) {
        const char *location = NULL;
        int64_t offset = 0, length = -1;
        for (size_t k = 0; k < p->n_external_data; k++) {
            const Onnx__StringStringEntryProto *e = p->external_data[k];
            if (!e->key || !e->value)
                continue;
            bool ok = true;
            if (strcmp(e->key, "location") == 0)
                location = e->value;
            else if (strcmp(e->key, "offset") == 0)
                offset = parse_i64(e->value, &ok);
            else if (strcmp(e->key, "length") == 0)
                length = parse_i64(e->value, &ok);
            if (!ok)
                return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': external data %s '%s'", name,
                                 e->key, e->value);
        }
        if (!location)
            return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': external data without a location",
                             name);
        if (es == 0)
            return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': external string data", name);
        st = read_external(name, dir, location, offset, length, bytes, &ext);
        if (st != VNN_OK)
            return st;
        raw = ext;
    } else if (p->has_raw_data && p->raw_data.len > 0) {
        if (es == 0)
            return vnn_error(VNN_ERR_BAD_FILE, "tensor '%s': string tensor with raw_data", name);
        if ((uint64_t)p->raw_data.len != (uint64_t)bytes)
            return vnn_error(VNN_ERR_BAD_FILE,
                             "tensor '%s': raw_data has %zu bytes, the shape needs %lld", name,
                             p->raw_data.len, (long long)bytes);
        raw = p->raw_data.data;
    } else if ((int64_t)typed != n || (sources == 1 && typed == 0)) {
        return vnn_error(VNN_ERR_BAD_FILE,
                         "tensor '%s': %zu values of %s for a shape of %lld elements", name,
                         typed, vnn_onnx_dtype_name(t->dtype), (long long)n);
    }

    if (computable(t->dtype)) {
        size_t alloc = (size_t)(n ? n : 1) * 8;
        void *buf = vnn_aligned_alloc(alloc);
        if (!buf) {
            free(ext);
            return vnn_error(VNN_ERR_OUT_OF_MEMORY, "tensor '%s': no memory for %zu bytes", name,
                             alloc);
        }
        if (t->dtype == VNN_ONNX_FLOAT)
            t->f = buf;
        else
            t->i = buf;
        if (n == 0)
            ; /* an empty tensor: its fields may be NULL */
        else if (raw)
            widen_raw(t, raw, n);
        else if (t->dtype == VNN_ONNX_FLOAT)
            memcpy(t->f, p->float_data, (size_t)n * sizeof(float));
        else if (t->dtype == VNN_ONNX_INT64)
            memcpy(t->i, p->int64_data, (size_t)n * sizeof(int64_t));
        else if (t->dtype == VNN_ONNX_UINT32)
            for (int64_t k = 0; k < n; k++)
                t->i[k] = (int64_t)(uint32_t)p->uint64_data[k];
        else
            for (int64_t k = 0; k < n; k++)
                t->i[k] = t->dtype == VNN_ONNX_BOOL ? p->int32_data[k] != 0 : p->int32_data[k];
    }
    free(ext);
    return VNN_OK;
}

struct tensor_file {
    struct vnn_onnx_tensor t;
    Onnx__TensorProto *msg;
};

vnn_status vnn_onnx_tensor_parse(const void *data, size_t size, struct vnn_onnx_tensor **out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_onnx_tensor_parse: out is NULL");
    *out = NULL;
    if (!data && size)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_onnx_tensor_parse: data is NULL");
    struct tensor_file *tf = calloc(1, sizeof *tf);
    if (!tf)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "tensor file: no memory");
    ProtobufCMessage *msg;
    vnn_status st =
        vnn_onnx_unpack(&onnx__tensor_proto__descriptor, data, size, "tensor file", &msg);
    if (st != VNN_OK) {
        free(tf);
        return st;
    }
    tf->msg = (Onnx__TensorProto *)msg;
    st = vnn_onnx_tensor_decode(tf->msg, NULL, &tf->t);
    if (st != VNN_OK) {
        vnn_onnx_tensor_free(&tf->t);
        return st;
    }
    *out = &tf->t;
    return VNN_OK;
}

void vnn_onnx_tensor_free(struct vnn_onnx_tensor *t)
{
    if (!t)
        return;
    struct tensor_file *tf = (struct tensor_file *)t; /* t is its first member */
    vnn_onnx_tensor_release(&tf->t);
    if (tf->msg)
        onnx__tensor_proto__free_unpacked(tf->msg, NULL);
    free(tf);
}

vnn_status vnn_onnx_tensor_read(const char *path, struct vnn_onnx_tensor **out)
{
    if (!out)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_onnx_tensor_read: out is NULL");
    *out = NULL;
    void *data;
    size_t size;
    vnn_status st = vnn_onnx_read_file(path, &data, &size);
    if (st != VNN_OK)
        return st;
    st = vnn_onnx_tensor_parse(data, size, out);
    free(data);
    return st == VNN_OK ? st : vnn_onnx_error_prefix(st, path);
}
