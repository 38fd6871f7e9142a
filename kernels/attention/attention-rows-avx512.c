/* The row path (attention-rows.inc) compiled with the avx512 flags. */
#define VNN_ROWS_SCORES vnn_attention_ukernel_rows_scores__avx512
#define VNN_ROWS_ACCUMULATE vnn_attention_ukernel_rows_accumulate__avx512
#include "kernels/attention/attention-rows.inc"
