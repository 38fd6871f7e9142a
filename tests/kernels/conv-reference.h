/* The reference convolution the conv suite compares against: oneDNN's
 * convolution forward when the build has it (VT_HAVE_DNNL), otherwise a
 * plain direct loop nest written from the definition (the aarch64 cross
 * build may have no oneDNN; the native run checks the same inputs against
 * oneDNN, so the chain of comparisons still ends at oneDNN). */
#ifndef CONV_REFERENCE_H
#define CONV_REFERENCE_H

#include "vnn/conv.h"

/* "oneDNN convolution forward" or "direct loops". */
const char *conv_ref_name(void);

/* y = act(conv(x, w) + bias) as vnn_conv2d defines it (NHWC, HWIO weights
 * [KH][KW][C_in/groups][C_out], bias may be NULL). desc must be valid.
 * Returns 0 on success, nonzero if the reference itself failed. */
int conv_ref(const vnn_conv2d_desc *d, const float *x, const float *w, const float *bias,
             float *y);

#endif
