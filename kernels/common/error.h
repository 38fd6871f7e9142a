/* Internal: set the thread's vnn_last_error() detail while returning a
 * status, e.g. return vnn_error(VNN_ERR_BAD_FILE, "tensor %s: ...", name). */
#ifndef VNN_ERROR_H
#define VNN_ERROR_H

#include "vnn/status.h"

vnn_status vnn_error(vnn_status status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void vnn_error_clear(void);

#endif
