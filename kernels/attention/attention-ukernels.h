/* Declarations of the online-softmax, K^T packing and row-path microkernels; each ISA's lives in its
 * own file, compiled with that ISA's flags only. */
#ifndef VNN_ATTENTION_UKERNELS_H
#define VNN_ATTENTION_UKERNELS_H

#include "kernels/attention/attention-config.h"

void vnn_attention_ukernel_online1__scalar(const struct vnn_attention_online_args *a);
void vnn_attention_ukernel_online8__avx2(const struct vnn_attention_online_args *a);
void vnn_attention_ukernel_online16__avx512(const struct vnn_attention_online_args *a);
void vnn_attention_ukernel_online4__neon(const struct vnn_attention_online_args *a);

void vnn_attention_ukernel_pack_kt8__avx2(const float *k, size_t ks, size_t D, size_t cols,
                                          size_t nr, float *dst);
void vnn_attention_ukernel_pack_kt16__avx512(const float *k, size_t ks, size_t D, size_t cols,
                                             size_t nr, float *dst);

#define VNN_DECLARE_ATTENTION_ROWS(isa)                                                  \
    void vnn_attention_ukernel_rows_scores__##isa(const struct vnn_attention_rows_args *a); \
    void vnn_attention_ukernel_rows_accumulate__##isa(const struct vnn_attention_rows_args *a);
VNN_DECLARE_ATTENTION_ROWS(scalar)
VNN_DECLARE_ATTENTION_ROWS(avx2)
VNN_DECLARE_ATTENTION_ROWS(avx512)
VNN_DECLARE_ATTENTION_ROWS(neon)

#endif
