/* Building an LSTM plan: every weight matrix packed once, in each form a
 * run may read (lstm-driver.c picks the recurrence by batch and weight
 * size), and only those. */
#include <string.h>

#include "kernels/common/memory.h"
#include "kernels/gemm/gemm-driver.h"
#include "kernels/lstm/lstm-driver.h"

/* Weights up to this size run as one GEMM per step over [x_t | h]: they
 * stay in L2 from step to step, and no T x N x 4H projection buffer
 * streams through memory. Larger ones project every step's input at once
 * (one big efficient GEMM) and multiply only W_hh per step. */
#define CONCAT_MAX_BYTES (512u * 1024u)

void vnn_lstm_plan_free(struct vnn_lstm_plan *p)
{
    for (int d = 0; d < 2; d++) {
        vnn_aligned_free(p->wih[d]);
        vnn_aligned_free(p->whh[d]);
        vnn_aligned_free(p->whh_fused[d]);
        vnn_aligned_free(p->wcat[d]);
        vnn_aligned_free(p->bias[d]);
        p->wih[d] = p->whh[d] = p->whh_fused[d] = p->wcat[d] = p->bias[d] = NULL;
    }
}

static float *alloc_floats(size_t n)
{
    size_t bytes;
    return vnn_mul_size(n, sizeof(float), &bytes) ? vnn_aligned_alloc(bytes) : NULL;
}

/* [block][k][gate][v] = W_hh[gate * H + block * V + v][k], zero past H. */
static void pack_fused(size_t H, size_t V, size_t blocks, const float *w_hh, float *dst)
{
    for (size_t b = 0; b < blocks; b++)
        for (size_t k = 0; k < H; k++)
            for (size_t g = 0; g < 4; g++)
                for (size_t v = 0; v < V; v++) {
                    size_t j = b * V + v;
                    *dst++ = j < H ? w_hh[(g * H + j) * H + k] : 0.0f;
                }
}

/* [W_ih | W_hh]^T packed as one GEMM operand, for the per-step GEMM over
 * [x_t | h] (MODE_CONCAT in lstm-driver.c). */
static vnn_status pack_concat(struct vnn_lstm_plan *p, size_t d, const vnn_lstm_weights *w,
                              size_t floats)
{
    const size_t I = p->I, H = p->H, K = I + H, G = 4 * H;
    float *tmp = alloc_floats(G * K);
    p->wcat[d] = alloc_floats(floats);
    if (!tmp || !p->wcat[d]) {
        vnn_aligned_free(tmp);
        return VNN_ERR_OUT_OF_MEMORY;
    }
    for (size_t j = 0; j < G; j++) {
        memcpy(tmp + j * K, w->w_ih + j * I, I * sizeof(float));
        memcpy(tmp + j * K + I, w->w_hh + j * H, H * sizeof(float));
    }
    vnn_gemm_prepack_b(&p->gemm, VNN_TRANS, K, G, tmp, K, p->wcat[d]);
    vnn_aligned_free(tmp);
    return VNN_OK;
}

vnn_status vnn_lstm_plan_build(struct vnn_lstm_plan *p, const vnn_lstm_weights *w)
{
    const size_t I = p->I, H = p->H, G = 4 * H, V = (size_t)p->lstm.block;
    size_t ih_floats, hh_floats, fused_floats, cat_floats, cat_bytes;
    p->blocks = (H + V - 1) / V;
    if (!vnn_gemm_prepacked_size(&p->gemm, I, G, &ih_floats) ||
        !vnn_gemm_prepacked_size(&p->gemm, H, G, &hh_floats) ||
        !vnn_mul_size(p->blocks * V * 4, H, &fused_floats) ||
        !vnn_gemm_prepacked_size(&p->gemm, I + H, G, &cat_floats) ||
        !vnn_mul_size(cat_floats, sizeof(float), &cat_bytes))
        return VNN_ERR_OUT_OF_MEMORY;
    /* W_hh alone for the GEMM only where the split recurrence can run: with
     * [W_ih | W_hh] packed, large batches take concat, small ones fused. */
    const bool concat = cat_bytes <= CONCAT_MAX_BYTES, split = vnn_lstm_split_possible(concat);
    for (size_t d = 0; d < p->D; d++) {
        p->wih[d] = alloc_floats(ih_floats);
        p->whh[d] = split ? alloc_floats(hh_floats) : NULL;
        p->whh_fused[d] = alloc_floats(fused_floats);
        if (!p->wih[d] || (split && !p->whh[d]) || !p->whh_fused[d])
            return VNN_ERR_OUT_OF_MEMORY;
        /* gates = x * W_ih^T: B is W_ih transposed ([4H][I] read as K x N). */
        vnn_gemm_prepack_b(&p->gemm, VNN_TRANS, I, G, w[d].w_ih, I, p->wih[d]);
        if (split)
            vnn_gemm_prepack_b(&p->gemm, VNN_TRANS, H, G, w[d].w_hh, H, p->whh[d]);
        pack_fused(H, V, p->blocks, w[d].w_hh, p->whh_fused[d]);
        if (concat && pack_concat(p, d, &w[d], cat_floats) != VNN_OK)
            return VNN_ERR_OUT_OF_MEMORY;
        if (w[d].b_ih || w[d].b_hh) {
            if (!(p->bias[d] = alloc_floats(G)))
                return VNN_ERR_OUT_OF_MEMORY;
            for (size_t j = 0; j < G; j++)
                p->bias[d][j] = (w[d].b_ih ? w[d].b_ih[j] : 0.0f) +
                                (w[d].b_hh ? w[d].b_hh[j] : 0.0f);
        }
    }
    return VNN_OK;
}
