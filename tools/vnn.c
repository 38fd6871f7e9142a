/* The `vnn` command line: facts about this machine and the kernels vnn
 * selected for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/cache.h"
#include "dispatch/dispatch.h"
#ifdef VNN_HAVE_ONNX
#include "tools/onnx/onnx-test.h"
#endif
#include "tools/run/vnn-run.h"
#ifdef VNN_HAVE_SERVE
#include "serve/serve.h"
#endif
#include "vnn/vnn.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vnn <command> [options]\n"
            "\n"
            "commands:\n"
            "  info     CPU, features, selected ISA, threads, and the microkernel of every op\n"
            "  run      run a model (cnn, bilstm, transformer) on its test data or a text\n"
            "  serve    serve a folder of models over HTTP (Open Inference Protocol, dynamic\n"
            "           batching, Prometheus metrics)\n"
#ifdef VNN_HAVE_ONNX
            "  onnx-test  run ONNX backend node tests (model.onnx + test_data_set_*) on vnn\n"
#endif
            "\n"
            "options:\n"
            "  -h, --help   show help (also `vnn <command> --help`)\n"
            "\n"
            "environment:\n"
            "  VNN_ISA=scalar|avx2|avx512|neon   force an instruction set (error if the CPU lacks it)\n"
            "  VNN_NUM_THREADS=N                 threads per op (default: all cores)\n"
            "\n"
            "Benchmarks are in the separate `vnn-bench` program (vnn-bench --help).\n");
}

static void info_usage(FILE *out)
{
    fprintf(out, "usage: vnn info\n\n"
                 "Prints the CPU (vendor, model, features the OS enables), the usable and\n"
                 "selected instruction sets, the thread count, the cache sizes the OS or\n"
                 "CPUID reports and those the GEMM and convolution blocking uses (each\n"
                 "bounded: a VM's nonsense size is replaced by a default), and for every\n"
                 "op the microkernel its dispatch table holds. Exits 2 if VNN_ISA asks for an\n"
                 "instruction set this machine cannot run.\n");
}

static void print_kernel(const char *op, const char *ukernel, void *ctx)
{
    const struct vnn_kernel_table *t = ctx;
    printf("  %-11s %s", op, ukernel);
    if (strcmp(op, "gemm") == 0)
        printf("  (MR=%d NR=%d KC=%d MC=%d NC=%d)", t->gemm.mr, t->gemm.nr, t->gemm.kc,
               t->gemm.mc, t->gemm.nc);
    printf("\n");
}

static int cmd_info(void)
{
    vnn_cpu_features f;
    vnn_cpu_features_get(&f);
    char features[256];
    vnn_cpu_features_describe(&f, features, sizeof features);
    printf("vnn %d.%d.%d\n", VNN_VERSION_MAJOR, VNN_VERSION_MINOR, VNN_VERSION_PATCH);
    printf("cpu:       %s (%s), %d logical cores\n", f.model, f.vendor, f.cores);
    printf("features:  %s\n", features);
    printf("usable:   ");
    for (int i = 0; i < VNN_ISA_COUNT; i++)
        if (vnn_isa_supported((vnn_isa)i))
            printf(" %s", vnn_isa_name((vnn_isa)i));
    printf("\n");

    const char *err = vnn_isa_env_error();
    if (err) {
        fprintf(stderr, "vnn: %s\n", err);
        return 2;
    }
    printf("isa:       %s%s\n", vnn_isa_name(vnn_get_isa()),
           getenv("VNN_ISA") && *getenv("VNN_ISA") ? " (forced by VNN_ISA)" : " (best available)");
    printf("threads:   %d\n", vnn_get_num_threads());
    const struct vnn_cache_sizes *rc = vnn_caches_reported(), *uc = vnn_caches();
    printf("caches:    L1D %zu KiB, L2 %zu KiB, L3 %zu KiB (from %s)\n", rc->l1d >> 10,
           rc->l2 >> 10, rc->l3 >> 10, rc->source);
    printf("blocking:  for L1D %zu KiB, L2 %zu KiB, L3 %s", uc->l1d >> 10, uc->l2 >> 10,
           uc->l3 ? "" : "unknown");
    if (uc->l3)
        printf("%zu KiB", uc->l3 >> 10);
    printf("%s%s\n", *vnn_caches_note() ? "; " : "", vnn_caches_note());
    printf("kernels:\n");
    const struct vnn_kernel_table *t = vnn_kernels();
    vnn_kernel_table_visit(t, print_kernel, (void *)t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "info") == 0) {
        for (int i = 2; i < argc; i++) {
            if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
                info_usage(stdout);
                return 0;
            }
            fprintf(stderr, "vnn info: unknown option '%s'\n", argv[i]);
            info_usage(stderr);
            return 1;
        }
        return cmd_info();
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "serve") == 0) {
#ifdef VNN_HAVE_SERVE
        return cmd_serve(argc - 1, argv + 1);
#else
        fprintf(stderr, "vnn serve: this vnn was built without libmicrohttpd\n");
        return 1;
#endif
    }
#ifdef VNN_HAVE_ONNX
    if (strcmp(cmd, "onnx-test") == 0)
        return cmd_onnx_test(argc - 1, argv + 1);
#endif
    fprintf(stderr, "vnn: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 1;
}
