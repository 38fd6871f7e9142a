/* Scalar exp, sigmoid and tanh: the same algorithm as the SIMD versions in
 * math-<isa>.h, so every ISA has the same accuracy (see the bounds there,
 * checked by tests/kernels/test-vmath.c). */
#ifndef VNN_SIMD_MATH_SCALAR_H
#define VNN_SIMD_MATH_SCALAR_H

#include <stdint.h>
#include <string.h>

#include "kernels/simd/math-constants.h"

/* 2^n for n in [-126, 127], built in the exponent field (0 for n = -127). */
static inline float vnn_pow2i_f32(int32_t n)
{
    uint32_t bits = (uint32_t)(n + 127) << 23;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* 1 + r (c1 + r (c2 + r (c3 + r (c4 + r c5)))): the polynomial of exp and
 * of exp2_nonpos (math-constants.h). */
static inline float vnn_poly5_f32(float r, float c1, float c2, float c3, float c4, float c5)
{
    float p = c5;
    p = p * r + c4;
    p = p * r + c3;
    p = p * r + c2;
    p = p * r + c1;
    return p * r + 1.0f;
}

static inline float vnn_exp_f32(float x)
{
    if (x != x)
        return x;
    if (x > VNN_EXP_HI)
        return VNN_INF_F32;
    if (x < VNN_EXP_LO)
        return 0.0f;
    /* x = n ln2 + r, |r| <= ln2/2; ln2 split in two so n*ln2 is exact. */
    float n = __builtin_rintf(x * VNN_LOG2E);
    float r = x - n * VNN_LN2_HI;
    r = r - n * VNN_LN2_LO;
    float p = vnn_poly5_f32(r, VNN_EXP_C1, VNN_EXP_C2, VNN_EXP_C3, VNN_EXP_C4, VNN_EXP_C5);
    /* n is in [-126, 128]: scale in two steps so each factor is normal. */
    int32_t ni = (int32_t)n, n1 = ni >> 1;
    return p * vnn_pow2i_f32(n1) * vnn_pow2i_f32(ni - n1);
}

/* 2^x for x <= 0, -inf or NaN (math-constants.h). */
static inline float vnn_exp2_nonpos_f32(float x)
{
    if (x != x)
        return x;
    x = x < VNN_EXP2_FLOOR ? VNN_EXP2_FLOOR : x;
    float k = __builtin_floorf(x), r = x - k;
    float p = vnn_poly5_f32(r, VNN_EXP2_C1, VNN_EXP2_C2, VNN_EXP2_C3, VNN_EXP2_C4, VNN_EXP2_C5);
    return p * vnn_pow2i_f32((int32_t)k); /* 0 at k = -127 */
}

static inline float vnn_sigmoid_f32(float x)
{
    float nx = -x;
    return 1.0f / (1.0f + vnn_exp_f32(nx > VNN_SIGMOID_CAP ? VNN_SIGMOID_CAP : nx));
}

static inline float vnn_tanh_f32(float x)
{
    /* tanh|x| = 1 - 2 / (exp(2|x|) + 1); tanh(9) rounds to 1 in float. */
    float a = x < 0.0f ? -x : x;
    a = a > VNN_TANH_SAT ? VNN_TANH_SAT : a; /* NaN passes through */
    float t = 1.0f - 2.0f / (vnn_exp_f32(2.0f * a) + 1.0f);
    return x < 0.0f ? -t : t;
}

#endif
