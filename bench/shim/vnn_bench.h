/* A small C API over Google Benchmark, so the benchmarks stay C17; the only
 * C++ in vnn is its implementation, bench/shim/shim.cc.
 *
 *   static void bench_foo(vb_state *st, void *arg)
 *   {
 *       ... set up outside the timed loop ...
 *       while (vb_keep_running(st))
 *           foo(arg);
 *       vb_set_counter(st, "GFLOPS", vb_iterations(st) * flops / 1e9, VB_RATE);
 *   }
 *   vb_register("foo/128", bench_foo, &args);   (before vb_main)
 *
 * Every benchmark measures wall-clock time (UseRealTime: the work runs on
 * several threads) and runs on one calling thread. */
#ifndef VNN_BENCH_H
#define VNN_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vb_state vb_state; /* a benchmark::State */
typedef void (*vb_fn)(vb_state *st, void *arg);

typedef enum vb_counter_kind {
    VB_PLAIN = 0, /* reported as given */
    VB_RATE = 1,  /* divided by the elapsed (wall-clock) seconds */
} vb_counter_kind;

/* Registers fn(st, arg) under name (copied); arg must outlive vb_main. */
void vb_register(const char *name, vb_fn fn, void *arg);

/* The timed loop: true while more iterations are wanted. */
bool vb_keep_running(vb_state *st);
/* Iterations the loop ran (valid after it ends). */
int64_t vb_iterations(const vb_state *st);

void vb_pause_timing(vb_state *st);
void vb_resume_timing(vb_state *st);

void vb_set_counter(vb_state *st, const char *name, double value, vb_counter_kind kind);
void vb_set_label(vb_state *st, const char *label);
/* Marks the run failed with msg (copied); call it before the loop, or leave
 * the loop at once. vb_main() then returns 1. */
void vb_skip_with_error(vb_state *st, const char *msg);

/* A key: value line for the report's context (before vb_main). */
void vb_add_context(const char *key, const char *value);

/* Parses Google Benchmark's --benchmark_* flags (unknown arguments are an
 * error), runs the selected benchmarks and returns the exit status: 0, or 1
 * for a bad argument or a benchmark that failed. On --help it calls
 * usage() (may be NULL), prints Google Benchmark's flags and exits 0.
 * --benchmark_min_time defaults to VB_DEFAULT_MIN_TIME seconds. */
#define VB_DEFAULT_MIN_TIME "0.5"
int vb_main(int argc, char **argv, void (*usage)(void));

#ifdef __cplusplus
}
#endif

#endif
