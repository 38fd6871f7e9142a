/* vnn-bench: vnn's kernels beside oneDNN and OpenBLAS, on the same number
 * of threads (VNN_NUM_THREADS), through Google Benchmark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>

#include "bench-model.h"
#include "bench.h"
#include "dispatch/dispatch.h" /* the GEMM microkernel name */
#include "shim/vnn_bench.h"
#include "vnn-bench-config.h"  /* VB_GEMM_SHAPES_DEFAULT, VB_CONV_/POOL_SHAPES_DEFAULT,
                                * VB_ATTENTION_SHAPES_DEFAULT, VB_MODEL_WEIGHTS_DIR_DEFAULT */
#include "vnn/vnn.h"

static const char *gemm_shapes;
static const char *conv_shapes, *pool_shapes;
static const char *model_weights_dir = VB_MODEL_WEIGHTS_DIR_DEFAULT;

void *vb_alloc(size_t bytes) { return aligned_alloc(64, (bytes + 63) & ~(size_t)63); }

int vb_onednn_label(char *buf, size_t size, const_dnnl_primitive_desc_t pd)
{
    const dnnl_version_t *v = dnnl_version();
    if (!pd)
        return snprintf(buf, size, "oneDNN %d.%d.%d", v->major, v->minor, v->patch);
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success)
        impl = "?";
    return snprintf(buf, size, "oneDNN %d.%d.%d %s", v->major, v->minor, v->patch, impl);
}

static void usage(void)
{
    printf(
        "usage: vnn-bench [--gemm_shapes=FILE] [--conv_shapes=FILE] [--pool_shapes=FILE]\n"
        "                 [--model_weights_dir=DIR] [Google Benchmark flags]\n"
        "\n"
        "Benchmarks, named <op>/<shape>/<impl>, counter GFLOPS (GBps: pool, membw):\n"
        "  gemm/MxNxK/vnn         vnn_sgemm, C = A * B row-major (label: the ISA and\n"
        "                         microkernel vnn ran)\n"
        "  gemm/MxNxK/vnn_<isa>   the same with each other ISA this CPU supports forced\n"
        "  gemm/MxNxK/vnn_packed  vnn_sgemm_packed, B packed once before timing\n"
        "  gemm/MxNxK/onednn      dnnl_sgemm('N', 'N', ...)\n"
        "  gemm/MxNxK/openblas    cblas_sgemm(CblasRowMajor, ...)\n"
        "  lstm/<label>/vnn       vnn_lstm_plan_run, one LSTM layer (shapes: \"label N T I\n"
        "                         H D\" lines of $VNN_BENCH_LSTM_SHAPES, else\n"
        "                         bench/shapes/lstm.txt); counters GFLOPS and ms\n"
        "  lstm/<label>/onednn    oneDNN's lstm_forward, primitive made before timing\n"
        "  attention/<label>/vnn  vnn_attention, q/k/v [N][S][H][D] (shapes: \"label N\n"
        "                         Sq Sk H Hkv D causal\" lines of\n"
        "                         $VNN_BENCH_ATTENTION_SHAPES, else\n"
        "                         bench/shapes/attention.txt); counters GFLOPS =\n"
        "                         4*Sq*Sk*D*H (halved for causal) and workspace_bytes\n"
        "  attention/<label>/onednn  oneDNN matmul + softmax + matmul, primitives and\n"
        "                         the score matrix made before timing\n"
        "  peak/fma/<isa>         independent FMAs on every thread: this machine's peak\n"
        "                         for each SIMD ISA it supports\n"
        "  conv/<label>/vnn       a vnn_conv2d_plan (weights packed once) run on NHWC\n"
        "                         (label: ISA, path and microkernel)\n"
        "  conv/<label>/onednn    a oneDNN convolution primitive, NHWC src/dst, weights\n"
        "                         reordered once to its chosen layout (label: its\n"
        "                         implementation); GFLOPS = 2*N*OH*OW*KH*KW*C_in/groups*C_out\n"
        "  pool/<label>/vnn       vnn_maxpool2d, vnn_avgpool2d or vnn_global_avgpool2d\n"
        "  pool/<label>/onednn    a oneDNN pooling primitive, NHWC; counter GBps =\n"
        "                         (input + output bytes) / s; shapes over 32 MiB rotate\n"
        "                         through 1 GiB of copies (label: \"cold\"), else \"warm\"\n"
        "  peak/membw/read        main-memory bandwidth, sum of a 1 GiB buffer (GBps;\n"
        "                         $VNN_BENCH_MEMBW_MIB sets the size)\n"
        "  peak/membw/copy        copy between two such buffers, GBps = (read + written)\n"
        "                         bytes / s, counted as pooling counts them\n"
        "  model/<m>_b<N>[_t<T>]/vnn  a whole model, vnn_model_run_images/_tokens on N\n"
        "                         samples (T tokens each, full length): cnn_b1, cnn_b64,\n"
        "                         bilstm_b{1,64}_t128, transformer_b{1,64}_t128,\n"
        "                         transformer_b1_t512; counters samples_per_s and ms;\n"
        "                         seeded random weights in --model_weights_dir=DIR\n"
        "                         (default %s; files written if absent),\n"
        "                         the same files tools/models/bench_pytorch.py runs\n"
        "  model/<...>/vnn_<isa>  the same with each other SIMD ISA forced\n"
        "Google Benchmark appends /real_time (wall-clock time is measured), so\n"
        "--benchmark_filter='gemm/1024x1024x1024/vnn/' selects just that one;\n"
        "--benchmark_list_tests=true lists every name.\n"
        "\n"
        "GEMM shapes: one \"M N K\" per line, # starts a comment; read from\n"
        "--gemm_shapes=FILE, else $VNN_BENCH_GEMM_SHAPES, else\n"
        "%s\n"
        "Convolution shapes: one \"label N H W C_in C_out KH KW stride pad groups\"\n"
        "per line; from --conv_shapes=FILE, else $VNN_BENCH_CONV_SHAPES, else\n"
        "%s\n"
        "Pooling shapes: \"label max|avg N H W C K stride pad\" or \"label gap N H W C\"\n"
        "per line; from --pool_shapes=FILE, else $VNN_BENCH_POOL_SHAPES, else\n"
        "%s\n"
        "\n"
        "Environment:\n"
        "  VNN_ISA=scalar|avx2|avx512|neon  vnn's ISA (default: the best the CPU has;\n"
        "                                   one it lacks is an error, exit status 2)\n"
        "  ONEDNN_MAX_CPU_ISA=AVX2|...      oneDNN's ISA cap (default: vnn's ISA when\n"
        "                                   VNN_ISA forces one, so both use the same\n"
        "                                   vector width; context onednn_isa)\n"
        "  OPENBLAS_CORETYPE=Haswell|...    OpenBLAS's core (context openblas_core)\n"
        "  VNN_NUM_THREADS=N                threads for vnn, oneDNN (OpenMP) and\n"
        "                                   OpenBLAS alike (default: all cores)\n"
        "\n"
        "Example:\n"
        "  VNN_NUM_THREADS=1 vnn-bench --benchmark_filter='peak|gemm/1024x' \\\n"
        "      --benchmark_repetitions=3 --benchmark_report_aggregates_only=true\n"
        "\n"
        "Exit status: 0, 1 for a bad argument or a failed benchmark, 2 for an\n"
        "unusable VNN_ISA or shapes file.\n"
        "\n"
        "Google Benchmark flags (--benchmark_min_time defaults to " VB_DEFAULT_MIN_TIME
        " s):\n",
        VB_MODEL_WEIGHTS_DIR_DEFAULT, VB_GEMM_SHAPES_DEFAULT, VB_CONV_SHAPES_DEFAULT,
        VB_POOL_SHAPES_DEFAULT);
}

