/* The ONNX reader's checked unpack (onnx-internal.h): a size limit, then a
 * walk over the protobuf wire format that descends only into fields the
 * schema declares as messages, at most VNN_ONNX_MAX_NESTING levels, before
 * protobuf-c's recursive unpacker sees the bytes. */
#include "kernels/common/error.h"
#include "models/onnx-internal.h"

/* A varint at *p (< end); false if it runs past end or over 10 bytes. */
static bool varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

/* 1: deeper than the limit; 0: fine or malformed (the unpacker refuses it). */
static int too_deep(const ProtobufCMessageDescriptor *desc, const uint8_t *p, const uint8_t *end,
                    int depth)
{
    if (depth > VNN_ONNX_MAX_NESTING)
        return 1;
    while (p < end) {
        uint64_t tag, len;
        if (!varint(&p, end, &tag))
            return 0;
        switch (tag & 7) {
        case PROTOBUF_C_WIRE_TYPE_VARINT:
            if (!varint(&p, end, &len))
                return 0;
            break;
        case PROTOBUF_C_WIRE_TYPE_64BIT:
            if (end - p < 8)
                return 0;
            p += 8;
            break;
        case PROTOBUF_C_WIRE_TYPE_32BIT:
            if (end - p < 4)
                return 0;
            p += 4;
            break;
        case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED: {
            if (!varint(&p, end, &len) || len > (uint64_t)(end - p))
                return 0;
            const ProtobufCFieldDescriptor *f =
                tag >> 3 <= UINT32_MAX
                    ? protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3))
                    : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
                too_deep(f->descriptor, p, p + len, depth + 1))
                return 1;
            p += len;
            break;
        }
        default:
            return 0; /* groups or garbage: protobuf-c refuses them */
        }
    }
    return 0;
}

vnn_status vnn_onnx_check_nesting(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                                  size_t size)
{
    if (size && too_deep(desc, data, data + size, 0))
        return vnn_error(VNN_ERR_BAD_FILE, "onnx: messages nested deeper than %d levels",
                         VNN_ONNX_MAX_NESTING);
    return VNN_OK;
}

vnn_status vnn_onnx_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                           size_t size, const char *what, ProtobufCMessage **msg)
{
    *msg = NULL;
    if (size > (size_t)VNN_ONNX_MAX_BYTES)
        return vnn_error(VNN_ERR_BAD_FILE, "%s: %zu bytes, over the 2 GiB limit", what, size);
    vnn_status st = vnn_onnx_check_nesting(desc, data, size);
    if (st != VNN_OK)
        return st;
    *msg = protobuf_c_message_unpack(desc, NULL, size, data);
    if (!*msg)
        return vnn_error(VNN_ERR_BAD_FILE, "%s: not a valid %s (%zu bytes)", what, desc->short_name,
                         size);
    return VNN_OK;
}
