/* CPU features, instruction-set selection and thread control.
 *
 * At start-up vnn picks the best instruction set the CPU and OS support.
 * The environment variable VNN_ISA=scalar|avx2|avx512|neon (or vnn_set_isa())
 * forces one; asking for one the machine lacks is an error, never a crash.
 * VNN_NUM_THREADS=N sets the default thread count (default: all cores; a
 * value that is not an integer in 1..1024 is ignored with a warning on stderr). */
#ifndef VNN_CPU_H
#define VNN_CPU_H

#include <stdbool.h>

#include "vnn/export.h"
#include "vnn/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vnn_isa {
    VNN_ISA_SCALAR = 0, /* portable C, always available */
    VNN_ISA_AVX2,       /* x86-64 AVX2 + FMA3 */
    VNN_ISA_AVX512,     /* x86-64 AVX-512 F/BW/DQ/VL */
    VNN_ISA_NEON,       /* AArch64 Advanced SIMD */
    VNN_ISA_COUNT
} vnn_isa;

typedef struct vnn_cpu_features {
    char vendor[32];
    char model[64];
    int cores; /* logical CPUs online */
    /* x86: set only when CPUID reports the feature AND XCR0 shows the OS saves
     * its register state. */
    bool sse42, avx, fma, avx2, avx512f, avx512bw, avx512dq, avx512vl;
    bool neon; /* AArch64: getauxval(AT_HWCAP) & HWCAP_ASIMD */
} vnn_cpu_features;

/* The features detected on this machine (detection runs once). */
VNN_API vnn_status vnn_cpu_features_get(vnn_cpu_features *out);

/* "scalar", "avx2", "avx512", "neon"; "unknown" for a bad value. */
VNN_API const char *vnn_isa_name(vnn_isa isa);

/* Parse an ISA name as VNN_ISA accepts it. */
VNN_API vnn_status vnn_isa_parse(const char *name, vnn_isa *out);

/* True if this CPU/OS can run kernels of that ISA (and this build has them). */
VNN_API bool vnn_isa_supported(vnn_isa isa);

/* The ISA whose kernels the dispatch tables currently hold. */
VNN_API vnn_isa vnn_get_isa(void);

/* Select the kernels of one ISA for all ops. Returns VNN_ERR_UNSUPPORTED_ISA
 * (and changes nothing) if the machine cannot run it. Not thread-safe with
 * respect to concurrently running vnn calls. */
VNN_API vnn_status vnn_set_isa(vnn_isa isa);

/* If VNN_ISA names an ISA that is unknown or that this machine cannot run,
 * every op returns VNN_ERR_UNSUPPORTED_ISA (nothing runs on an ISA the user
 * did not ask for) until vnn_set_isa() succeeds. This returns the message
 * that explains it, naming what the CPU has, or NULL when all is well. */
VNN_API const char *vnn_isa_env_error(void);

/* Threads used by every op (>= 1). 0 means "all online cores". */
VNN_API vnn_status vnn_set_num_threads(int n);
VNN_API int vnn_get_num_threads(void);

#ifdef __cplusplus
}
#endif

#endif
