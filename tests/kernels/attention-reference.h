/* The reference for the attention suite: oneDNN matmul, softmax and matmul
 * primitives composed as a user of oneDNN 2.6 would (it has no fused
 * attention), with the S x S score matrix; without oneDNN, the same steps
 * as plain loops in double. */
#ifndef VT_ATTENTION_REFERENCE_H
#define VT_ATTENTION_REFERENCE_H

#include "vnn/attention.h"

const char *attn_ref_name(void);

/* out [N][Sq][Hq][D] = attention(q, k, v) with vnn's semantics (mask,
 * lengths, bottom-right causal, zeros for a fully masked row). 0 on
 * success. */
int attn_ref(const vnn_attention_params *p, const float *q, const float *k, const float *v,
             float *out);

#endif
