/* AArch64 feature detection through the kernel's auxiliary vector. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/auxv.h>
#include <asm/hwcap.h>

#include "dispatch/dispatch.h"

void vnn_cpu_detect(vnn_cpu_features *out)
{
    memset(out, 0, sizeof *out);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    out->cores = n > 0 ? (int)n : 1;
    snprintf(out->vendor, sizeof out->vendor, "arm64");
    snprintf(out->model, sizeof out->model, "midr_el1 unavailable");
    unsigned long hwcap = getauxval(AT_HWCAP);
    out->neon = (hwcap & HWCAP_ASIMD) != 0;
#ifdef HWCAP_CPUID
    if (hwcap & HWCAP_CPUID) {
        unsigned long midr;
        __asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
        snprintf(out->model, sizeof out->model, "implementer 0x%02lx part 0x%03lx",
                 (midr >> 24) & 0xff, (midr >> 4) & 0xfff);
    }
#endif
}
