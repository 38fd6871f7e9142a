/* GELU's constants, shared by every ISA's kernels.
 *   erf form:  y = x * (0.5 + 0.5 erf(x / sqrt 2))
 *   tanh form: y = x/2 (1 + tanh(z)), z = sqrt(2/pi) (x + 0.044715 x^3),
 *              computed as x * sigmoid(2z): the same function (1 + tanh z =
 *              2 sigmoid(2z)) without the cancellation of 1 + tanh(z) for
 *              negative x, and one exp and one division either way. */
#ifndef VNN_GELU_CONSTANTS_H
#define VNN_GELU_CONSTANTS_H

#define VNN_GELU_RSQRT2 0.70710678118654752f
/* 2 sqrt(2/pi) and 2 sqrt(2/pi) * 0.044715: 2z = x (K1 + K3 x^2). */
#define VNN_GELU_TANH_K1 1.59576912160573071f
#define VNN_GELU_TANH_K3 0.07135481627159869f

#endif
