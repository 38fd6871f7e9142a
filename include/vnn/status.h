/* Status codes returned by every vnn function that can fail. */
#ifndef VNN_STATUS_H
#define VNN_STATUS_H

#include "vnn/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vnn_status {
    VNN_OK = 0,
    VNN_ERR_INVALID_ARG,     /* null pointer, bad size, stride or enum value */
    VNN_ERR_UNSUPPORTED_ISA, /* the requested ISA is unknown or the CPU/OS lacks it */
    VNN_ERR_OUT_OF_MEMORY,
    VNN_ERR_INTERNAL,
} vnn_status;

/* A short, static English description of a status ("invalid argument", ...). */
VNN_API const char *vnn_status_str(vnn_status status);

#ifdef __cplusplus
}
#endif

#endif