/* Takes our own flags out of argv (Google Benchmark rejects unknown ones). */
static int take_own_flags(int argc, char **argv)
{
    static const char shapes_flag[] = "--gemm_shapes=";
    static const char conv_flag[] = "--conv_shapes=", pool_flag[] = "--pool_shapes=";
    static const char model_flag[] = "--model_weights_dir=";
    int n = 1;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], shapes_flag, sizeof shapes_flag - 1) == 0)
            gemm_shapes = argv[i] + sizeof shapes_flag - 1;
        else if (strncmp(argv[i], conv_flag, sizeof conv_flag - 1) == 0)
            conv_shapes = argv[i] + sizeof conv_flag - 1;
        else if (strncmp(argv[i], pool_flag, sizeof pool_flag - 1) == 0)
            pool_shapes = argv[i] + sizeof pool_flag - 1;
        else if (strncmp(argv[i], model_flag, sizeof model_flag - 1) == 0)
            model_weights_dir = argv[i] + sizeof model_flag - 1;
        else if (strcmp(argv[i], "-h") == 0)
            argv[n++] = "--help";
        else
            argv[n++] = argv[i];
    }
    argv[n] = NULL;
    return n;
}

/* oneDNN held to vnn's ISA when VNN_ISA forces one, so both run the same
 * vector width: as if ONEDNN_MAX_CPU_ISA were set (which, when present,
 * wins). Must run before oneDNN's first primitive. Returns what oneDNN was
 * told, for the context. */
static const char *hold_onednn_isa(void)
{
    const char *env = getenv("ONEDNN_MAX_CPU_ISA");
    if (env && *env)
        return env;
    const char *req = getenv("VNN_ISA");
    if (!req || !*req)
        return "ALL (VNN_ISA not set)";
    switch (vnn_get_isa()) {
    case VNN_ISA_AVX2:
        return dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx2) == dnnl_success ? "AVX2 (from VNN_ISA)"
                                                                       : "ALL (refused AVX2)";
    case VNN_ISA_AVX512:
        return dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx512_core) == dnnl_success
                   ? "AVX512_CORE (from VNN_ISA)"
                   : "ALL (refused AVX512_CORE)";
    default:
        return "ALL (no oneDNN equivalent of VNN_ISA)";
    }
}

/* oneDNN's name of the ISA its primitives dispatch to. */
static const char *onednn_isa_name(dnnl_cpu_isa_t isa)
{
    switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "other";
    }
}

