/* Dispatch: the ladder picks the best ISA a (masked) CPU has, every table
 * slot is filled, forced ISAs run their own kernels, bad requests are
 * refused with a message and never crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dispatch/cache.h"
#include "dispatch/dispatch.h"
#include "vnn/vnn.h"
#include "vt.h"

VT_TEST(dispatch, ladder_follows_masked_features)
{
    vnn_cpu_features f = {0};
    VT_CHECK(vnn_isa_best_for(&f) == VNN_ISA_SCALAR, "no features must give scalar");
#if defined(VNN_ARCH_X86_64)
    f.avx2 = f.fma = true;
    VT_CHECK(vnn_isa_best_for(&f) == VNN_ISA_AVX2, "avx2+fma must give avx2");
    f.fma = false;
    VT_CHECK(vnn_isa_best_for(&f) == VNN_ISA_SCALAR, "avx2 without fma is not enough");
    f.fma = true;
    f.avx512f = f.avx512bw = f.avx512dq = true;
    VT_CHECK(vnn_isa_best_for(&f) == VNN_ISA_AVX2, "avx512 without VL must stay at avx2");
    f.avx512vl = true;
    VT_CHECK(vnn_isa_best_for(&f) == VNN_ISA_AVX512, "full avx512 must give avx512");
    VT_CHECK(!vnn_isa_supported_by(&f, VNN_ISA_NEON), "x86 build has no NEON");
#elif defined(VNN_ARCH_AARCH64)
    f.neon = true;
    VT_CHECK(vnn_isa_best_for(&f) == VNN_ISA_NEON, "neon must give neon");
    VT_CHECK(!vnn_isa_supported_by(&f, VNN_ISA_AVX2), "arm build has no AVX2");
#endif
}

VT_TEST(dispatch, every_table_slot_is_filled)
{
    for (int i = 0; i < VNN_ISA_COUNT; i++) {
        struct vnn_kernel_table t;
        vnn_kernel_table_fill((vnn_isa)i, &t);
        VT_CHECK(t.gemm.ukernel && t.gemm.name, "gemm slot empty for %s", vnn_isa_name(i));
        VT_CHECK(t.gemm.mr > 0 && t.gemm.nr > 0 && t.gemm.kc > 0 && t.gemm.mc >= t.gemm.mr,
                 "bad gemm blocking for %s", vnn_isa_name(i));
        /* An ISA this build lacks falls back to scalar in the table... */
        if (!vnn_isa_supported((vnn_isa)i) && i != VNN_ISA_SCALAR)
            continue;
        /* ...and one it has names its own microkernel. */
        VT_CHECK(strstr(t.gemm.name, vnn_isa_name(i)) != NULL || t.gemm.isa == VNN_ISA_SCALAR,
                 "%s table holds %s", vnn_isa_name(i), t.gemm.name);
    }
}

static void check_forced(vnn_isa isa)
{
    vt_use_isa(isa);
    VT_CHECK(vnn_get_isa() == isa, "vnn_get_isa() != %s", vnn_isa_name(isa));
    const struct vnn_kernel_table *t = vnn_kernels();
    VT_CHECK(t && t->gemm.isa == isa, "table not switched to %s", vnn_isa_name(isa));
    /* The forced kernel really runs: a 2x2 product through the public API. */
    float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4];
    VT_CHECK(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2) ==
                 VNN_OK, "sgemm failed on %s", vnn_isa_name(isa));
    VT_CHECK(c[0] == 19 && c[1] == 22 && c[2] == 43 && c[3] == 50, "wrong product on %s",
             vnn_isa_name(isa));
}

VT_TEST(dispatch, forced_scalar) { check_forced(VNN_ISA_SCALAR); }
VT_TEST(dispatch, forced_avx2) { check_forced(VNN_ISA_AVX2); }
VT_TEST(dispatch, forced_avx512) { check_forced(VNN_ISA_AVX512); }
VT_TEST(dispatch, forced_neon) { check_forced(VNN_ISA_NEON); }

