#include "lstm-reference.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef VT_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>

const char *lstm_ref_name(void) { return "oneDNN lstm_forward"; }

#include "vt-dnnl.h"

static dnnl_engine_t engine;
static dnnl_stream_t stream;

int lstm_ref(int64_t T, int64_t N, int64_t I, int64_t H, int D, const float *x,
             const float *h0, const float *c0, const float *wl, const float *wi,
             const float *bias, float *y, float *hn, float *cn)
{
    int rc = 1;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t prim = NULL;
    enum { SRC, SI, SIC, WL, WI, B, DST, DI, DIC, NMEM };
    dnnl_memory_t m[NMEM] = {0};
    float *zeros = calloc((size_t)(D * N * H), sizeof(float));
    if (!zeros)
        return 1;
    VT_DNNL_TRY(vt_dnnl_get(&engine, &stream));
    dnnl_memory_desc_t md[NMEM];
    dnnl_dims_t src = {T, N, I}, st = {1, D, N, H}, w_l = {1, D, I, 4, H};
    dnnl_dims_t w_i = {1, D, H, 4, H}, b = {1, D, 4, H}, dst = {T, N, D * H};
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[SRC], 3, src, dnnl_f32, dnnl_tnc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[SI], 4, st, dnnl_f32, dnnl_ldnc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[SIC], 4, st, dnnl_f32, dnnl_ldnc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[WL], 5, w_l, dnnl_f32, dnnl_ldigo));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[WI], 5, w_i, dnnl_f32, dnnl_ldigo));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[B], 4, b, dnnl_f32, dnnl_ldgo));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[DST], 3, dst, dnnl_f32, dnnl_tnc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[DI], 4, st, dnnl_f32, dnnl_ldnc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&md[DIC], 4, st, dnnl_f32, dnnl_ldnc));
    dnnl_rnn_desc_t desc;
    VT_DNNL_TRY(dnnl_lstm_forward_desc_init(
        &desc, dnnl_forward_inference,
        D == 2 ? dnnl_bidirectional_concat : dnnl_unidirectional_left2right, &md[SRC],
        &md[SI], &md[SIC], &md[WL], &md[WI], &md[B], &md[DST], &md[DI], &md[DIC], 0));
    VT_DNNL_TRY(dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL));
    VT_DNNL_TRY(dnnl_primitive_create(&prim, pd));
    void *ptrs[NMEM] = {(void *)x, (void *)(h0 ? h0 : zeros), (void *)(c0 ? c0 : zeros),
                        (void *)wl, (void *)wi, (void *)bias, y, hn, cn};
    for (int i = 0; i < NMEM; i++)
        VT_DNNL_TRY(dnnl_memory_create(&m[i], &md[i], engine, ptrs[i]));
    dnnl_exec_arg_t args[] = {
        {DNNL_ARG_SRC_LAYER, m[SRC]},     {DNNL_ARG_SRC_ITER, m[SI]},
        {DNNL_ARG_SRC_ITER_C, m[SIC]},    {DNNL_ARG_WEIGHTS_LAYER, m[WL]},
        {DNNL_ARG_WEIGHTS_ITER, m[WI]},   {DNNL_ARG_BIAS, m[B]},
        {DNNL_ARG_DST_LAYER, m[DST]},     {DNNL_ARG_DST_ITER, m[DI]},
        {DNNL_ARG_DST_ITER_C, m[DIC]},
    };
    VT_DNNL_TRY(dnnl_primitive_execute(prim, stream, (int)(sizeof args / sizeof args[0]), args));
    VT_DNNL_TRY(dnnl_stream_wait(stream));
    rc = 0;
out:
    for (int i = 0; i < NMEM; i++)
        if (m[i])
            dnnl_memory_destroy(m[i]);
    if (prim)
        dnnl_primitive_destroy(prim);
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    free(zeros);
    return rc;
}

#else

const char *lstm_ref_name(void) { return "double-precision loop nest (no oneDNN)"; }

static double sigm(double v) { return 1.0 / (1.0 + exp(-v)); }

int lstm_ref(int64_t T, int64_t N, int64_t I, int64_t H, int D, const float *x,
             const float *h0, const float *c0, const float *wl, const float *wi,
             const float *bias, float *y, float *hn, float *cn)
{
    double *h = malloc((size_t)(2 * H) * sizeof *h), *gates = malloc((size_t)(4 * H) * sizeof *gates);
    if (!h || !gates) {
        free(h);
        free(gates);
        return 1;
    }
    double *c = h + H;
    for (int d = 0; d < D; d++) {
        const float *WL = wl + (size_t)d * I * 4 * H, *WI = wi + (size_t)d * H * 4 * H;
        const float *BB = bias + (size_t)d * 4 * H;
        for (int64_t n = 0; n < N; n++) {
            for (int64_t j = 0; j < H; j++) {
                h[j] = h0 ? h0[(d * N + n) * H + j] : 0.0;
                c[j] = c0 ? c0[(d * N + n) * H + j] : 0.0;
            }
            for (int64_t s = 0; s < T; s++) {
                int64_t t = d == 1 ? T - 1 - s : s;
                const float *xr = x + (t * N + n) * I;
                for (int64_t q = 0; q < 4 * H; q++) {
                    double v = BB[q];
                    for (int64_t k = 0; k < I; k++)
                        v += (double)xr[k] * WL[k * 4 * H + q];
                    for (int64_t k = 0; k < H; k++)
                        v += h[k] * WI[k * 4 * H + q];
                    gates[q] = v;
                }
                for (int64_t j = 0; j < H; j++) {
                    c[j] = sigm(gates[H + j]) * c[j] + sigm(gates[j]) * tanh(gates[2 * H + j]);
                    h[j] = sigm(gates[3 * H + j]) * tanh(c[j]);
                    y[(t * N + n) * D * H + d * H + j] = (float)h[j];
                }
            }
            for (int64_t j = 0; j < H; j++) {
                hn[(d * N + n) * H + j] = (float)h[j];
                cn[(d * N + n) * H + j] = (float)c[j];
            }
        }
    }
    free(h);
    free(gates);
    return 0;
}

#endif
