/* The LSTM reference for test-lstm.c: oneDNN's lstm_forward (inference),
 * or, without oneDNN, a double-precision loop nest of the same equations. */
#ifndef VT_LSTM_REFERENCE_H
#define VT_LSTM_REFERENCE_H

#include <stdint.h>

const char *lstm_ref_name(void);

/* One layer, time-major, in oneDNN's layouts (gate order i, f, c~, o):
 *   x [T][N][I]; h0, c0 [D][N][H] or NULL (zeros)
 *   wl [D][I][4][H], wi [D][H][4][H], bias [D][4][H]   (ldigo, ldgo)
 *   y [T][N][D*H] (bidirectional: concatenated), hn, cn [D][N][H]
 * D = 2 is oneDNN's bidirectional_concat. 0 on success. */
int lstm_ref(int64_t T, int64_t N, int64_t I, int64_t H, int D, const float *x,
             const float *h0, const float *c0, const float *wl, const float *wi,
             const float *bias, float *y, float *hn, float *cn);

#endif
