/* NEON erf over 4 floats: the rational form and bound of erf-constants.h.
 * Include from NEON files only. */
#ifndef VNN_SIMD_ERF_NEON_H
#define VNN_SIMD_ERF_NEON_H

#include <arm_neon.h>

#include "kernels/simd/erf-constants.h"

static inline float32x4_t vnn_erf_f32x4(float32x4_t x)
{
    /* vminq/vmaxq propagate NaN (IEEE min/max with NaN in, NaN out). */
    float32x4_t c = vminq_f32(vdupq_n_f32(VNN_ERF_CLAMP), x);
    c = vmaxq_f32(vdupq_n_f32(-VNN_ERF_CLAMP), c);
    float32x4_t x2 = vmulq_f32(c, c);
    float32x4_t p = vdupq_n_f32(VNN_ERF_P0);
    p = vfmaq_f32(vdupq_n_f32(VNN_ERF_P1), p, x2);
    p = vfmaq_f32(vdupq_n_f32(VNN_ERF_P2), p, x2);
    p = vfmaq_f32(vdupq_n_f32(VNN_ERF_P3), p, x2);
    p = vfmaq_f32(vdupq_n_f32(VNN_ERF_P4), p, x2);
    p = vfmaq_f32(vdupq_n_f32(VNN_ERF_P5), p, x2);
    p = vfmaq_f32(vdupq_n_f32(VNN_ERF_P6), p, x2);
    float32x4_t q = vdupq_n_f32(VNN_ERF_Q0);
    q = vfmaq_f32(vdupq_n_f32(VNN_ERF_Q1), q, x2);
    q = vfmaq_f32(vdupq_n_f32(VNN_ERF_Q2), q, x2);
    q = vfmaq_f32(vdupq_n_f32(VNN_ERF_Q3), q, x2);
    q = vfmaq_f32(vdupq_n_f32(VNN_ERF_Q4), q, x2);
    return vdivq_f32(vmulq_f32(c, p), q);
}

#endif
