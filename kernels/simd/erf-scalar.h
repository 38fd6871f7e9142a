/* Scalar erf: the rational form and bound of erf-constants.h, evaluated as
 * the SIMD versions do (fused multiply-adds), so every ISA agrees. */
#ifndef VNN_SIMD_ERF_SCALAR_H
#define VNN_SIMD_ERF_SCALAR_H

#include <math.h>

#include "kernels/simd/erf-constants.h"

static inline float vnn_erf_f32(float x)
{
    /* fminf/fmaxf drop a NaN operand: keep NaN by testing first. */
    if (x != x)
        return x;
    x = fminf(fmaxf(x, -VNN_ERF_CLAMP), VNN_ERF_CLAMP);
    float x2 = x * x;
    float p = VNN_ERF_P0;
    p = fmaf(p, x2, VNN_ERF_P1);
    p = fmaf(p, x2, VNN_ERF_P2);
    p = fmaf(p, x2, VNN_ERF_P3);
    p = fmaf(p, x2, VNN_ERF_P4);
    p = fmaf(p, x2, VNN_ERF_P5);
    p = fmaf(p, x2, VNN_ERF_P6);
    float q = VNN_ERF_Q0;
    q = fmaf(q, x2, VNN_ERF_Q1);
    q = fmaf(q, x2, VNN_ERF_Q2);
    q = fmaf(q, x2, VNN_ERF_Q3);
    q = fmaf(q, x2, VNN_ERF_Q4);
    return x * p / q;
}

#endif
