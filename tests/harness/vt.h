/* Test harness: cases are plain C functions, registered with VT_TEST. Native
 * builds run them under Criterion (one process per test); the aarch64 cross
 * build runs the very same cases with the in-process runner (vt-runner.c),
 * because Criterion's per-test sandbox does not survive qemu-user. */
#ifndef VT_H
#define VT_H

#include <stdbool.h>
#include <stddef.h>

#include "vnn/cpu.h"

#define VT_CAT_(a, b) a##b
#define VT_CAT(a, b) VT_CAT_(a, b)

#ifdef VT_CRITERION
#include <criterion/criterion.h>
#define VT_TEST(suite, name)                                                     \
    static void VT_CAT(vt_body_, VT_CAT(suite, VT_CAT(_, name)))(void);          \
    Test(suite, name, .timeout = 900.0)                                          \
    {                                                                            \
        VT_CAT(vt_body_, VT_CAT(suite, VT_CAT(_, name)))();                      \
    }                                                                            \
    static void VT_CAT(vt_body_, VT_CAT(suite, VT_CAT(_, name)))(void)
#else
void vt_register(const char *suite, const char *name, void (*fn)(void));
#define VT_TEST(suite, name)                                                     \
    static void VT_CAT(vt_body_, VT_CAT(suite, VT_CAT(_, name)))(void);          \
    __attribute__((constructor)) static void VT_CAT(vt_reg_,                     \
                                                    VT_CAT(suite, VT_CAT(_, name)))(void) \
    {                                                                            \
        vt_register(#suite, #name, VT_CAT(vt_body_, VT_CAT(suite, VT_CAT(_, name)))); \
    }                                                                            \
    static void VT_CAT(vt_body_, VT_CAT(suite, VT_CAT(_, name)))(void)
#endif

/* End the current test as failed / skipped, with a message. */
_Noreturn void vt_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
_Noreturn void vt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An informational line in the test log. */
void vt_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define VT_CHECK(cond, ...)                                                      \
    do {                                                                         \
        if (!(cond))                                                             \
            vt_fail(__FILE__, __LINE__, __VA_ARGS__);                            \
    } while (0)

/* Select an ISA for the rest of the test, or skip the test (with a message
 * naming what the CPU lacks) if this machine cannot run it. */
void vt_use_isa(vnn_isa isa);

/* Deterministic per-test random numbers (xorshift), seeded from the test's
 * name and VT_SEED if set, so a failure is reproducible. */
typedef struct vt_rng { unsigned long long s; } vt_rng;
vt_rng vt_rng_make(const char *salt);
unsigned long long vt_rng_next(vt_rng *r);
int vt_rng_int(vt_rng *r, int lo, int hi); /* uniform in [lo, hi] */

/* Fill with small integers in [lo, hi] so products and sums are exact. */
void vt_fill_ints(vt_rng *r, float *x, size_t n, int lo, int hi);
void vt_fill_nan(float *x, size_t n);

/* malloc of n floats (at least one); fails the test if out of memory. */
float *vt_alloc_floats(size_t n);

/* A guarded buffer: alloc holds `guard` floats, the n floats of the buffer,
 * then `guard` floats. vt_guard_reset sets both guards to sentinel and the
 * buffer to NaN. vt_guard_intact (got = alloc + guard) returns 1 if both
 * guards are still sentinel, else 0 and, if msg is not NULL, writes "wrote
 * outside y (leading|trailing guard, k floats away)" there; a caller with
 * its own message passes NULL. */
void vt_guard_reset(float *alloc, size_t n, int guard, float sentinel);
int vt_guard_intact(const float *got, size_t n, int guard, float sentinel, char *msg,
                    size_t size);

/* In a function returning int: runs `call` (a vnn_status expression) on the
 * scalar kernels, puts the tested ISA back and returns 0 if all went well,
 * else 1. For the references of builds without oneDNN. */
#define VT_RETURN_ON_SCALAR(call)                                                \
    do {                                                                         \
        vnn_isa vt_was_ = vnn_get_isa();                                         \
        if (vnn_set_isa(VNN_ISA_SCALAR) != VNN_OK)                               \
            return 1;                                                            \
        vnn_status vt_st_ = (call);                                              \
        if (vnn_set_isa(vt_was_) != VNN_OK)                                      \
            return 1;                                                            \
        return vt_st_ != VNN_OK;                                                 \
    } while (0)

/* Exact comparison of an NHWC result (n floats, C channels, OH x OW pixels
 * per image): every element == (never NaN, so -0 equals +0; bit for bit if
 * `bitwise`) and, if guard > 0, the `guard` floats on each side of got still
 * `sentinel`. Returns 1 if so, else 0 with msg naming the first difference. */
int vt_compare_nhwc(const float *got, const float *want, size_t n, size_t C, size_t OH,
                    size_t OW, int guard, float sentinel, int bitwise, char *msg, size_t size);

/* How many randomized cases to run: `dflt`, scaled by VT_SCALE (a float,
 * e.g. 0.25 under qemu). */
int vt_count(int dflt);

#endif
