#include <stdarg.h>
#include <stdio.h>

#include "kernels/common/error.h"
#include "vnn/status.h"

const char *vnn_status_str(vnn_status status)
{
    switch (status) {
    case VNN_OK: return "ok";
    case VNN_ERR_INVALID_ARG: return "invalid argument";
    case VNN_ERR_UNSUPPORTED_ISA: return "instruction set not supported on this machine";
    case VNN_ERR_OUT_OF_MEMORY: return "out of memory";
    case VNN_ERR_INTERNAL: return "internal error";
    case VNN_ERR_IO: return "cannot read file";
    case VNN_ERR_BAD_FILE: return "malformed or mismatched weights file";
    }
    return "unknown status";
}

/* One message per thread: concurrent callers never see each other's. */
static _Thread_local char last_error[512];

const char *vnn_last_error(void) { return last_error; }

vnn_status vnn_error(vnn_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

void vnn_error_clear(void) { last_error[0] = '\0'; }
