/* x86-64 feature detection: libcpuid says what the CPU implements, XCR0
 * (xgetbv) says which register files the OS saves on a context switch.
 * A feature counts only when both agree; otherwise using it would fault. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cpuid.h>
#include <libcpuid.h>

#include "dispatch/dispatch.h"

#define XCR0_SSE (1u << 1)
#define XCR0_AVX (1u << 2)
#define XCR0_OPMASK (1u << 5)
#define XCR0_ZMM_HI256 (1u << 6)
#define XCR0_HI16_ZMM (1u << 7)

static uint64_t read_xcr0(void)
{
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE))
        return 0; /* OS has not enabled XSAVE: no AVX state at all */
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

void vnn_cpu_detect(vnn_cpu_features *out)
{
    memset(out, 0, sizeof *out);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    out->cores = n > 0 ? (int)n : 1;
    snprintf(out->vendor, sizeof out->vendor, "unknown");
    snprintf(out->model, sizeof out->model, "unknown");

    struct cpu_raw_data_t raw;
    struct cpu_id_t id;
    if (!cpuid_present() || cpuid_get_raw_data(&raw) != 0 || cpu_identify(&raw, &id) != 0)
        return; /* scalar only */
    snprintf(out->vendor, sizeof out->vendor, "%s", id.vendor_str);
    snprintf(out->model, sizeof out->model, "%s", id.brand_str);

    uint64_t xcr0 = read_xcr0();
    bool os_avx = (xcr0 & (XCR0_SSE | XCR0_AVX)) == (XCR0_SSE | XCR0_AVX);
    uint64_t zmm = XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM;
    bool os_avx512 = os_avx && (xcr0 & zmm) == zmm;

    /* libcpuid 0.6.2 (Debian 12) decodes the AVX-512 bits of leaf 7 only on
     * Intel; read them from its raw leaf-7 EBX on every vendor. */
    uint32_t leaf7_ebx = raw.basic_cpuid[7][1];
    bool has_f = id.flags[CPU_FEATURE_AVX512F] || (leaf7_ebx & (1u << 16));
    bool has_dq = id.flags[CPU_FEATURE_AVX512DQ] || (leaf7_ebx & (1u << 17));
    bool has_bw = id.flags[CPU_FEATURE_AVX512BW] || (leaf7_ebx & (1u << 30));
    bool has_vl = id.flags[CPU_FEATURE_AVX512VL] || (leaf7_ebx & (1u << 31));

    out->sse42 = id.flags[CPU_FEATURE_SSE4_2];
    out->avx = os_avx && id.flags[CPU_FEATURE_AVX];
    out->fma = os_avx && id.flags[CPU_FEATURE_FMA3];
    out->avx2 = os_avx && id.flags[CPU_FEATURE_AVX2];
    out->avx512f = os_avx512 && has_f;
    out->avx512bw = os_avx512 && has_bw;
    out->avx512dq = os_avx512 && has_dq;
    out->avx512vl = os_avx512 && has_vl;
}
