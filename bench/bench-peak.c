/* peak/fma/<isa>: the FMA throughput of this machine per ISA, on
 * vnn_get_num_threads() threads, so reports can state efficiency as a
 * fraction of it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <omp.h>

#include "bench.h"
#include "peak/peak.h"
#include "shim/vnn_bench.h"
#include "vnn/cpu.h"

volatile float vb_peak_sink;

struct peak {
    vnn_isa isa;
    vb_peak_fn fn;
    uint64_t steps; /* per call: about a millisecond */
};

static const struct peak peaks[] = {
#if defined(VNN_ARCH_X86_64)
    {VNN_ISA_AVX2, vb_peak_fma_avx2, UINT64_C(1) << 18},
    {VNN_ISA_AVX512, vb_peak_fma_avx512, UINT64_C(1) << 17},
#elif defined(VNN_ARCH_AARCH64)
    {VNN_ISA_NEON, vb_peak_fma_neon, UINT64_C(1) << 17},
#endif
    {VNN_ISA_COUNT, NULL, 0}, /* end (keeps the array non-empty elsewhere) */
};

static void bench_peak(vb_state *st, void *arg)
{
    const struct peak *p = arg;
    int threads = vnn_get_num_threads();
    double flops = 0.0;
    while (vb_keep_running(st)) {
        double f = 0.0;
#pragma omp parallel num_threads(threads) reduction(+ : f)
        f += p->fn(p->steps);
        flops += f;
    }
    char label[32];
    snprintf(label, sizeof label, "%d thread%s", threads, threads == 1 ? "" : "s");
    vb_set_label(st, label);
    vb_set_counter(st, "GFLOPS", flops / 1e9, VB_RATE);
}

void vb_register_peak(void)
{
    for (size_t i = 0; peaks[i].fn; i++) {
        if (!vnn_isa_supported(peaks[i].isa))
            continue;
        char name[64];
        snprintf(name, sizeof name, "peak/fma/%s", vnn_isa_name(peaks[i].isa));
        vb_register(name, bench_peak, (void *)&peaks[i]);
    }
}
