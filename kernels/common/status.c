#include "vnn/status.h"

const char *vnn_status_str(vnn_status status)
{
    switch (status) {
    case VNN_OK: return "ok";
    case VNN_ERR_INVALID_ARG: return "invalid argument";
    case VNN_ERR_UNSUPPORTED_ISA: return "instruction set not supported on this machine";
    case VNN_ERR_OUT_OF_MEMORY: return "out of memory";
    case VNN_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}
