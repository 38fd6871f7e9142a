/* Vector math suite: every ISA's exp, sigmoid, tanh and exp2_nonpos (the kernel table's
 * vmath slot, built on kernels/simd/math-<isa>.h) against double-precision
 * libm, held to the bounds that kernels/simd/math-constants.h states:
 *   exp:     relative error <= VNN_EXP_MAX_REL_ERR on [VNN_EXP_LO, VNN_EXP_HI],
 *            exactly 0 below, +inf above, NaN for NaN;
 *   sigmoid, tanh: absolute error <= VNN_SIGMOID_TANH_MAX_ABS_ERR everywhere;
 *   exp2_nonpos (x <= 0): relative error <= VNN_EXP_MAX_REL_ERR on [-126, 0],
 *            below FLT_MIN under -126 and exactly 0 from -150 (-inf too), NaN
 *            for NaN (a degree-5 polynomial on [0, 1) after an exact
 *            reduction: measured 1.43e-7 with FMA, 1.63e-7 in scalar C).
 * The bounds come from the method: Cody-Waite reduction plus a degree-5
 * minimax polynomial is accurate to about 2 ulp (measured 1.6e-7 relative
 * with FMA, 1.8e-7 in scalar C); we allow 4e-7 for the FMA/non-FMA
 * difference between ISAs. sigmoid and tanh inherit exp's
 * relative error through one reciprocal (estimate plus Newton step, at most
 * about 2^-23 relative) and one subtraction, which stays well below 1e-6 in
 * absolute terms (measured: under 2.2e-7 on every ISA; near 0, tanh's
 * 1 - 2/(e+1) loses relative but not absolute accuracy). No oneDNN here: libm in double is the exact
 * reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/simd/math-constants.h"
#include "vt.h"

#define SWEEP (1 << 20)

static const struct vnn_vmath_config *table(vnn_isa isa)
{
    vt_use_isa(isa);
    const struct vnn_kernel_table *t = vnn_kernels();
    VT_CHECK(t && t->vmath.isa == isa, "vmath slot does not hold %s", vnn_isa_name(isa));
    return &t->vmath;
}

/* Evenly spaced points over [lo, hi] plus random ones, so every reduction
 * interval and both ends are hit. */
static float *sweep(float lo, float hi, size_t n, vt_rng *r)
{
    float *x = vt_alloc_floats(n);
    for (size_t i = 0; i < n / 2; i++)
        x[i] = lo + (hi - lo) * (float)i / (float)(n / 2 - 1);
    for (size_t i = n / 2; i < n; i++)
        x[i] = lo + (hi - lo) * (float)((double)(vt_rng_next(r) >> 11) / 9007199254740992.0);
    vt_readonly(x);
    return x;
}

static void group_exp(vnn_isa isa)
{
    const struct vnn_vmath_config *m = table(isa);
    vt_rng r = vt_rng_make("exp");
    float *x = sweep(VNN_EXP_LO, VNN_EXP_HI, SWEEP, &r);
    float *y = vt_alloc_floats(SWEEP);
    m->exp(SWEEP, x, y);
    double worst = 0;
    for (size_t i = 0; i < SWEEP; i++) {
        double ref = exp((double)x[i]);
        double err = fabs((double)y[i] - ref) / ref;
        VT_CHECK(err <= VNN_EXP_MAX_REL_ERR, "%s exp(%.9g) = %.9g, expected %.9g (rel err %.3g)",
                 m->exp_name, x[i], y[i], ref, err);
        worst = err > worst ? err : worst;
    }
    /* The edges of the range and what lies beyond it. */
    const float special[] = {-INFINITY, -1e30f, -100.0f, nextafterf(VNN_EXP_LO, -INFINITY),
                             nextafterf(VNN_EXP_HI, INFINITY), 89.0f, 1e30f, INFINITY, NAN,
                             0.0f, -0.0f};
    const size_t ns = sizeof special / sizeof special[0];
    float ys[sizeof special / sizeof special[0]];
    m->exp(ns, special, ys);
    for (size_t i = 0; i < 4; i++)
        VT_CHECK(ys[i] == 0.0f, "%s exp(%g) = %g, expected 0", m->exp_name, special[i], ys[i]);
    for (size_t i = 4; i < 8; i++)
        VT_CHECK(isinf(ys[i]) && ys[i] > 0, "%s exp(%g) = %g, expected +inf", m->exp_name,
                 special[i], ys[i]);
    VT_CHECK(isnan(ys[8]), "%s exp(NaN) = %g", m->exp_name, ys[8]);
    VT_CHECK(ys[9] == 1.0f && ys[10] == 1.0f, "%s exp(+-0) = %g, %g", m->exp_name, ys[9], ys[10]);
    vt_log("%s: worst relative error %.3g over %d points (bound %.3g)", m->exp_name, worst, SWEEP,
           (double)VNN_EXP_MAX_REL_ERR);
    vt_free(x);
    vt_free(y);
}

