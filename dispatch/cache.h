/* Internal: the per-core cache sizes that GEMM and convolution blocking
 * follow, read once from the OS (Linux sysfs) or CPUID, each bounded so a
 * VM's nonsense (an L3 of 508 MiB, a missing leaf) cannot blow up a block. */
#ifndef VNN_DISPATCH_CACHE_H
#define VNN_DISPATCH_CACHE_H

#include <stddef.h>

struct vnn_cache_sizes {
    size_t l1d, l2, l3; /* bytes; 0 = not reported */
    const char *source; /* "sysfs", "cpuid 0x8000001d", ..., or "none" */
};

/* The sizes blocking uses: each reported size inside its bound, else the
 * default for that level. `used` holds them; `note` (may be NULL) says, for
 * `vnn info`, which reported values were replaced and why. */
#define VNN_L1D_MIN ((size_t)16 << 10)
#define VNN_L1D_MAX ((size_t)256 << 10)
#define VNN_L1D_DEFAULT ((size_t)32 << 10)
#define VNN_L2_MIN ((size_t)128 << 10)
#define VNN_L2_MAX ((size_t)16 << 20)
#define VNN_L2_DEFAULT ((size_t)512 << 10)
#define VNN_L3_MIN ((size_t)1 << 20)
#define VNN_L3_MAX ((size_t)256 << 20)
void vnn_cache_sanitize(const struct vnn_cache_sizes *reported, struct vnn_cache_sizes *used,
                        char *note, size_t note_size);

/* Reported sizes: sysfs first (Linux), else CPUID (x86: leaf 4 on Intel,
 * 0x8000001D or 0x80000005/6 on AMD). Zeros where nothing says. */
void vnn_cache_detect(struct vnn_cache_sizes *reported);
/* The CPUID part of it (zeros on other architectures). */
void vnn_cache_detect_cpuid(struct vnn_cache_sizes *reported);

/* Detected once and sanitized: what every kernel table is blocked for. */
const struct vnn_cache_sizes *vnn_caches(void);
/* As reported, and the note of what sanitizing replaced ("" if nothing). */
const struct vnn_cache_sizes *vnn_caches_reported(void);
const char *vnn_caches_note(void);

#endif
