/* The row path (attention-rows.inc) for the scalar table: baseline flags only. */
#define VNN_ROWS_SCORES vnn_attention_ukernel_rows_scores__scalar
#define VNN_ROWS_ACCUMULATE vnn_attention_ukernel_rows_accumulate__scalar
#include "kernels/attention/attention-rows.inc"
