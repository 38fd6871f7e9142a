/* Other architectures: the portable scalar kernels only. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dispatch/dispatch.h"

void vnn_cpu_detect(vnn_cpu_features *out)
{
    memset(out, 0, sizeof *out);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    out->cores = n > 0 ? (int)n : 1;
    snprintf(out->vendor, sizeof out->vendor, "unknown");
    snprintf(out->model, sizeof out->model, "unknown");
}