static void add_context(int threads, const char *onednn_max)
{
    char buf[256];
    vnn_cpu_features f;
    if (vnn_cpu_features_get(&f) == VNN_OK) {
        snprintf(buf, sizeof buf, "%s (%s), %d logical CPUs", f.model, f.vendor, f.cores);
        vb_add_context("cpu", buf);
    }
    size_t len = 0;
    buf[0] = '\0';
    for (int isa = 0; isa < VNN_ISA_COUNT; isa++)
        if (vnn_isa_supported((vnn_isa)isa) && len < sizeof buf)
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? " " : "",
                                    vnn_isa_name((vnn_isa)isa));
    vb_add_context("vnn_isas_supported", buf);
    const char *env_isa = getenv("VNN_ISA");
    snprintf(buf, sizeof buf, "%s%s%s", vnn_isa_name(vnn_get_isa()),
             env_isa && *env_isa ? " (VNN_ISA=" : "", env_isa && *env_isa ? env_isa : "");
    if (env_isa && *env_isa)
        strncat(buf, ")", sizeof buf - strlen(buf) - 1);
    vb_add_context("vnn_isa", buf);
    const struct vnn_kernel_table *t = vnn_kernels();
    if (t)
        vb_add_context("vnn_gemm_ukernel", t->gemm.name);
    snprintf(buf, sizeof buf, "%d (vnn, oneDNN, OpenBLAS)", threads);
    vb_add_context("threads", buf);
    const dnnl_version_t *v = dnnl_version();
    snprintf(buf, sizeof buf, "%d.%d.%d%s", v->major, v->minor, v->patch,
             v->cpu_runtime == DNNL_RUNTIME_OMP ? " (OpenMP)" : "");
    vb_add_context("onednn_version", buf);
    snprintf(buf, sizeof buf, "%s (max: %s)", onednn_isa_name(dnnl_get_effective_cpu_isa()),
             onednn_max);
    vb_add_context("onednn_isa", buf);
    vb_add_context("openblas_core", openblas_get_corename());
    vb_add_context("openblas_config", openblas_get_config());
    static const char *const openblas_env[] = {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"};
    for (size_t i = 0; i < sizeof openblas_env / sizeof openblas_env[0]; i++)
        if (getenv(openblas_env[i]))
            vb_add_context(openblas_env[i], getenv(openblas_env[i]));
    vb_add_context("gemm_shapes", gemm_shapes);
    vb_add_context("conv_shapes", conv_shapes);
    vb_add_context("pool_shapes", pool_shapes);
    vb_add_context("model_weights_dir", model_weights_dir);
}

/* The flag, else the environment variable, else the default. */
static const char *shapes_path(const char *flag, const char *env_name, const char *def)
{
    const char *env = getenv(env_name);
    return flag && *flag ? flag : env && *env ? env : def;
}

int main(int argc, char **argv)
{
    argc = take_own_flags(argc, argv);
    if (!gemm_shapes || !*gemm_shapes) {
        const char *env = getenv("VNN_BENCH_GEMM_SHAPES");
        gemm_shapes = env && *env ? env : VB_GEMM_SHAPES_DEFAULT;
    }
    conv_shapes = shapes_path(conv_shapes, "VNN_BENCH_CONV_SHAPES", VB_CONV_SHAPES_DEFAULT);
    pool_shapes = shapes_path(pool_shapes, "VNN_BENCH_POOL_SHAPES", VB_POOL_SHAPES_DEFAULT);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0)
            return vb_main(argc, argv, usage); /* prints and exits */

    const char *isa_err = vnn_isa_env_error();
    if (isa_err) {
        fprintf(stderr, "vnn-bench: %s\n", isa_err);
        return 2;
    }
    /* oneDNN here runs on OpenMP; OpenBLAS has its own pool. */
    int threads = vnn_get_num_threads();
    omp_set_num_threads(threads);
    openblas_set_num_threads(threads);
    add_context(threads, hold_onednn_isa());

    vb_register_peak();
    if (!vb_register_gemm(gemm_shapes))
        return 2;
    vb_register_membw();
    if (!vb_register_conv(conv_shapes) || !vb_register_pool(pool_shapes))
        return 2;
    const char *lstm_shapes = getenv("VNN_BENCH_LSTM_SHAPES");
    if (!vb_register_lstm(lstm_shapes && *lstm_shapes ? lstm_shapes : VB_LSTM_SHAPES_DEFAULT))
        return 2;
    if (!vb_register_ops())
        return 2;
    vb_register_denormal();
    /* attention/<label>/<impl>: shapes from $VNN_BENCH_ATTENTION_SHAPES or
     * bench/shapes/attention.txt (bench-attention.c). */
    const char *attn_env = getenv("VNN_BENCH_ATTENTION_SHAPES");
    if (!vb_register_attention(attn_env && *attn_env ? attn_env : VB_ATTENTION_SHAPES_DEFAULT))
        return 2;
    /* model/<family>_b<N>[_t<T>]/<impl> (bench-model.c). */
    if (!vb_register_model(model_weights_dir))
        return 2;
    return vb_main(argc, argv, usage);
}
