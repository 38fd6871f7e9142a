/* The row path (attention-rows.inc) compiled with the avx2 flags. */
#define VNN_ROWS_SCORES vnn_attention_ukernel_rows_scores__avx2
#define VNN_ROWS_ACCUMULATE vnn_attention_ukernel_rows_accumulate__avx2
#include "kernels/attention/attention-rows.inc"
