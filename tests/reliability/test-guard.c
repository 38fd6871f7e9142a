/* The guarded buffers of the harness (tests/harness/vt-guard.c) catch what
 * they promise: an access just past the end (or, with VT_GUARD=before, just
 * before the start) kills the process, a write on the other side is found
 * by the canary check, a write to a read-only input kills the process, and
 * every size, odd ones included, ends exactly at the guard. Each bad access
 * runs in a forked child whose death is the expected outcome. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vt.h"

static int mode_before(void)
{
    const char *m = getenv("VT_GUARD");
    return m && strcmp(m, "before") == 0;
}

/* The signal that killed a child running fn(p, i), or 0 if it exited. */
static int child_signal(void (*fn)(float *, size_t), float *p, size_t i)
{
    fflush(NULL);
    pid_t pid = fork();
    VT_CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
        /* The handler's message goes to stderr: keep the log quiet. */
        if (!freopen("/dev/null", "w", stderr))
            _exit(3);
        fn(p, i);
        _exit(0);
    }
    int status;
    VT_CHECK(waitpid(pid, &status, 0) == pid, "waitpid failed");
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void write_at(float *p, size_t i) { ((volatile float *)p)[i] = 1.0f; }
static void read_at(float *p, size_t i)
{
    volatile float v = ((volatile float *)p)[i];
    (void)v;
}

/* Past the end: every size from 0 to 70 floats and a few pages' worth. */
VT_TEST(guard, past_the_end)
{
    static const size_t sizes[] = {0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 63, 64, 65, 1023, 1024,
                                   1025, 4097};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        float *p = vt_alloc_floats(n);
        for (size_t i = 0; i < n; i++) /* the whole buffer is usable */
            p[i] = (float)i;
        VT_CHECK(vt_guard_ok(p, NULL, 0), "n=%zu: canaries spoiled by writes inside", n);
        if (!mode_before()) {
            VT_CHECK(child_signal(write_at, p, n) == SIGSEGV,
                     "n=%zu: writing p[n] did not fault", n);
            VT_CHECK(child_signal(read_at, p, n) == SIGSEGV,
                     "n=%zu: reading p[n] did not fault", n);
        } else {
            p[n] = 2.0f; /* lands in the canaries */
            char msg[300];
            VT_CHECK(!vt_guard_ok(p, msg, sizeof msg) && strstr(msg, "past the end"),
                     "n=%zu: a write to p[n] went unnoticed", n);
            VT_CHECK(child_signal(read_at, p, (size_t)-1) == SIGSEGV,
                     "n=%zu: reading p[-1] did not fault", n);
            memset(p + n, 0xFF, sizeof(float)); /* restore the canary for vt_free */
        }
        vt_free(p);
    }
}

/* Before the start (default mode): the canaries notice, vt_free fails. */
VT_TEST(guard, before_the_start)
{
    if (mode_before())
        vt_skip("VT_GUARD=before: the start is guarded by a page (past_the_end checks it)");
    float *p = vt_alloc_floats(33);
    char msg[300];
    VT_CHECK(vt_guard_ok(p, msg, sizeof msg), "fresh buffer: %s", msg);
    p[-1] = 0.0f;
    VT_CHECK(!vt_guard_ok(p, msg, sizeof msg) && strstr(msg, "before the start") &&
                 strstr(msg, "test-guard.c"),
             "a write to p[-1] went unnoticed (%s)", msg);
    memset(p - 1, 0xFF, sizeof(float));
    VT_CHECK(vt_guard_ok(p, msg, sizeof msg), "restored canary: %s", msg);
    vt_free(p);
}

/* Read-only inputs: a write faults, reads work, vt_writable undoes it. */
VT_TEST(guard, read_only)
{
    float *p = vt_alloc_floats(100);
    for (int i = 0; i < 100; i++)
        p[i] = (float)i;
    vt_readonly(p);
    VT_CHECK(p[99] == 99.0f, "a read-only buffer must stay readable");
    VT_CHECK(child_signal(write_at, p, 0) == SIGSEGV, "writing p[0] did not fault");
    VT_CHECK(child_signal(write_at, p, 99) == SIGSEGV, "writing p[99] did not fault");
    vt_writable(p);
    p[0] = -1.0f;
    VT_CHECK(p[0] == -1.0f, "vt_writable did not restore writes");
    vt_readonly(p); /* freed while read-only: vt_free copes */
    vt_free(p);
}

/* Aligned byte buffers start on the alignment; a freed mapping reused for
 * the next buffer has its canaries reset. */
VT_TEST(guard, alignment_and_reuse)
{
    for (size_t align = 1; align <= 64; align *= 2)
        for (size_t bytes = 0; bytes < 200; bytes += 37) {
            unsigned char *p = vt_alloc_bytes(bytes, align);
            VT_CHECK((uintptr_t)p % align == 0, "%zu bytes aligned to %zu: %p", bytes, align,
                     (void *)p);
            memset(p, 0, bytes);
            VT_CHECK(vt_guard_ok(p, NULL, 0), "%zu bytes aligned to %zu: canaries", bytes,
                     align);
            vt_free(p);
        }
    float *a = vt_alloc_floats(10);
    a[9] = 5.0f;
    vt_free(a);
    float *b = vt_alloc_floats(11);
    VT_CHECK(vt_guard_ok(b, NULL, 0), "a reused mapping kept old bytes in its canaries");
    for (int i = 0; i < 11; i++)
        VT_CHECK(b[i] != b[i], "vt_alloc_floats: b[%d] is not NaN", i);
    vt_free(b);
}
