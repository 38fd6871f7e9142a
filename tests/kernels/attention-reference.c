#include "attention-reference.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef VT_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

/* Whether key j is visible to query i of batch n (vnn/attention.h). */
static bool visible(const vnn_attention_params *p, int64_t n, int64_t i, int64_t j)
{
    if (p->key_lengths && j >= p->key_lengths[n])
        return false;
    return !p->causal || j <= i + p->Sk - p->Sq;
}

static float mask_at(const vnn_attention_params *p, int64_t n, int64_t h, int64_t i, int64_t j)
{
    if (!p->mask)
        return 0.0f;
    return p->mask[n * p->mask_stride_n + h * p->mask_stride_h + i * p->mask_stride_q + j];
}

static float scale_of(const vnn_attention_params *p)
{
    return p->scale != 0.0f ? p->scale : (float)(1.0 / sqrt((double)p->D));
}

/* Scores of row (n, h, i) after masking: -inf where hidden. Returns whether
 * any key is left (a finite max). */
static bool mask_row(const vnn_attention_params *p, int64_t n, int64_t h, int64_t i, float *s)
{
    float mx = -INFINITY;
    for (int64_t j = 0; j < p->Sk; j++) {
        s[j] = visible(p, n, i, j) ? s[j] + mask_at(p, n, h, i, j) : -INFINITY;
        mx = s[j] > mx ? s[j] : mx;
    }
    return mx != -INFINITY;
}

#ifdef VT_HAVE_DNNL

const char *attn_ref_name(void) { return "oneDNN matmul + softmax + matmul"; }

#include "vt-dnnl.h"

static dnnl_engine_t engine;
static dnnl_stream_t stream;

/* One primitive run: args are (arg id, desc, pointer) triples. */
static int run(dnnl_primitive_desc_t pd, int nargs, const int *ids,
               const dnnl_memory_desc_t *const *mds, void *const *ptrs)
{
    int rc = 1;
    dnnl_primitive_t prim = NULL;
    dnnl_memory_t mem[4] = {NULL, NULL, NULL, NULL};
    dnnl_exec_arg_t args[4];
    VT_DNNL_TRY(dnnl_primitive_create(&prim, pd));
    for (int a = 0; a < nargs; a++) {
        VT_DNNL_TRY(dnnl_memory_create(&mem[a], mds[a], engine, ptrs[a]));
        args[a] = (dnnl_exec_arg_t){ids[a], mem[a]};
    }
    VT_DNNL_TRY(dnnl_primitive_execute(prim, stream, nargs, args));
    VT_DNNL_TRY(dnnl_stream_wait(stream));
    rc = 0;
out:
    for (int a = 0; a < 4; a++)
        dnnl_memory_destroy(mem[a]);
    dnnl_primitive_destroy(prim);
    return rc;
}

/* c [B][M][N] = alpha * a [B][M][K] * b, b [B][K][N] given transposed
 * (stored [B][N][K]) when b_trans. */
static int matmul(int64_t B, int64_t M, int64_t N, int64_t K, const float *a, const float *b,
                  bool b_trans, float alpha, float *c)
{
    int rc = 1;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_desc_t ad, bd, cd;
    dnnl_dims_t adims = {B, M, K}, bdims = {B, K, N}, cdims = {B, M, N};
    dnnl_dims_t bstr_t = {N * K, 1, K};
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&ad, 3, adims, dnnl_f32, dnnl_abc));
    if (b_trans)
        VT_DNNL_TRY(dnnl_memory_desc_init_by_strides(&bd, 3, bdims, dnnl_f32, bstr_t));
    else
        VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&bd, 3, bdims, dnnl_f32, dnnl_abc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&cd, 3, cdims, dnnl_f32, dnnl_abc));
    dnnl_matmul_desc_t md;
    VT_DNNL_TRY(dnnl_matmul_desc_init(&md, &ad, &bd, NULL, &cd));
    VT_DNNL_TRY(dnnl_primitive_attr_create(&attr));
    VT_DNNL_TRY(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha));
    VT_DNNL_TRY(dnnl_primitive_desc_create(&pd, &md, attr, engine, NULL));
    {
        int ids[3] = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
        const dnnl_memory_desc_t *mds[3] = {&ad, &bd, &cd};
        void *ptrs[3] = {(void *)a, (void *)b, c};
        rc = run(pd, 3, ids, mds, ptrs);
    }
out:
    dnnl_primitive_desc_destroy(pd);
    dnnl_primitive_attr_destroy(attr);
    return rc;
}

/* Row-wise softmax of x [rows][cols], in place. */
static int softmax(int64_t rows, int64_t cols, float *x)
{
    int rc = 1;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_desc_t d;
    dnnl_dims_t dims = {rows, cols};
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&d, 2, dims, dnnl_f32, dnnl_ab));
    dnnl_softmax_desc_t sd;
    VT_DNNL_TRY(dnnl_softmax_forward_desc_init(&sd, dnnl_forward_inference, &d, 1));
    VT_DNNL_TRY(dnnl_primitive_desc_create(&pd, &sd, NULL, engine, NULL));
    {
        int ids[2] = {DNNL_ARG_SRC, DNNL_ARG_DST};
        const dnnl_memory_desc_t *mds[2] = {&d, &d};
        void *ptrs[2] = {x, x};
        rc = run(pd, 2, ids, mds, ptrs);
    }
