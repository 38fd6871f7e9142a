/* Internal: the LSTM plan (weights packed once) and the layer loop. The
 * public entry points (lstm.c) validate everything before calling in. */
#ifndef VNN_LSTM_DRIVER_H
#define VNN_LSTM_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "kernels/gemm/gemm-config.h"
#include "kernels/lstm/lstm-config.h"
#include "vnn/lstm.h"

struct vnn_lstm_plan {
    size_t I, H, D;
    struct vnn_gemm_config gemm; /* the kernels the packing below is for */
    struct vnn_lstm_config lstm;
    size_t blocks;               /* ceil(H / lstm.block) */
    float *wih[2];               /* W_ih^T prepacked for the GEMM: K = I, N = 4H */
    float *whh[2];               /* W_hh^T prepacked for the GEMM: K = H, N = 4H;
                                  * NULL where no run can read it (lstm-plan.c) */
    float *wcat[2];              /* [W_ih | W_hh]^T prepacked (K = I + H, N = 4H)
                                  * when small enough to stay in L2, else NULL */
    float *whh_fused[2];         /* W_hh for the fused kernel: [block][H][4][V] */
    float *bias[2];              /* b_ih + b_hh (4H), or NULL when both are NULL */
};

/* One validated run over directions [d0, d1) of the plan. */
struct vnn_lstm_run {
    size_t T, N;
    bool batch_first;
    size_t d0, d1;
    const float *x;
    const int64_t *lengths; /* NULL: all T */
    const float *h0, *c0;   /* [d1 - d0][N][H] or NULL */
    float *y;               /* [.][.][(d1 - d0) * H] or NULL */
    float *hn, *cn;         /* [d1 - d0][N][H] or NULL */
};

/* Tests only: 0, 1, 2 force the fused, split or concat recurrence (see
 * lstm-driver.c; split and concat only where the plan packed their weights,
 * and a plan built while split is forced packs them); -1 (default) lets
 * the driver choose. Not thread-safe; not exported. */
extern int vnn_lstm_force_mode;

/* Whether a run may take the split recurrence, the only reader of whh,
 * given whether the plan packs wcat. */
bool vnn_lstm_split_possible(bool concat_packed);

vnn_status vnn_lstm_plan_build(struct vnn_lstm_plan *p, const vnn_lstm_weights *w);
void vnn_lstm_plan_free(struct vnn_lstm_plan *p);

/* VNN_OK or VNN_ERR_OUT_OF_MEMORY (then nothing was written). */
vnn_status vnn_lstm_execute(const struct vnn_lstm_plan *p, const struct vnn_lstm_run *r);

#endif
