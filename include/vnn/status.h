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
    VNN_ERR_IO,              /* a file could not be opened or read */
    VNN_ERR_BAD_FILE,        /* a weights file is malformed or does not fit its model */
} vnn_status;

/* A short, static English description of a status ("invalid argument", ...). */
VNN_API const char *vnn_status_str(vnn_status status);

/* The detail of the last error a vnn call reported on this thread (which
 * argument, tensor or field, which value, which limit), or "" if the call
 * gave none. Valid until the thread's next failing vnn call. */
VNN_API const char *vnn_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
