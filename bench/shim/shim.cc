// The C API of vnn_bench.h over Google Benchmark (the only C++ in vnn).
#include "vnn_bench.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

benchmark::State &S(vb_state *st) { return *reinterpret_cast<benchmark::State *>(st); }
const benchmark::State &S(const vb_state *st)
{
    return *reinterpret_cast<const benchmark::State *>(st);
}

bool g_failed = false;      // some benchmark called vb_skip_with_error
void (*g_usage)(void);      // our part of --help

void print_help()
{
    if (g_usage) {
        g_usage();
        std::fflush(stdout);
    }
    benchmark::PrintDefaultHelp();
}

} // namespace

extern "C" {

void vb_register(const char *name, vb_fn fn, void *arg)
{
    // A per-benchmark MinTime() would override --benchmark_min_time, so the
    // default is set on the flag instead (vb_main).
    benchmark::RegisterBenchmark(name, [fn, arg](benchmark::State &st) {
        fn(reinterpret_cast<vb_state *>(&st), arg);
    })->UseRealTime();
}

bool vb_keep_running(vb_state *st) { return S(st).KeepRunning(); }

int64_t vb_iterations(const vb_state *st) { return S(st).iterations(); }

void vb_pause_timing(vb_state *st) { S(st).PauseTiming(); }

void vb_resume_timing(vb_state *st) { S(st).ResumeTiming(); }

void vb_set_counter(vb_state *st, const char *name, double value, vb_counter_kind kind)
{
    S(st).counters[name] = benchmark::Counter(
        value, kind == VB_RATE ? benchmark::Counter::kIsRate : benchmark::Counter::kDefaults);
}

void vb_set_label(vb_state *st, const char *label) { S(st).SetLabel(label); }

void vb_skip_with_error(vb_state *st, const char *msg)
{
    g_failed = true;
    S(st).SkipWithError(msg);
}

void vb_add_context(const char *key, const char *value)
{
    benchmark::AddCustomContext(key, value);
}

int vb_main(int argc, char **argv, void (*usage)(void))
{
    // Our default first, so a --benchmark_min_time given later wins.
    static char min_time[] = "--benchmark_min_time=" VB_DEFAULT_MIN_TIME;
    std::vector<char *> args(argv, argv + argc);
    args.insert(args.begin() + (argc > 0 ? 1 : 0), min_time);
    args.push_back(nullptr);
    int n = static_cast<int>(args.size()) - 1;

    g_usage = usage;
    benchmark::Initialize(&n, args.data(), print_help);
    if (benchmark::ReportUnrecognizedArguments(n, args.data()))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return g_failed ? 1 : 0;
}

} // extern "C"
