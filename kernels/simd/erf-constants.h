/* erf as a rational function: erf(x) = x P(x^2) / Q(x^2) on [-4, 4], with x
 * clamped there first (erf(4) = 1 - 1.5e-8, below float's half ulp of 1).
 * The coefficients are those of Eigen's generic_fast_erf_float (the same
 * fit TensorFlow and XLA use). Measured against double-precision libm over
 * a dense sweep of [-6, 6] (every float below 1e-3 in magnitude, every
 * fourth above; tests/kernels/test-ops.c checks 2^20 points per ISA):
 * absolute and relative error <= 3.8e-7 (the worst is near |x| = 3.98); near
 * 0 the error is relative (x is a factor), so erf(x) keeps full precision
 * for tiny x. Only one division and no exp: cheaper than erfc-style forms. */
#ifndef VNN_SIMD_ERF_CONSTANTS_H
#define VNN_SIMD_ERF_CONSTANTS_H

#define VNN_ERF_CLAMP 4.0f
#define VNN_ERF_MAX_ERR 4e-7 /* absolute and relative, the stated bound */

#define VNN_ERF_P0 -2.72614225801306e-10f /* P: highest power first */
#define VNN_ERF_P1 2.77068142495902e-08f
#define VNN_ERF_P2 -2.10102402082508e-06f
#define VNN_ERF_P3 -5.69250639462346e-05f
#define VNN_ERF_P4 -7.34990630326855e-04f
#define VNN_ERF_P5 -2.95459980854025e-03f
#define VNN_ERF_P6 -1.60960333262415e-02f

#define VNN_ERF_Q0 -1.45660718464996e-05f
#define VNN_ERF_Q1 -2.13374055278905e-04f
#define VNN_ERF_Q2 -1.68282697438203e-03f
#define VNN_ERF_Q3 -7.37332916720468e-03f
#define VNN_ERF_Q4 -1.42647390514189e-02f

#endif
