/* ReLU, NEON. vmaxq_f32 returns NaN if either input is NaN. */
#include "eltwise-neon.inc"

static inline float32x4_t relu(float32x4_t x) { return vmaxq_f32(vdupq_n_f32(0.0f), x); }

VNN_UNARY_NEON(vnn_relu_ukernel_16__neon, relu)
