/* Cache sizes from CPUID: the deterministic cache leaf (4 on Intel,
 * 0x8000001D on AMD with TOPOEXT) lists each cache; older AMD leaves
 * 0x80000005/6 give L1D, L2 and L3 directly. */
#include <cpuid.h>
#include <stdint.h>

#include "dispatch/cache.h"

static int deterministic(unsigned leaf, struct vnn_cache_sizes *c)
{
    unsigned max = __get_cpuid_max(leaf & 0x80000000u, NULL);
    if (max < leaf)
        return 0;
    int found = 0;
    for (unsigned i = 0; i < 16; i++) {
        unsigned a, b, cx, d;
        __cpuid_count(leaf, i, a, b, cx, d);
        unsigned type = a & 31, level = (a >> 5) & 7;
        if (type == 0)
            break;
        if (type == 2) /* instruction cache */
            continue;
        uint64_t bytes = (uint64_t)((b >> 22) + 1) * (((b >> 12) & 0x3ff) + 1) *
                         ((b & 0xfff) + 1) * ((uint64_t)cx + 1);
        size_t v = bytes > ((uint64_t)1 << 40) ? 0 : (size_t)bytes;
        if (level == 1)
            c->l1d = v;
        else if (level == 2)
            c->l2 = v;
        else if (level == 3)
            c->l3 = v;
        found = 1;
    }
    return found;
}

void vnn_cache_detect_cpuid(struct vnn_cache_sizes *c)
{
    unsigned a, b, cx, d;
    if (!__get_cpuid(0, &a, &b, &cx, &d))
        return;
    int amd = b == 0x68747541u /* "Auth" */ || b == 0x6f677948u /* "Hygo" */;
    if (!amd && deterministic(4, c)) {
        c->source = "cpuid leaf 4";
        return;
    }
    int topoext = __get_cpuid(0x80000001u, &a, &b, &cx, &d) && (cx & (1u << 22));
    if (amd && topoext && deterministic(0x8000001du, c)) {
        c->source = "cpuid leaf 0x8000001d";
        return;
    }
    if ((unsigned)__get_cpuid_max(0x80000000u, NULL) >= 0x80000006u) {
        __cpuid(0x80000005u, a, b, cx, d);
        c->l1d = (size_t)(cx >> 24) << 10;
        __cpuid(0x80000006u, a, b, cx, d);
        c->l2 = (size_t)(cx >> 16) << 10;
        c->l3 = (size_t)(d >> 18) << 19;
        c->source = "cpuid leaves 0x80000005/6";
    }
}
