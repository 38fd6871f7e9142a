/* The scalar form of the microkernel epilogue, for the portable kernel. */
#ifndef VNN_GEMM_EPILOGUE_H
#define VNN_GEMM_EPILOGUE_H

#include "kernels/gemm/gemm-config.h"

static inline float vnn_gemm_epilogue1(float acc, const float *c, size_t j,
                                       const struct vnn_gemm_ukernel_params *p)
{
    float v = p->alpha * acc;
    if (p->beta != 0.0f)
        v += p->beta * *c;
    if (p->bias)
        v += p->bias[j];
    return p->relu && v < 0.0f ? 0.0f : v;
}

#endif
