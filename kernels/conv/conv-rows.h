/* Macro lists for the implicit-GEMM microkernel templates: VNN_ROWS_<n>(X)
 * applies X to 0..n-1, so one template body yields every row count with
 * named (register-resident) accumulators. */
#ifndef VNN_CONV_ROWS_H
#define VNN_CONV_ROWS_H

#define VNN_CAT_(a, b) a##b
#define VNN_CAT(a, b) VNN_CAT_(a, b)
/* vnn_conv_ukernel_<mr>x<nr>__<isa> */
#define VNN_CONV_UKERNEL(mr, nr, isa)                                                   \
    VNN_CAT(VNN_CAT(VNN_CAT(vnn_conv_ukernel_, mr), VNN_CAT(x, nr)), VNN_CAT(__, isa))

#define VNN_ROWS_1(X) X(0)
#define VNN_ROWS_2(X) VNN_ROWS_1(X) X(1)
#define VNN_ROWS_3(X) VNN_ROWS_2(X) X(2)
#define VNN_ROWS_4(X) VNN_ROWS_3(X) X(3)
#define VNN_ROWS_5(X) VNN_ROWS_4(X) X(4)
#define VNN_ROWS_6(X) VNN_ROWS_5(X) X(5)
#define VNN_ROWS_7(X) VNN_ROWS_6(X) X(6)
#define VNN_ROWS_8(X) VNN_ROWS_7(X) X(7)
#define VNN_ROWS_9(X) VNN_ROWS_8(X) X(8)
#define VNN_ROWS_10(X) VNN_ROWS_9(X) X(9)
#define VNN_ROWS_11(X) VNN_ROWS_10(X) X(10)
#define VNN_ROWS_12(X) VNN_ROWS_11(X) X(11)
#define VNN_ROWS_13(X) VNN_ROWS_12(X) X(12)
#define VNN_ROWS_14(X) VNN_ROWS_13(X) X(13)

/* X(mr, nr, isa) for mr = 1..n: declarations and table fills. */
#define VNN_MRS_4(X, nr, isa) X(1, nr, isa) X(2, nr, isa) X(3, nr, isa) X(4, nr, isa)
#define VNN_MRS_6(X, nr, isa) VNN_MRS_4(X, nr, isa) X(5, nr, isa) X(6, nr, isa)
#define VNN_MRS_7(X, nr, isa) VNN_MRS_6(X, nr, isa) X(7, nr, isa)
#define VNN_MRS_8(X, nr, isa) VNN_MRS_7(X, nr, isa) X(8, nr, isa)
#define VNN_MRS_14(X, nr, isa)                                                          \
    VNN_MRS_8(X, nr, isa) X(9, nr, isa) X(10, nr, isa) X(11, nr, isa) X(12, nr, isa)    \
    X(13, nr, isa) X(14, nr, isa)

#endif