VT_TEST(dispatch, set_isa_refuses_what_cpu_lacks)
{
    vnn_isa before = vnn_get_isa();
    for (int i = 0; i < VNN_ISA_COUNT; i++) {
        if (vnn_isa_supported((vnn_isa)i))
            continue;
        VT_CHECK(vnn_set_isa((vnn_isa)i) == VNN_ERR_UNSUPPORTED_ISA,
                 "set_isa(%s) should be refused", vnn_isa_name(i));
        VT_CHECK(vnn_get_isa() == before, "a refused set_isa changed the table");
    }
    VT_CHECK(vnn_set_isa((vnn_isa)99) == VNN_ERR_UNSUPPORTED_ISA, "bad enum accepted");
    vnn_isa out;
    VT_CHECK(vnn_isa_parse("avx9000", &out) == VNN_ERR_UNSUPPORTED_ISA, "bad name parsed");
    VT_CHECK(vnn_isa_parse(NULL, &out) == VNN_ERR_INVALID_ARG, "NULL name accepted");
}

/* VNN_ISA is read once at start-up, so check it in a child process. */
static int child_with_env(const char *value, vnn_status *gemm_status, char *msg, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        setenv("VNN_ISA", value, 1);
        float a = 1, b = 1, c = 0;
        vnn_status st = vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 1, 1, 1, 1.0f, &a, 1, &b, 1,
                                  0.0f, &c, 1);
        const char *err = vnn_isa_env_error();
        char buf[600];
        int n = snprintf(buf, sizeof buf, "%d|%s", (int)st, err ? err : "");
        if (write(fds[1], buf, (size_t)n) < 0)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    char buf[600] = {0};
    ssize_t got = read(fds[0], buf, sizeof buf - 1);
    close(fds[0]);
    int wstatus;
    waitpid(pid, &wstatus, 0);
    if (got <= 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
        return -1; /* crashed (e.g. SIGILL) or could not report */
    *gemm_status = (vnn_status)atoi(buf);
    const char *bar = strchr(buf, '|');
    snprintf(msg, size, "%s", bar ? bar + 1 : "");
    return 0;
}

VT_TEST(dispatch, bad_env_isa_is_a_clear_error)
{
    /* Detect without touching the library's one-time init, which the forked
     * children must run themselves. */
    vnn_cpu_features f;
    vnn_cpu_detect(&f);
    vnn_status st;
    char msg[600];
    VT_CHECK(child_with_env("avx9000", &st, msg, sizeof msg) == 0, "child crashed");
    VT_CHECK(st == VNN_ERR_UNSUPPORTED_ISA, "op ran despite VNN_ISA=avx9000 (status %d)", st);
    VT_CHECK(strstr(msg, "avx9000") && strstr(msg, "usable values"),
             "message should name the request and what is usable: '%s'", msg);
    for (int i = 0; i < VNN_ISA_COUNT; i++) {
        if (vnn_isa_supported_by(&f, (vnn_isa)i))
            continue;
        VT_CHECK(child_with_env(vnn_isa_name(i), &st, msg, sizeof msg) == 0,
                 "VNN_ISA=%s crashed", vnn_isa_name(i));
        VT_CHECK(st == VNN_ERR_UNSUPPORTED_ISA, "VNN_ISA=%s not refused", vnn_isa_name(i));
    }
    VT_CHECK(child_with_env("scalar", &st, msg, sizeof msg) == 0 && st == VNN_OK,
             "VNN_ISA=scalar must work");
}

VT_TEST(dispatch, thread_count_control)
{
    int before = vnn_get_num_threads();
    VT_CHECK(before >= 1, "default thread count %d", before);
    VT_CHECK(vnn_set_num_threads(-1) == VNN_ERR_INVALID_ARG, "negative accepted");
    VT_CHECK(vnn_set_num_threads(3) == VNN_OK && vnn_get_num_threads() == 3, "set 3");
    VT_CHECK(vnn_set_num_threads(0) == VNN_OK && vnn_get_num_threads() >= 1, "0 = all cores");
    vnn_set_num_threads(before);
}

