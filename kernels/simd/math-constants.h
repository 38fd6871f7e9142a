/* Constants of the exp/sigmoid/tanh shared by every ISA (kernels/simd/math-*.h).
 *
 * exp: Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, then a degree-5
 * minimax polynomial (XNNPACK's p5 coefficients: five FMAs, max relative
 * error about 1.6e-7 with FMA). Measured error (tests/kernels/test-vmath.c holds it):
 * relative error <= VNN_EXP_MAX_REL_ERR for x in [VNN_EXP_LO, VNN_EXP_HI];
 * 0 below VNN_EXP_LO (where the true result is subnormal, < 1.2e-38),
 * +inf above VNN_EXP_HI, NaN stays NaN.
 * sigmoid = 1 / (1 + exp(-x)), tanh = sign(x) (1 - 2 / (exp(2|x|) + 1)),
 * with the SIMD divisions done as a reciprocal estimate plus Newton steps
 * (vnn_recip_*): absolute error <= VNN_SIGMOID_TANH_MAX_ABS_ERR everywhere. */
#ifndef VNN_SIMD_MATH_CONSTANTS_H
#define VNN_SIMD_MATH_CONSTANTS_H

#define VNN_EXP_MAX_REL_ERR 4e-7f
#define VNN_SIGMOID_TANH_MAX_ABS_ERR 1e-6f

#define VNN_INF_F32 __builtin_inff()
#define VNN_EXP_HI 88.72283172607421875f /* the largest float x with exp(x) <= FLT_MAX */
#define VNN_EXP_LO -87.33654022216797f /* ln(FLT_MIN) */
#define VNN_LOG2E 1.44269504088896341f
/* x + 1.5 * 2^23 - 1.5 * 2^23 rounds |x| < 2^22 to the nearest integer. */
#define VNN_ROUND_MAGIC 0x1.8p23f
#define VNN_LN2_HI 0.693359375f /* few mantissa bits: n * LN2_HI is exact */
#define VNN_LN2_LO -2.12194440e-4f
/* exp(r) ~ 1 + r (C1 + r (C2 + r (C3 + r (C4 + r C5)))) on [-ln2/2, ln2/2] */
#define VNN_EXP_C1 0x1.FFFFF6p-1f
#define VNN_EXP_C2 0x1.FFFDC6p-2f
#define VNN_EXP_C3 0x1.555A80p-3f
#define VNN_EXP_C4 0x1.573A1Ap-5f
#define VNN_EXP_C5 0x1.0F9F9Cp-7f
/* exp2 of x <= 0 (the attention softmax, whose scores are kept in log2
 * units so that no reduction by ln 2 is needed): x = k + r with k =
 * floor(x) and 0 <= r < 1 exact, then 2^r ~ 1 + r (C1 + r (C2 + ... r C5)),
 * fitted for relative error on [0, 1) with 2^0 exactly 1 (max relative
 * error 1.43e-7 measured with FMA; VNN_EXP_MAX_REL_ERR bounds it too).
 * 2^k is built in the exponent field, where k = -127 gives 0, so x is
 * clamped there (AVX-512 scales with scalef instead, which takes the floor
 * itself and gives 0 for -inf). Below -126 the result is 0 or subnormal;
 * -inf gives 0; NaN stays NaN. */
#define VNN_EXP2_FLOOR -127.0f
#define VNN_EXP2_C1 0x1.62E4BAp-1f
#define VNN_EXP2_C2 0x1.EBDB56p-3f
#define VNN_EXP2_C3 0x1.C91CE6p-5f
#define VNN_EXP2_C4 0x1.277856p-7f
#define VNN_EXP2_C5 0x1.E974FAp-10f
#define VNN_TANH_SAT 9.0f
/* sigmoid's exp argument is capped here: 1 + exp(80) is finite and its
 * reciprocal normal; the true sigmoid there is below 2e-35 anyway. */
#define VNN_SIGMOID_CAP 80.0f

/* The _n forms of the SIMD functions (vnn_sigmoid_n_f32x16 and so on) work
 * on n independent vectors stage by stage, so their dependency chains are
 * interleaved in program order: GCC does not schedule instructions before
 * register allocation on x86, and one vector's chain (some 25 dependent
 * instructions for a sigmoid) would otherwise fill the core's scheduler
 * before the next one's could start. n must be at most VNN_MATH_MAX_N and
 * should be a compile-time constant (the loops are then unrolled and the
 * arrays kept in registers). */
#define VNN_MATH_MAX_N 8
/* Inlined always: unrolled eight ways, a _n body looks large to GCC, and a
 * call would keep the arrays in memory. */
#define VNN_MATH_INLINE static inline __attribute__((always_inline))
#define VNN_MATH_FOR_N(q, n) _Pragma("GCC unroll 8") for (int q = 0; q < (n); q++)
/* The one-vector forms, vnn_<f>_<sfx>(x), of the _n forms above. */
#define VNN_MATH_DEFINE_ONE_VECTOR(F, VEC, SFX)                                      \
    VNN_MATH_INLINE VEC vnn_##F##_##SFX(VEC x)                                      \
    {                                                                                \
        vnn_##F##_n_##SFX(&x, 1);                                                    \
        return x;                                                                    \
    }

#endif
