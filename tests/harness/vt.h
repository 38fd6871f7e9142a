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

/* Guarded buffers (vt-guard.c): each in its own mapping, ending exactly at
 * a PROT_NONE page (an access past the end faults; the fault is named on
 * stderr) with canary bytes before the start (VT_GUARD=before: a PROT_NONE
 * page before the start, canaries after the end). Every buffer a test hands
 * to vnn comes from here; free them with vt_free, which checks the canaries.
 *
 * vt_alloc_floats: n floats (at least a page is mapped even for 0), all NaN.
 * vt_alloc_guarded: `bytes` bytes starting at a multiple of `align` (a power
 * of two; past the end the guard page follows after at most align-1 canary
 * bytes), contents the canary pattern. Both fail the test if out of memory. */
float *vt_alloc_floats_at(size_t n, const char *file, int line);
#define vt_alloc_floats(n) vt_alloc_floats_at((n), __FILE__, __LINE__)
void *vt_alloc_guarded(size_t bytes, size_t align, const char *file, int line);
#define vt_alloc_bytes(bytes, align) vt_alloc_guarded((bytes), (align), __FILE__, __LINE__)
void vt_free(void *p); /* NULL: nothing */

/* An input's pages become read-only (a write to it faults) / writable again
 * (to refill it). p is the buffer's start (or inside it); NULL: nothing. */
void vt_readonly(const void *p);
void vt_writable(const void *p);

/* 1 if the canaries of the guarded buffer holding p are intact (or p is not
 * a guarded buffer), else 0 and, if msg is not NULL, "wrote past the end of
 * the N-byte buffer allocated at file:line (k bytes away)" there. */
int vt_guard_ok(const void *p, char *msg, size_t size);
/* The same as a check: fails the test, naming `what`, if a canary changed. */
void vt_guard_check_at(const void *p, const char *what, const char *file, int line);
#define vt_guard_check(p, what) vt_guard_check_at((p), (what), __FILE__, __LINE__)

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
 * `bitwise`) and got's guarded buffer intact. Returns 1 if so, else 0 with
 * msg naming the first difference. */
int vt_compare_nhwc(const float *got, const float *want, size_t n, size_t C, size_t OH,
                    size_t OW, int bitwise, char *msg, size_t size);

/* How many randomized cases to run: `dflt`, scaled by VT_SCALE (a float,
 * e.g. 0.25 under qemu). */
int vt_count(int dflt);

#endif