static void group_exp2_nonpos(vnn_isa isa)
{
    const struct vnn_vmath_config *m = table(isa);
    vt_rng r = vt_rng_make("exp2");
    float *x = sweep(-126.0f, 0.0f, SWEEP, &r);
    float *y = vt_alloc_floats(SWEEP);
    m->exp2_nonpos(SWEEP, x, y);
    double worst = 0;
    for (size_t i = 0; i < SWEEP; i++) {
        double ref = exp2((double)x[i]), err = fabs((double)y[i] - ref) / ref;
        VT_CHECK(err <= VNN_EXP_MAX_REL_ERR,
                 "%s(%.9g) = %.9g, expected %.9g (rel err %.3g)", m->exp2_nonpos_name, x[i],
                 y[i], ref, err);
        worst = err > worst ? err : worst;
    }
    const float special[] = {-INFINITY, -1e30f, -150.0f, -127.5f, -126.5f, NAN, 0.0f, -0.0f};
    float ys[sizeof special / sizeof special[0]];
    m->exp2_nonpos(sizeof special / sizeof special[0], special, ys);
    for (size_t i = 0; i < 3; i++)
        VT_CHECK(ys[i] == 0.0f, "%s(%g) = %g, expected 0", m->exp2_nonpos_name, special[i],
                 ys[i]);
    for (size_t i = 3; i < 5; i++)
        VT_CHECK(ys[i] >= 0.0f && ys[i] < 0x1p-126f, "%s(%g) = %g, expected below FLT_MIN",
                 m->exp2_nonpos_name, special[i], ys[i]);
    VT_CHECK(isnan(ys[5]), "%s(NaN) = %g", m->exp2_nonpos_name, ys[5]);
    VT_CHECK(ys[6] == 1.0f && ys[7] == 1.0f, "%s(+-0) = %g, %g", m->exp2_nonpos_name, ys[6],
             ys[7]);
    vt_log("%s: worst relative error %.3g over %d points (bound %.3g)", m->exp2_nonpos_name,
           worst, SWEEP, (double)VNN_EXP_MAX_REL_ERR);
    vt_free(x);
    vt_free(y);
}

static void check_abs(const char *name, vnn_vmath_ukernel_fn f, double (*ref)(double),
                      float lo, float hi)
{
    vt_rng r = vt_rng_make(name);
    float *x = sweep(lo, hi, SWEEP, &r);
    float *y = vt_alloc_floats(SWEEP);
    f(SWEEP, x, y);
    double worst = 0;
    for (size_t i = 0; i < SWEEP; i++) {
        double err = fabs((double)y[i] - ref((double)x[i]));
        VT_CHECK(err <= VNN_SIGMOID_TANH_MAX_ABS_ERR, "%s(%.9g) = %.9g, expected %.9g", name,
                 x[i], y[i], ref((double)x[i]));
        worst = err > worst ? err : worst;
    }
    const float special[] = {-INFINITY, -1e30f, -100.0f, 100.0f, 1e30f, INFINITY, 0.0f};
    const size_t ns = sizeof special / sizeof special[0];
    float ys[sizeof special / sizeof special[0]];
    f(ns, special, ys);
    for (size_t i = 0; i < ns; i++)
        VT_CHECK(fabs((double)ys[i] - ref((double)special[i])) <= VNN_SIGMOID_TANH_MAX_ABS_ERR,
                 "%s(%g) = %g, expected %g", name, special[i], ys[i], ref((double)special[i]));
    const float nan = NAN;
    float ynan;
    f(1, &nan, &ynan);
    VT_CHECK(isnan(ynan), "%s(NaN) = %g", name, ynan);
    vt_log("%s: worst absolute error %.3g over [%g, %g] (bound %.3g)", name, worst, lo, hi,
           (double)VNN_SIGMOID_TANH_MAX_ABS_ERR);
    vt_free(x);
    vt_free(y);
}

