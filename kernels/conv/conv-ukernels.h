/* Declarations of the convolution microkernels; each ISA's live in their
 * own files, compiled with that ISA's flags only. */
#ifndef VNN_CONV_UKERNELS_H
#define VNN_CONV_UKERNELS_H

#include "kernels/conv/conv-config.h"
#include "kernels/conv/conv-rows.h"

void vnn_dwconv_ukernel_1c__scalar(const struct vnn_dwconv_row *r);
void vnn_dwconv_ukernel_8c__avx2(const struct vnn_dwconv_row *r);
void vnn_dwconv_ukernel_16c__avx512(const struct vnn_dwconv_row *r);
void vnn_dwconv_ukernel_4c__neon(const struct vnn_dwconv_row *r);
void vnn_conv1c_ukernel_6x16__avx2(const struct vnn_conv1c_row *r);

#define VNN_CONV_DECLARE(mr, nr, isa)                                                   \
    void VNN_CONV_UKERNEL(mr, nr, isa)(size_t ntaps, const struct vnn_conv_tap *taps,   \
                                       const float *x, const ptrdiff_t *a_rows, float *c, \
                                       const size_t *c_rows,                            \
                                       const struct vnn_conv_ukernel_params *p);

/* The families: (ISA, NR, largest MR). Each list drives both the
 * declarations here and the table fill in dispatch/conv-config.c. */
VNN_MRS_4(VNN_CONV_DECLARE, 8, scalar)
VNN_MRS_7(VNN_CONV_DECLARE, 64, avx512)
VNN_MRS_14(VNN_CONV_DECLARE, 32, avx512)
VNN_MRS_8(VNN_CONV_DECLARE, 16, avx512)
VNN_MRS_6(VNN_CONV_DECLARE, 16, avx2)
VNN_MRS_8(VNN_CONV_DECLARE, 8, avx2)
VNN_MRS_6(VNN_CONV_DECLARE, 16, neon)
VNN_MRS_8(VNN_CONV_DECLARE, 8, neon)

#endif