VT_TEST(dispatch, cache_sizes_are_bounded)
{
    /* This VM's CPUID: a real L1D and L2, a nonsense L3. */
    struct vnn_cache_sizes r = {48 << 10, 1 << 20, (size_t)508 << 20, "test"}, u;
    char note[192];
    vnn_cache_sanitize(&r, &u, note, sizeof note);
    VT_CHECK(u.l1d == r.l1d && u.l2 == r.l2, "sane L1D/L2 replaced: %zu %zu", u.l1d, u.l2);
    VT_CHECK(u.l3 == 0 && strstr(note, "L3"), "L3 of 508 MiB kept (%zu), note '%s'", u.l3, note);
    /* Nothing reported, or too small: the defaults, and the note says so. */
    r = (struct vnn_cache_sizes){0, 4 << 10, 0, "test"};
    vnn_cache_sanitize(&r, &u, note, sizeof note);
    VT_CHECK(u.l1d == VNN_L1D_DEFAULT && u.l2 == VNN_L2_DEFAULT && u.l3 == 0,
             "defaults not used: %zu %zu %zu", u.l1d, u.l2, u.l3);
    VT_CHECK(strstr(note, "L1D not reported") && strstr(note, "L2 4 KiB ignored"), "note '%s'",
             note);
    /* Whatever this machine reports, blocking sees sizes inside the bounds. */
    const struct vnn_cache_sizes *c = vnn_caches();
    VT_CHECK(c->l1d >= VNN_L1D_MIN && c->l1d <= VNN_L1D_MAX && c->l2 >= VNN_L2_MIN &&
                 c->l2 <= VNN_L2_MAX && (c->l3 == 0 || (c->l3 >= VNN_L3_MIN && c->l3 <= VNN_L3_MAX)),
             "detected %zu/%zu/%zu out of bounds", c->l1d, c->l2, c->l3);
}

VT_TEST(dispatch, gemm_blocking_follows_caches)
{
    const struct vnn_cache_sizes tuned = {VNN_GEMM_TUNED_L1D, VNN_GEMM_TUNED_L2, 0, "t"};
    const struct vnn_cache_sizes zen3 = {32 << 10, 512 << 10, 32 << 20, "t"};
    const struct vnn_cache_sizes big = {48 << 10, 2 << 20, 0, "t"};
    for (int i = 0; i < VNN_ISA_COUNT; i++) {
        struct vnn_gemm_config ref, t, z, b;
        vnn_gemm_config_init((vnn_isa)i, &ref);
        t = z = b = ref;
        vnn_gemm_config_block(&t, &tuned);
        VT_CHECK(t.kc == ref.kc && t.mc == ref.mc && t.nc == ref.nc,
                 "%s: tuned caches changed the blocking", vnn_isa_name(i));
        vnn_gemm_config_block(&z, &zen3);
        vnn_gemm_config_block(&b, &big);
        /* Smaller caches, smaller blocks: the A block shrinks with L2 and
         * kc x NR with L1D; a larger L2 grows the A block. */
        VT_CHECK(z.kc <= ref.kc && z.kc % 16 == 0 && z.kc >= ref.kc / 2, "%s: kc %d",
                 vnn_isa_name(i), z.kc);
        VT_CHECK(z.mc % z.mr == 0 && z.mc >= z.mr &&
                     (size_t)z.mc * (size_t)z.kc < (size_t)ref.mc * (size_t)ref.kc,
                 "%s: mc %d kc %d", vnn_isa_name(i), z.mc, z.kc);
        VT_CHECK((size_t)z.kc * (size_t)z.nc * sizeof(float) <= zen3.l3 / 2 && z.nc % z.nr == 0,
                 "%s: nc %d", vnn_isa_name(i), z.nc);
        VT_CHECK(z.l2_bytes == zen3.l2 && b.mc > ref.mc && b.kc == ref.kc, "%s: l2 %zu mc %d",
                 vnn_isa_name(i), z.l2_bytes, b.mc);
    }
}