out:
    dnnl_primitive_desc_destroy(pd);
    return rc;
}

int attn_ref(const vnn_attention_params *p, const float *q, const float *k, const float *v,
             float *out)
{
    if (vt_dnnl_get(&engine, &stream) != dnnl_success)
        return 1;
    const int64_t N = p->N, Sq = p->Sq, Sk = p->Sk, Hq = p->Hq, Hkv = p->Hkv, D = p->D;
    const int64_t G = Hq / Hkv, B = N * Hq;
    /* Head-major copies [N][Hq][S][D], K and V repeated over the group. */
    float *qd = malloc((size_t)(B * Sq * D) * sizeof(float));
    float *kd = malloc((size_t)(B * Sk * D) * sizeof(float));
    float *vd = malloc((size_t)(B * Sk * D) * sizeof(float));
    float *s = malloc((size_t)(B * Sq * Sk) * sizeof(float));
    float *od = malloc((size_t)(B * Sq * D) * sizeof(float));
    bool *empty = malloc((size_t)(B * Sq) * sizeof(bool));
    int rc = 1;
    if (!qd || !kd || !vd || !s || !od || !empty)
        goto done;
    for (int64_t n = 0; n < N; n++)
        for (int64_t h = 0; h < Hq; h++) {
            for (int64_t i = 0; i < Sq; i++)
                memcpy(qd + ((n * Hq + h) * Sq + i) * D, q + ((n * Sq + i) * Hq + h) * D,
                       (size_t)D * sizeof(float));
            for (int64_t j = 0; j < Sk; j++) {
                size_t src = (size_t)(((n * Sk + j) * Hkv + h / G) * D);
                memcpy(kd + ((n * Hq + h) * Sk + j) * D, k + src, (size_t)D * sizeof(float));
                memcpy(vd + ((n * Hq + h) * Sk + j) * D, v + src, (size_t)D * sizeof(float));
            }
        }
    if (matmul(B, Sq, Sk, D, qd, kd, true, scale_of(p), s))
        goto done;
    /* Masks in plain C; a row with nothing visible would be NaN in the
     * softmax, so it is zeroed there and its output set to 0 (vnn's rule). */
    for (int64_t n = 0; n < N; n++)
        for (int64_t h = 0; h < Hq; h++)
            for (int64_t i = 0; i < Sq; i++) {
                int64_t row = (n * Hq + h) * Sq + i;
                empty[row] = !mask_row(p, n, h, i, s + row * Sk);
                if (empty[row])
                    memset(s + row * Sk, 0, (size_t)Sk * sizeof(float));
            }
    if (softmax(B * Sq, Sk, s) || matmul(B, Sq, D, Sk, s, vd, false, 1.0f, od))
        goto done;
    for (int64_t n = 0; n < N; n++)
        for (int64_t h = 0; h < Hq; h++)
            for (int64_t i = 0; i < Sq; i++) {
                int64_t row = (n * Hq + h) * Sq + i;
                float *dst = out + ((n * Sq + i) * Hq + h) * D;
                if (empty[row])
                    memset(dst, 0, (size_t)D * sizeof(float));
                else
                    memcpy(dst, od + row * D, (size_t)D * sizeof(float));
            }
    rc = 0;
done:
    free(qd);
    free(kd);
    free(vd);
    free(s);
    free(od);
    free(empty);
    return rc;
}

#else

const char *attn_ref_name(void) { return "plain loops in double"; }

int attn_ref(const vnn_attention_params *p, const float *q, const float *k, const float *v,
             float *out)
{
    const int64_t Sq = p->Sq, Sk = p->Sk, Hq = p->Hq, Hkv = p->Hkv, D = p->D, G = Hq / Hkv;
    float *s = malloc((size_t)Sk * sizeof(float));
    double *acc = malloc((size_t)D * sizeof(double));
    if (!s || !acc) {
        free(s);
        free(acc);
        return 1;
    }
    const double scale = scale_of(p);
    for (int64_t n = 0; n < p->N; n++)
        for (int64_t h = 0; h < Hq; h++)
            for (int64_t i = 0; i < Sq; i++) {
                const float *qr = q + ((n * Sq + i) * Hq + h) * D;
                for (int64_t j = 0; j < Sk; j++) {
                    const float *kr = k + ((n * Sk + j) * Hkv + h / G) * D;
                    double dot = 0.0;
                    for (int64_t d = 0; d < D; d++)
                        dot += (double)qr[d] * kr[d];
                    s[j] = (float)(dot * scale);
                }
                float *dst = out + ((n * Sq + i) * Hq + h) * D;
                if (!mask_row(p, n, h, i, s)) {
                    memset(dst, 0, (size_t)D * sizeof(float));
                    continue;
                }
                double mx = -INFINITY, sum = 0.0;
                for (int64_t j = 0; j < Sk; j++)
                    mx = s[j] > mx ? s[j] : mx;
                for (int64_t d = 0; d < D; d++)
                    acc[d] = 0.0;
                for (int64_t j = 0; j < Sk; j++) {
                    double e = exp((double)s[j] - mx);
                    sum += e;
                    const float *vr = v + ((n * Sk + j) * Hkv + h / G) * D;
                    for (int64_t d = 0; d < D; d++)
                        acc[d] += e * vr[d];
                }
                for (int64_t d = 0; d < D; d++)
                    dst[d] = (float)(acc[d] / sum);
            }
    free(s);
    free(acc);
    return 0;
}

#endif
