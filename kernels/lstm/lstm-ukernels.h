/* Every LSTM microkernel, one pair per ISA (see lstm-config.h). */
#ifndef VNN_LSTM_UKERNELS_H
#define VNN_LSTM_UKERNELS_H

#include <stddef.h>

#define VNN_LSTM_DECLARE(V, ISA)                                                        \
    void vnn_lstm_ukernel_gates##V##__##ISA(size_t H, const float *gx, const float *gh,  \
                                           float *c, float *h, float *y);               \
    void vnn_lstm_ukernel_1x##V##__##ISA(size_t H, size_t b, const float *w,             \
                                        const float *h_in, const float *gx, float *c,    \
                                        float *h, float *y);

VNN_LSTM_DECLARE(1, scalar)
VNN_LSTM_DECLARE(8, avx2)
VNN_LSTM_DECLARE(16, avx512)
VNN_LSTM_DECLARE(4, neon)

#endif