static double sigmoid_ref(double x) { return 1.0 / (1.0 + exp(-x)); }

static void group_sigmoid_tanh(vnn_isa isa)
{
    const struct vnn_vmath_config *m = table(isa);
    check_abs(m->sigmoid_name, m->sigmoid, sigmoid_ref, -120.0f, 120.0f);
    check_abs(m->sigmoid_name, m->sigmoid, sigmoid_ref, -4.0f, 4.0f);
    check_abs(m->tanh_name, m->tanh, tanh, -30.0f, 30.0f);
    check_abs(m->tanh_name, m->tanh, tanh, -0.01f, 0.01f);
}

/* Every length up to a few vectors, in place and out of place: the tail
 * computes the same values as the body and writes nothing past n. */
static void group_tails(vnn_isa isa)
{
    const struct vnn_vmath_config *m = table(isa);
    const vnn_vmath_ukernel_fn fns[] = {m->exp, m->sigmoid, m->tanh, m->exp2_nonpos};
    enum { MAXN = 70, GUARD = 8 };
    float x[MAXN], full[MAXN], y[GUARD + MAXN + GUARD];
    vt_rng r = vt_rng_make("tails");
    for (size_t i = 0; i < MAXN; i++)
        x[i] = (float)vt_rng_int(&r, -4000, 4000) / 500.0f;
    float xn[MAXN]; /* exp2_nonpos's domain */
    for (size_t i = 0; i < MAXN; i++)
        xn[i] = -fabsf(x[i]);
    for (size_t f = 0; f < 4; f++) {
        const float *in = f == 3 ? xn : x;
        fns[f](MAXN, in, full);
        for (size_t n = 0; n <= MAXN; n++) {
            for (size_t i = 0; i < GUARD + MAXN + GUARD; i++)
                y[i] = -7.0f;
            fns[f](n, in, y + GUARD);
            for (size_t i = 0; i < GUARD + MAXN + GUARD; i++) {
                int inside = i >= GUARD && i < GUARD + n;
                float want = inside ? full[i - GUARD] : -7.0f;
                VT_CHECK(y[i] == want, "function %zu, n=%zu: y[%d] = %g, expected %g", f, n,
                         (int)i - GUARD, y[i], want);
            }
            float inplace[MAXN];
            memcpy(inplace, in, n * sizeof *in);
            fns[f](n, inplace, inplace);
            VT_CHECK(n == 0 || memcmp(inplace, full, n * sizeof *in) == 0,
                     "function %zu, n=%zu: in-place result differs", f, n);
        }
    }
}

#define VMATH_SUITE(isa, suite)                                                 \
    VT_TEST(suite, exp) { group_exp(isa); }                                     \
    VT_TEST(suite, sigmoid_tanh) { group_sigmoid_tanh(isa); }                   \
    VT_TEST(suite, exp2_nonpos) { group_exp2_nonpos(isa); }                     \
    VT_TEST(suite, tails) { group_tails(isa); }

VMATH_SUITE(VNN_ISA_SCALAR, vmath_scalar)
VMATH_SUITE(VNN_ISA_AVX2, vmath_avx2)
VMATH_SUITE(VNN_ISA_AVX512, vmath_avx512)
VMATH_SUITE(VNN_ISA_NEON, vmath_neon)
