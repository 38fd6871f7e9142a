/* The row path (attention-rows.inc) compiled with the neon flags. */
#define VNN_ROWS_SCORES vnn_attention_ukernel_rows_scores__neon
#define VNN_ROWS_ACCUMULATE vnn_attention_ukernel_rows_accumulate__neon
#include "kernels/attention/attention-rows.inc"
