/* ONNX nodes on vnn's kernels (see onnx-ops.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/onnx/onnx-ops.h"
#include "vnn/vnn.h"

typedef struct onnx_value val;

static const char *const listed_ops[] = {
    "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm",
    "MatMul", "LSTM", "Softmax", "LogSoftmax", "LayerNormalization", "Relu", "Sigmoid",
    "Tanh", "Gelu", "Add", "Gather", "Flatten", "Reshape", "Transpose", "Concat",
};

/* Shape plumbing exporters emit around the listed ops (PyTorch's LSTM
 * export builds its zero initial states from Shape, Gather, Unsqueeze,
 * Concat, Expand); computed here, run in whole graphs, not counted in the
 * node conformance. */
static const char *const plumbing_ops[] = {
    "Constant", "Cast", "Shape", "Unsqueeze", "Squeeze", "Expand",
};

static bool is_plumbing(const char *op_type)
{
    for (size_t k = 0; k < sizeof plumbing_ops / sizeof *plumbing_ops; k++)
        if (strcmp(op_type, plumbing_ops[k]) == 0)
            return true;
    return false;
}

bool onnx_op_listed(const char *op_type)
{
    for (size_t k = 0; k < sizeof listed_ops / sizeof *listed_ops; k++)
        if (strcmp(op_type, listed_ops[k]) == 0)
            return true;
    return false;
}

void onnx_value_free(val *v)
{
    if (!v)
        return;
    free(v->f);
    free(v->i);
    memset(v, 0, sizeof *v);
}

/* The reason for UNSUPPORTED or ERROR, returned as r. */
static enum onnx_run say(enum onnx_run r, char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static enum onnx_run say(enum onnx_run r, char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return r;
}
#define UNSUP(...) say(ONNX_RUN_UNSUPPORTED, why, why_len, __VA_ARGS__)
#define FAIL(...) say(ONNX_RUN_ERROR, why, why_len, __VA_ARGS__)
/* A vnn call that must succeed: its error becomes the node's. */
#define VNN(call)                                                                        \
    do {                                                                                 \
        vnn_status st_ = (call);                                                         \
        if (st_ != VNN_OK)                                                               \
            return FAIL("%s: %s", vnn_status_str(st_), vnn_last_error());              \
    } while (0)

static bool make(val *v, int dtype, int ndim, const int64_t *dims)
{
    memset(v, 0, sizeof *v);
    if (ndim < 0 || ndim > VNN_ONNX_MAX_DIMS)
        return false;
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) {
        if (dims[d] < 0 || (dims[d] > 0 && n > ((int64_t)1 << 40) / dims[d]))
            return false;
        v->dims[d] = dims[d];
        n *= dims[d];
    }
    v->dtype = dtype;
    v->ndim = ndim;
    v->count = n;
    size_t bytes = (size_t)(n ? n : 1) * 8;
    if (dtype == VNN_ONNX_FLOAT)
        v->f = calloc(1, bytes);
    else
        v->i = calloc(1, bytes);
    return v->f || v->i;
}
#define MAKE(v, dtype, ndim, dims)                                                       \
    do {                                                                                 \
        if (!make(v, dtype, ndim, dims))                                                 \
            return FAIL("cannot allocate the output");                                   \
    } while (0)

/* --- attributes ------------------------------------------------------------------ */

static int64_t attr_int(const struct vnn_onnx_node *n, const char *name, int64_t def)
{
    const struct vnn_onnx_attr *a = vnn_onnx_attr_find(n, name);
    return a && a->type == VNN_ONNX_ATTR_INT ? a->i : def;
}

static float attr_float(const struct vnn_onnx_node *n, const char *name, float def)
{
    const struct vnn_onnx_attr *a = vnn_onnx_attr_find(n, name);
    return a && a->type == VNN_ONNX_ATTR_FLOAT ? a->f : def;
}

static const char *attr_str(const struct vnn_onnx_node *n, const char *name, const char *def)
{
    const struct vnn_onnx_attr *a = vnn_onnx_attr_find(n, name);
    return a && a->type == VNN_ONNX_ATTR_STRING ? a->s : def;
}

/* INTS attribute: count in *len, NULL if absent. */
static const int64_t *attr_ints(const struct vnn_onnx_node *n, const char *name, size_t *len)
{
    const struct vnn_onnx_attr *a = vnn_onnx_attr_find(n, name);
    *len = 0;
    if (!a || a->type != VNN_ONNX_ATTR_INTS)
        return NULL;
    *len = a->n;
    return a->ints;
}

static int64_t prod(const int64_t *d, int from, int to)
{
    int64_t p = 1;
    for (int k = from; k < to; k++)
        p *= d[k];
    return p;
}

/* --- data movement ------------------------------------------------------------------ */

/* dst = src with its axes permuted: dst dim k is src dim perm[k]. es bytes per element. */
static void permute(const void *src, int ndim, const int64_t *dims, const int *perm, size_t es,
                    void *dst)
{
    int64_t stride[VNN_ONNX_MAX_DIMS], odims[VNN_ONNX_MAX_DIMS], idx[VNN_ONNX_MAX_DIMS] = {0};
    int64_t s = 1, total = 1;
    for (int k = ndim - 1; k >= 0; k--) {
        stride[k] = s;
        s *= dims[k];
    }
    for (int k = 0; k < ndim; k++) {
        odims[k] = dims[perm[k]];
        total *= odims[k];
    }
    for (int64_t o = 0; o < total; o++) {
        int64_t off = 0;
        for (int k = 0; k < ndim; k++)
            off += idx[k] * stride[perm[k]];
        memcpy((char *)dst + o * es, (const char *)src + off * es, es);
        for (int k = ndim - 1; k >= 0 && ++idx[k] == odims[k]; k--)
            idx[k] = 0;
    }
}

/* NCHW [N][C][S] <-> NHWC [N][S][C] (S: the spatial size). */
static void nchw_to_nhwc(const float *x, int64_t N, int64_t C, int64_t S, float *y)
{
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t s = 0; s < S; s++)
                y[(n * S + s) * C + c] = x[(n * C + c) * S + s];
}

static void nhwc_to_nchw(const float *x, int64_t N, int64_t C, int64_t S, float *y)
{
    for (int64_t n = 0; n < N; n++)
        for (int64_t s = 0; s < S; s++)
            for (int64_t c = 0; c < C; c++)
                y[(n * C + c) * S + s] = x[(n * S + s) * C + c];
}

/* src broadcast (numpy rules, right-aligned) to ndim/dims into dst (floats). */
static void broadcast(const val *src, int ndim, const int64_t *dims, float *dst)
{
    int64_t sstride[VNN_ONNX_MAX_DIMS] = {0}, idx[VNN_ONNX_MAX_DIMS] = {0};
    int64_t s = 1;
    for (int k = ndim - 1, j = src->ndim - 1; k >= 0; k--, j--) {
        if (j >= 0) {
            sstride[k] = src->dims[j] == 1 ? 0 : s;
            s *= src->dims[j];
        }
    }
    int64_t total = prod(dims, 0, ndim);
    for (int64_t o = 0; o < total; o++) {
        int64_t off = 0;
        for (int k = 0; k < ndim; k++)
            off += idx[k] * sstride[k];
        dst[o] = src->f[off];
        for (int k = ndim - 1; k >= 0 && ++idx[k] == dims[k]; k--)
            idx[k] = 0;
    }
}

/* The numpy broadcast shape of a and b, false if incompatible. */
static bool broadcast_shape(const val *a, const val *b, int *ndim, int64_t *dims)
{
    int n = a->ndim > b->ndim ? a->ndim : b->ndim;
    for (int k = 0; k < n; k++) {
        int ia = a->ndim - n + k, ib = b->ndim - n + k;
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return false;
        dims[k] = da == 1 ? db : da;
    }
    *ndim = n;
    return true;
}

static bool same_shape(const val *a, int ndim, const int64_t *dims)
{
    if (a->ndim != ndim)
        return false;
    for (int k = 0; k < ndim; k++)
        if (a->dims[k] != dims[k])
            return false;
    return true;
}

static int64_t norm_axis(int64_t axis, int ndim) { return axis < 0 ? axis + ndim : axis; }

/* --- convolution and pooling ------------------------------------------------------ */

/* Spatial geometry shared by Conv and the pools: kernel, strides, dilations
 * and the begin/end paddings per spatial dim, auto_pad resolved. */
struct geom {
    int sp; /* spatial dims */
    int64_t in[3], k[3], s[3], d[3], pb[3], pe[3];
};

static enum onnx_run geometry(const struct vnn_onnx_node *n, const val *x, const int64_t *kdims,
                              struct geom *g, char *why, size_t why_len)
{
    g->sp = x->ndim - 2;
    size_t nk, ns, nd, np;
    const int64_t *ks = attr_ints(n, "kernel_shape", &nk), *st = attr_ints(n, "strides", &ns),
                  *dl = attr_ints(n, "dilations", &nd), *pd = attr_ints(n, "pads", &np);
    if ((ks && nk != (size_t)g->sp) || (st && ns != (size_t)g->sp) ||
        (dl && nd != (size_t)g->sp) || (pd && np != 2 * (size_t)g->sp))
        return FAIL("kernel_shape, strides, dilations or pads do not match the input's rank");
    if (!ks && !kdims)
        return FAIL("no kernel_shape");
    const char *auto_pad = attr_str(n, "auto_pad", "NOTSET");
    for (int k = 0; k < g->sp; k++) {
        g->in[k] = x->dims[2 + k];
        g->k[k] = ks ? ks[k] : kdims[k];
        g->s[k] = st ? st[k] : 1;
        g->d[k] = dl ? dl[k] : 1;
        g->pb[k] = pd ? pd[k] : 0;
        g->pe[k] = pd ? pd[g->sp + k] : 0;
        if (g->k[k] < 1 || g->s[k] < 1 || g->d[k] < 1 || g->pb[k] < 0 || g->pe[k] < 0)
            return FAIL("kernel, stride, dilation or padding out of range");
        if (strcmp(auto_pad, "VALID") == 0) {
            g->pb[k] = g->pe[k] = 0;
        } else if (strcmp(auto_pad, "SAME_UPPER") == 0 || strcmp(auto_pad, "SAME_LOWER") == 0) {
            int64_t out = (g->in[k] + g->s[k] - 1) / g->s[k];
            int64_t ext = (g->k[k] - 1) * g->d[k] + 1;
            int64_t total = (out - 1) * g->s[k] + ext - g->in[k];
            if (total < 0)
                total = 0;
            int64_t small = total / 2, big = total - small;
            bool upper = auto_pad[5] == 'U';
            g->pb[k] = upper ? small : big; /* SAME_UPPER: the extra one at the end */
            g->pe[k] = upper ? big : small;
        } else if (strcmp(auto_pad, "NOTSET") != 0) {
            return FAIL("auto_pad '%s'", auto_pad);
        }
    }
    return ONNX_RUN_OK;
}

/* 3-D convolution as a sum of 2-D ones: output depth slice od is the sum
 * over the depth taps kd (input slice od * sd - pad + kd * dd, when inside)
 * of vnn_conv2d of that slice with the weights' kd slice, plus the bias. */
static enum onnx_run conv3d(const struct geom *g, int64_t groups, const val *x, const val *w,
                            const val *b, val *out, char *why, size_t why_len)
{
    int64_t N = x->dims[0], C = x->dims[1], M = w->dims[0], Cg = w->dims[1];
    int64_t D = g->in[0], H = g->in[1], W = g->in[2], KD = g->k[0], KH = g->k[1], KW = g->k[2];
    vnn_conv2d_desc d = {
        .N = 1, .H = H, .W = W, .C_in = C, .C_out = M, .kernel_h = KH, .kernel_w = KW,
        .stride_h = g->s[1], .stride_w = g->s[2], .dilation_h = g->d[1], .dilation_w = g->d[2],
        .pad_top = g->pb[1], .pad_bottom = g->pe[1], .pad_left = g->pb[2],
        .pad_right = g->pe[2], .groups = groups,
    };
    int64_t ed = (KD - 1) * g->d[0] + 1, OH, OW;
    if (d.pad_top >= (KH - 1) * d.dilation_h + 1 || d.pad_bottom >= (KH - 1) * d.dilation_h + 1 ||
        d.pad_left >= (KW - 1) * d.dilation_w + 1 || d.pad_right >= (KW - 1) * d.dilation_w + 1)
        return UNSUP("a padding as large as the kernel's extent (vnn_conv2d needs pad < extent)");
    VNN(vnn_conv2d_output_size(&d, &OH, &OW));
    if (D + g->pb[0] + g->pe[0] < ed)
        return FAIL("depth smaller than the kernel");
    int64_t OD = (D + g->pb[0] + g->pe[0] - ed) / g->s[0] + 1;
    int64_t odims[5] = {N, M, OD, OH, OW}, plane = OH * OW * M, img = H * W * C;
    MAKE(&out[0], VNN_ONNX_FLOAT, 5, odims);
    float *xn = malloc((size_t)x->count * 4 + 4), *acc = malloc((size_t)(N * OD * plane) * 4 + 4);
    float *tmp = malloc((size_t)plane * 4 + 4), *bias = calloc((size_t)plane + 1, 4);
    float *oihw = malloc((size_t)(M * Cg * KH * KW) * 4 + 4), *hwio = malloc((size_t)(M * Cg * KH * KW) * 4 + 4);
    vnn_conv2d_plan **plans = calloc((size_t)KD, sizeof *plans);
    vnn_status st = xn && acc && tmp && bias && oihw && hwio && plans ? VNN_OK
                                                                      : VNN_ERR_OUT_OF_MEMORY;
    if (st == VNN_OK) {
        nchw_to_nhwc(x->f, N, C, D * H * W, xn); /* [N][D][H][W][C] */
        for (int64_t q = 0; b && q < OH * OW; q++)
            memcpy(bias + q * M, b->f, (size_t)M * 4);
    }
    for (int64_t kd = 0; st == VNN_OK && kd < KD; kd++) {
        for (int64_t o = 0; o < M * Cg; o++) /* W[:, :, kd] as OIHW */
            memcpy(oihw + o * KH * KW, w->f + (o * KD + kd) * KH * KW, (size_t)(KH * KW) * 4);
        st = vnn_conv2d_weights_from_oihw(M, Cg, KH, KW, oihw, hwio);
        if (st == VNN_OK)
            st = vnn_conv2d_plan_create(&d, hwio, NULL, &plans[kd]);
    }
    for (int64_t nd = 0; st == VNN_OK && nd < N * OD; nd++) {
        int64_t nn = nd / OD, od = nd % OD;
        float *y = acc + nd * plane;
        memcpy(y, bias, (size_t)plane * 4);
        for (int64_t kd = 0; st == VNN_OK && kd < KD; kd++) {
            int64_t id = od * g->s[0] - g->pb[0] + kd * g->d[0];
            if (id < 0 || id >= D)
                continue; /* depth padding: zeros */
            st = vnn_conv2d_plan_run(plans[kd], xn + (nn * D + id) * img, tmp, NULL, 0);
            if (st == VNN_OK)
                st = vnn_add(plane, y, tmp, y);
        }
    }
    if (st == VNN_OK)
        nhwc_to_nchw(acc, N, M, OD * OH * OW, out[0].f);
    for (int64_t kd = 0; plans && kd < KD; kd++)
        vnn_conv2d_plan_destroy(plans[kd]);
    free(plans), free(xn), free(acc), free(tmp), free(bias), free(oihw), free(hwio);
    if (st != VNN_OK) {
        onnx_value_free(&out[0]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    return ONNX_RUN_OK;
}

static enum onnx_run op_conv(const struct vnn_onnx_node *n, const val *const *in, val *out,
                             char *why, size_t why_len)
{
    const val *x = in[0], *w = in[1], *b = in[2];
    if (x->ndim < 3 || x->ndim > 5)
        return FAIL("X has rank %d", x->ndim);
    if (w->ndim != x->ndim)
        return FAIL("W has rank %d, X %d", w->ndim, x->ndim);
    struct geom g;
    enum onnx_run r = geometry(n, x, w->dims + 2, &g, why, why_len);
    if (r != ONNX_RUN_OK)
        return r;
    int64_t groups = attr_int(n, "group", 1);
    int64_t N = x->dims[0], C = x->dims[1], M = w->dims[0], Cg = w->dims[1];
    if (groups < 1 || C != Cg * groups || M % groups != 0)
        return FAIL("channels %lld, W [%lld][%lld], group %lld do not agree", (long long)C,
                    (long long)M, (long long)Cg, (long long)groups);
    if (b && (b->ndim != 1 || b->dims[0] != M))
        return FAIL("B is not [%lld]", (long long)M);
    for (int k = 0; k < g.sp; k++)
        if (g.k[k] != w->dims[2 + k])
            return FAIL("kernel_shape does not match W");
    if (g.sp == 3)
        return conv3d(&g, groups, x, w, b, out, why, why_len);
    bool one_d = g.sp == 1;
    vnn_conv2d_desc d = {
        .N = N, .H = one_d ? 1 : g.in[0], .W = g.in[g.sp - 1], .C_in = C, .C_out = M,
        .kernel_h = one_d ? 1 : g.k[0], .kernel_w = g.k[g.sp - 1],
        .stride_h = one_d ? 1 : g.s[0], .stride_w = g.s[g.sp - 1],
        .dilation_h = one_d ? 1 : g.d[0], .dilation_w = g.d[g.sp - 1],
        .pad_top = one_d ? 0 : g.pb[0], .pad_bottom = one_d ? 0 : g.pe[0],
        .pad_left = g.pb[g.sp - 1], .pad_right = g.pe[g.sp - 1], .groups = groups,
    };
    if (d.kernel_h != (one_d ? 1 : w->dims[2]) || d.kernel_w != w->dims[w->ndim - 1])
        return FAIL("kernel_shape does not match W");
    int64_t eh = (d.kernel_h - 1) * d.dilation_h + 1, ew = (d.kernel_w - 1) * d.dilation_w + 1;
    if (d.pad_top >= eh || d.pad_bottom >= eh || d.pad_left >= ew || d.pad_right >= ew)
        return UNSUP("a padding as large as the kernel's extent (vnn_conv2d needs pad < extent)");
    int64_t OH, OW;
    VNN(vnn_conv2d_output_size(&d, &OH, &OW));
    int64_t odims[4] = {N, M, one_d ? OW : OH, OW};
    MAKE(&out[0], VNN_ONNX_FLOAT, x->ndim, odims);
    float *xn = malloc((size_t)x->count * 4 + 4), *wt = malloc((size_t)w->count * 4 + 4);
    float *yn = malloc((size_t)out[0].count * 4 + 4);
    enum onnx_run res = ONNX_RUN_OK;
    if (!xn || !wt || !yn) {
        res = FAIL("out of memory");
    } else {
        nchw_to_nhwc(x->f, N, C, d.H * d.W, xn);
        vnn_status st = vnn_conv2d_weights_from_oihw(M, Cg, d.kernel_h, d.kernel_w, w->f, wt);
        if (st == VNN_OK)
            st = vnn_conv2d(&d, xn, wt, b ? b->f : NULL, yn);
        if (st != VNN_OK)
            res = FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
        else
            nhwc_to_nchw(yn, N, M, OH * OW, out[0].f);
    }
    free(xn);
    free(wt);
    free(yn);
    if (res != ONNX_RUN_OK)
        onnx_value_free(&out[0]);
    return res;
}

/* One 2-D pool (max or average) of NCHW x [N][C][H][W] into y. */
static vnn_status pool2d(bool max, const vnn_pool2d_params *p, int64_t N, int64_t C, int64_t H,
                         int64_t W, const float *x, int64_t OH, int64_t OW, float *y)
{
    float *xn = malloc((size_t)(N * C * H * W) * 4 + 4), *yn = malloc((size_t)(N * C * OH * OW) * 4 + 4);
    vnn_status st = VNN_ERR_OUT_OF_MEMORY;
    if (xn && yn) {
        nchw_to_nhwc(x, N, C, H * W, xn);
        st = max ? vnn_maxpool2d(p, N, H, W, C, xn, OH, OW, yn)
                 : vnn_avgpool2d(p, N, H, W, C, xn, OH, OW, yn);
        if (st == VNN_OK)
            nhwc_to_nchw(yn, N, C, OH * OW, y);
    }
    free(xn);
    free(yn);
    return st;
}

static enum onnx_run op_pool(const struct vnn_onnx_node *n, bool max, const val *const *in,
                             val *out, char *why, size_t why_len)
{
    const val *x = in[0];
    if (x->dtype != VNN_ONNX_FLOAT)
        return UNSUP("dtype %s (vnn pools float)", vnn_onnx_dtype_name(x->dtype));
    if (n->n_out > 1 && n->out[1][0])
        return UNSUP("the Indices output of MaxPool");
    if (x->ndim < 3 || x->ndim > 5)
        return FAIL("X has rank %d", x->ndim);
    struct geom g;
    enum onnx_run r = geometry(n, x, NULL, &g, why, why_len);
    if (r != ONNX_RUN_OK)
        return r;
    for (int k = 0; k < g.sp; k++)
        if (g.d[k] != 1)
            return UNSUP("dilations (vnn's pools are dense)");
    bool ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
    bool include_pad = attr_int(n, "count_include_pad", 0) != 0;
    /* The innermost two spatial dims are the 2-D pool's; a 1-D pool has H = 1;
     * a 3-D one runs the 2-D pool per depth slice (below). */
    int h = g.sp - 2, wd = g.sp - 1;
    vnn_pool2d_params p = {
        .kernel_h = h >= 0 ? g.k[h] : 1, .kernel_w = g.k[wd],
        .stride_h = h >= 0 ? g.s[h] : 1, .stride_w = g.s[wd],
        .pad_top = h >= 0 ? g.pb[h] : 0, .pad_bottom = h >= 0 ? g.pe[h] : 0,
        .pad_left = g.pb[wd], .pad_right = g.pe[wd],
        .ceil_mode = ceil_mode, .count_include_pad = include_pad,
    };
    if (p.pad_top >= p.kernel_h || p.pad_bottom >= p.kernel_h || p.pad_left >= p.kernel_w ||
        p.pad_right >= p.kernel_w)
        return UNSUP("a padding as large as the kernel (empty windows)");
    int64_t N = x->dims[0], C = x->dims[1], H = h >= 0 ? g.in[h] : 1, W = g.in[wd], OH, OW;
    VNN(vnn_pool2d_output_size(&p, H, W, &OH, &OW));
    int64_t D = 1, KD = 1, SD = 1, OD = 1, PD = 0;
    if (g.sp == 3) {
        /* Depth: a window of KD slices; max is the max of the valid slices'
         * 2-D maxima (depth padding is skipped) and, without depth padding,
         * the average is the mean of the slices' averages (every slice's
         * window has the same count). */
        D = g.in[0], KD = g.k[0], SD = g.s[0], PD = g.pb[0];
        if (ceil_mode || (!max && (PD || g.pe[0])) ||
            (!max && (p.pad_top || p.pad_bottom || p.pad_left || p.pad_right) && !include_pad))
            return UNSUP("3-D pooling in ceil mode, or averages with depth or excluded padding");
        if (PD >= KD || g.pe[0] >= KD)
            return UNSUP("a depth padding as large as the kernel (empty windows)");
        if (D + PD + g.pe[0] < KD)
            return FAIL("depth %lld below the kernel's %lld", (long long)D, (long long)KD);
        OD = (D + PD + g.pe[0] - KD) / SD + 1;
    }
    int64_t odims[5] = {N, C};
    int o = 2;
    if (g.sp == 3)
        odims[o++] = OD;
    if (g.sp >= 2)
        odims[o++] = OH;
    odims[o++] = OW;
    MAKE(&out[0], VNN_ONNX_FLOAT, x->ndim, odims);
    vnn_status st = VNN_OK;
    if (g.sp < 3) {
        st = pool2d(max, &p, N, C, H, W, x->f, OH, OW, out[0].f);
    } else {
        /* slices [N][C][D] as a batch of N*C*D single-channel images */
        float *sl = malloc((size_t)(N * C * D * OH * OW) * 4 + 4);
        st = sl ? pool2d(max, &p, N * C * D, 1, H, W, x->f, OH, OW, sl) : VNN_ERR_OUT_OF_MEMORY;
        for (int64_t nc = 0; st == VNN_OK && nc < N * C; nc++)
            for (int64_t od = 0; od < OD; od++) {
                float *y = out[0].f + (nc * OD + od) * OH * OW;
                for (int64_t q = 0; q < OH * OW; q++) {
                    float acc = max ? -INFINITY : 0.0f;
                    for (int64_t kd = 0; kd < KD; kd++) {
                        int64_t id = od * SD - PD + kd;
                        if (id < 0 || id >= D)
                            continue;
                        float v = sl[(nc * D + id) * OH * OW + q];
                        acc = max ? fmaxf(acc, v) : acc + v;
                    }
                    y[q] = max ? acc : acc / (float)KD;
                }
            }
        free(sl);
    }
    if (st != VNN_OK) {
        onnx_value_free(&out[0]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    return ONNX_RUN_OK;
}

static enum onnx_run op_global_pool(bool max, const val *const *in, val *out, char *why,
                                    size_t why_len)
{
    const val *x = in[0];
    if (x->ndim < 3)
        return FAIL("X has rank %d", x->ndim);
    int64_t N = x->dims[0], C = x->dims[1], S = prod(x->dims, 2, x->ndim);
    int64_t odims[VNN_ONNX_MAX_DIMS];
    for (int k = 0; k < x->ndim; k++)
        odims[k] = k < 2 ? x->dims[k] : 1;
    MAKE(&out[0], VNN_ONNX_FLOAT, x->ndim, odims);
    float *xn = malloc((size_t)x->count * 4 + 4);
    vnn_status st = VNN_ERR_OUT_OF_MEMORY;
    if (xn) {
        /* the spatial dims flattened into one row: H = 1, W = S */
        nchw_to_nhwc(x->f, N, C, S, xn);
        if (max) {
            vnn_pool2d_params p = {.kernel_h = 1, .kernel_w = S, .stride_h = 1, .stride_w = 1};
            st = vnn_maxpool2d(&p, N, 1, S, C, xn, 1, 1, out[0].f);
        } else {
            st = vnn_global_avgpool2d(N, 1, S, C, xn, out[0].f);
        }
    }
    free(xn);
    if (st != VNN_OK) {
        onnx_value_free(&out[0]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    return ONNX_RUN_OK; /* [N][C] is [N][C][1][1] */
}

/* --- GEMM, MatMul ------------------------------------------------------------------ */

static enum onnx_run op_gemm(const struct vnn_onnx_node *n, const val *const *in, val *out,
                             char *why, size_t why_len)
{
    const val *a = in[0], *b = in[1], *c = n->n_in > 2 ? in[2] : NULL;
    if (a->ndim != 2 || b->ndim != 2)
        return FAIL("A and B must be matrices");
    bool ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
    float alpha = attr_float(n, "alpha", 1.0f), beta = attr_float(n, "beta", 1.0f);
    int64_t M = ta ? a->dims[1] : a->dims[0], K = ta ? a->dims[0] : a->dims[1];
    int64_t Kb = tb ? b->dims[1] : b->dims[0], N = tb ? b->dims[0] : b->dims[1];
    if (K != Kb)
        return FAIL("inner dimensions %lld and %lld", (long long)K, (long long)Kb);
    int64_t dims[2] = {M, N};
    if (c) {
        int nd;
        int64_t bd[VNN_ONNX_MAX_DIMS];
        if (c->ndim > 2 || !broadcast_shape(c, &(val){.ndim = 2, .dims = {M, N}}, &nd, bd) ||
            bd[0] != M || bd[1] != N)
            return FAIL("C does not broadcast to [%lld][%lld]", (long long)M, (long long)N);
    }
    MAKE(&out[0], VNN_ONNX_FLOAT, 2, dims);
    if (c)
        broadcast(c, 2, dims, out[0].f);
    vnn_status st = vnn_sgemm(ta ? VNN_TRANS : VNN_NO_TRANS, tb ? VNN_TRANS : VNN_NO_TRANS, M, N,
                              K, alpha, a->f, a->dims[1], b->f, b->dims[1], c ? beta : 0.0f,
                              out[0].f, N);
    if (st != VNN_OK) {
        onnx_value_free(&out[0]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    return ONNX_RUN_OK;
}

static enum onnx_run op_matmul(const val *const *in, val *out, char *why, size_t why_len)
{
    const val *a = in[0], *b = in[1];
    if (a->ndim < 1 || b->ndim < 1)
        return FAIL("MatMul of a scalar");
    /* numpy: a 1-D A is [1][K], a 1-D B is [K][1]; those dims are dropped after */
    int64_t M = a->ndim == 1 ? 1 : a->dims[a->ndim - 2], K = a->dims[a->ndim - 1];
    int64_t Kb = b->ndim == 1 ? b->dims[0] : b->dims[b->ndim - 2];
    int64_t N = b->ndim == 1 ? 1 : b->dims[b->ndim - 1];
    if (K != Kb)
        return FAIL("inner dimensions %lld and %lld", (long long)K, (long long)Kb);
    val ab = {.ndim = a->ndim > 2 ? a->ndim - 2 : 0}, bb = {.ndim = b->ndim > 2 ? b->ndim - 2 : 0};
    memcpy(ab.dims, a->dims, sizeof(int64_t) * (size_t)ab.ndim);
    memcpy(bb.dims, b->dims, sizeof(int64_t) * (size_t)bb.ndim);
    int nb;
    int64_t bdims[VNN_ONNX_MAX_DIMS + 2];
    if (!broadcast_shape(&ab, &bb, &nb, bdims))
        return FAIL("batch dimensions do not broadcast");
    int64_t odims[VNN_ONNX_MAX_DIMS], batch = prod(bdims, 0, nb);
    int od = 0;
    for (int k = 0; k < nb; k++)
        odims[od++] = bdims[k];
    if (a->ndim > 1)
        odims[od++] = M;
    if (b->ndim > 1)
        odims[od++] = N;
    MAKE(&out[0], VNN_ONNX_FLOAT, od, odims);
    for (int64_t t = 0; t < batch; t++) {
        /* the batch index t in each operand, broadcast dims pinned to 0 */
        int64_t rem = t, oa = 0, ob = 0, sa = 1, sb = 1;
        for (int k = nb - 1; k >= 0; k--) {
            int64_t i = rem % bdims[k];
            rem /= bdims[k];
            int ka = ab.ndim - nb + k, kb = bb.ndim - nb + k;
            if (ka >= 0) {
                oa += (ab.dims[ka] == 1 ? 0 : i) * sa;
                sa *= ab.dims[ka];
            }
            if (kb >= 0) {
                ob += (bb.dims[kb] == 1 ? 0 : i) * sb;
                sb *= bb.dims[kb];
            }
        }
        vnn_status st = vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, M, N, K, 1.0f, a->f + oa * M * K,
                                  K, b->f + ob * K * N, N, 0.0f, out[0].f + t * M * N, N);
        if (st != VNN_OK) {
            onnx_value_free(&out[0]);
            return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
        }
    }
    return ONNX_RUN_OK;
}

/* --- LSTM ------------------------------------------------------------------------- */

static enum onnx_run op_lstm(const struct vnn_onnx_node *n, const val *const *in, val *out,
                             char *why, size_t why_len)
{
    const val *x = in[0], *W = in[1], *R = in[2];
    const val *B = n->n_in > 3 ? in[3] : NULL, *lens = n->n_in > 4 ? in[4] : NULL;
    const val *h0 = n->n_in > 5 ? in[5] : NULL, *c0 = n->n_in > 6 ? in[6] : NULL;
    const val *P = n->n_in > 7 ? in[7] : NULL;
    if (P)
        return UNSUP("peepholes (input P): vnn's LSTM cell has none");
    if (vnn_onnx_attr_find(n, "clip"))
        return UNSUP("clip");
    if (attr_int(n, "input_forget", 0))
        return UNSUP("input_forget");
    size_t na;
    const struct vnn_onnx_attr *acts = vnn_onnx_attr_find(n, "activations");
    (void)na;
    if (acts) {
        static const char *const def[] = {"Sigmoid", "Tanh", "Tanh"};
        for (size_t k = 0; k < acts->n; k++)
            if (acts->type != VNN_ONNX_ATTR_STRINGS || strcmp(acts->strings[k], def[k % 3]) != 0)
                return UNSUP("activations other than Sigmoid, Tanh, Tanh");
    }
    const char *dir = attr_str(n, "direction", "forward");
    bool bidi = strcmp(dir, "bidirectional") == 0;
    if (!bidi && strcmp(dir, "forward") != 0)
        return UNSUP("direction '%s'", dir);
    int64_t layout = attr_int(n, "layout", 0), D = bidi ? 2 : 1;
    if (x->ndim != 3 || W->ndim != 3 || R->ndim != 3)
        return FAIL("X, W, R must have rank 3");
    int64_t T = layout ? x->dims[1] : x->dims[0], N = layout ? x->dims[0] : x->dims[1];
    int64_t I = x->dims[2], H = R->dims[2];
    if (attr_int(n, "hidden_size", H) != H || W->dims[0] != D || R->dims[0] != D ||
        W->dims[1] != 4 * H || W->dims[2] != I || R->dims[1] != 4 * H ||
        (B && (B->ndim != 2 || B->dims[0] != D || B->dims[1] != 8 * H)))
        return FAIL("W, R or B do not fit X, hidden_size and direction");
    /* initial states: [D][N][H]; with layout 1 [N][D][H] */
    const val *st0[2] = {h0, c0};
    float *s0[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++)
        if (st0[k]) {
            if (st0[k]->count != D * N * H)
                return FAIL("initial state of %lld values", (long long)st0[k]->count);
            s0[k] = malloc((size_t)(D * N * H) * 4);
            if (!s0[k])
                return FAIL("out of memory");
            int64_t dd[3] = {N, D, H};
            int perm[3] = {1, 0, 2};
            if (layout)
                permute(st0[k]->f, 3, dd, perm, 4, s0[k]);
            else
                memcpy(s0[k], st0[k]->f, (size_t)(D * N * H) * 4);
        }
    int64_t *ln = NULL;
    float *wbuf = malloc((size_t)(D * (4 * H * I + 4 * H * H + 8 * H)) * 4);
    float *y = malloc((size_t)(T * N * D * H) * 4), *hn = malloc((size_t)(D * N * H) * 4),
          *cn = malloc((size_t)(D * N * H) * 4);
    vnn_lstm_weights wts[2];
    enum onnx_run res = ONNX_RUN_OK;
    if (!wbuf || !y || !hn || !cn) {
        res = FAIL("out of memory");
        goto done;
    }
    if (lens) {
        ln = malloc((size_t)N * 8);
        if (!ln || lens->count != N) {
            res = FAIL("sequence_lens of %lld values", (long long)lens->count);
            goto done;
        }
        memcpy(ln, lens->i, (size_t)N * 8);
    }
    for (int64_t d = 0; d < D; d++) {
        float *w_ih = wbuf + d * (4 * H * I + 4 * H * H + 8 * H), *w_hh = w_ih + 4 * H * I;
        float *b_ih = w_hh + 4 * H * H, *b_hh = b_ih + 4 * H;
        vnn_status s = vnn_lstm_import_weights(VNN_LSTM_FORMAT_ONNX, I, H, W->f + d * 4 * H * I,
                                               R->f + d * 4 * H * H,
                                               B ? B->f + d * 8 * H : NULL, w_ih, w_hh, b_ih,
                                               b_hh);
        if (s != VNN_OK) {
            res = FAIL("%s: %s", vnn_status_str(s), vnn_last_error());
            goto done;
        }
        wts[d] = (vnn_lstm_weights){w_ih, w_hh, b_ih, b_hh};
    }
    vnn_lstm_desc desc = {.input_size = I, .hidden_size = H, .bidirectional = bidi};
    vnn_status s = vnn_lstm(&desc, wts, T, N, layout != 0, x->f, ln, s0[0], s0[1], y, hn, cn);
    if (s != VNN_OK) {
        res = FAIL("%s: %s", vnn_status_str(s), vnn_last_error());
        goto done;
    }
    /* Y: vnn gives [T][N][D][H] ([N][T][D][H] with layout 1); ONNX wants
     * [T][D][N][H] (layout 1: [N][T][D][H], the same) */
    if (n->n_out > 0 && n->out[0][0]) {
        int64_t yd[4] = {T, D, N, H};
        if (layout) {
            yd[0] = N, yd[1] = T, yd[2] = D;
        }
        if (!make(&out[0], VNN_ONNX_FLOAT, 4, yd)) {
            res = FAIL("out of memory");
            goto done;
        }
        int64_t vd[4] = {T, N, D, H};
        int perm[4] = {0, 2, 1, 3};
        if (layout)
            memcpy(out[0].f, y, (size_t)(T * N * D * H) * 4);
        else
            permute(y, 4, vd, perm, 4, out[0].f);
    }
    float *fin[2] = {hn, cn};
    for (int k = 0; k < 2; k++) {
        if (n->n_out <= (size_t)k + 1 || !n->out[k + 1][0])
            continue;
        int64_t sd[3] = {D, N, H};
        if (layout)
            sd[0] = N, sd[1] = D;
        if (!make(&out[k + 1], VNN_ONNX_FLOAT, 3, sd)) {
            res = FAIL("out of memory");
            goto done;
        }
        int64_t dd[3] = {D, N, H};
        int perm[3] = {1, 0, 2};
        if (layout)
            permute(fin[k], 3, dd, perm, 4, out[k + 1].f);
        else
            memcpy(out[k + 1].f, fin[k], (size_t)(D * N * H) * 4);
    }
done:
    if (res != ONNX_RUN_OK)
        for (int k = 0; k < 3; k++)
            onnx_value_free(&out[k]);
    free(s0[0]);
    free(s0[1]);
    free(ln);
    free(wbuf);
    free(y);
    free(hn);
    free(cn);
    return res;
}

/* --- row ops ---------------------------------------------------------------------- */

/* Softmax / LogSoftmax. Opset >= 13: over one axis (moved last when it is
 * not); before 13: over the flattened dims [axis, rank). */
static enum onnx_run op_softmax(const struct vnn_onnx_node *n, bool log_, int64_t opset,
                                const val *const *in, val *out, char *why, size_t why_len)
{
    const val *x = in[0];
    bool old = opset < 13;
    int64_t axis = norm_axis(attr_int(n, "axis", old ? 1 : -1), x->ndim);
    if (axis < 0 || axis >= (x->ndim ? x->ndim : 1))
        return FAIL("axis out of range");
    MAKE(&out[0], VNN_ONNX_FLOAT, x->ndim, x->dims);
    if (x->count == 0)
        return ONNX_RUN_OK;
    vnn_status st;
    if (old || axis == x->ndim - 1) {
        int64_t rows = prod(x->dims, 0, (int)axis), cols = prod(x->dims, (int)axis, x->ndim);
        if (!old)
            rows = x->count / x->dims[axis], cols = x->dims[axis];
        st = vnn_softmax(rows, cols, x->f, out[0].f);
    } else {
        /* move axis last, softmax the rows, move it back */
        int perm[VNN_ONNX_MAX_DIMS], inv[VNN_ONNX_MAX_DIMS], k2 = 0;
        for (int k = 0; k < x->ndim; k++)
            if (k != axis)
                perm[k2++] = k;
        perm[k2] = (int)axis;
        int64_t tdims[VNN_ONNX_MAX_DIMS];
        for (int k = 0; k < x->ndim; k++) {
            tdims[k] = x->dims[perm[k]];
            inv[perm[k]] = k;
        }
        float *t = malloc((size_t)x->count * 4);
        if (!t) {
            onnx_value_free(&out[0]);
            return FAIL("out of memory");
        }
        permute(x->f, x->ndim, x->dims, perm, 4, t);
        st = vnn_softmax(x->count / x->dims[axis], x->dims[axis], t, t);
        if (st == VNN_OK)
            permute(t, x->ndim, tdims, inv, 4, out[0].f);
        free(t);
    }
    if (st != VNN_OK) {
        onnx_value_free(&out[0]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    if (log_) /* log of vnn's softmax (no log-softmax kernel) */
        for (int64_t k = 0; k < x->count; k++)
            out[0].f[k] = logf(out[0].f[k]);
    return ONNX_RUN_OK;
}

static enum onnx_run op_layernorm(const struct vnn_onnx_node *n, const val *const *in, val *out,
                                  char *why, size_t why_len)
{
    const val *x = in[0], *scale = in[1], *bias = n->n_in > 2 ? in[2] : NULL;
    int64_t axis = norm_axis(attr_int(n, "axis", -1), x->ndim);
    if (axis < 0 || axis >= x->ndim)
        return FAIL("axis out of range");
    float eps = attr_float(n, "epsilon", 1e-5f);
    int64_t rows = prod(x->dims, 0, (int)axis), cols = prod(x->dims, (int)axis, x->ndim);
    if (scale->count != cols || (bias && bias->count != cols))
        return UNSUP("Scale or B broadcast over the normalized dims (vnn takes [cols])");
    MAKE(&out[0], VNN_ONNX_FLOAT, x->ndim, x->dims);
    float *zero = bias ? NULL : calloc((size_t)cols, 4);
    vnn_status st = bias || zero ? vnn_layernorm(rows, cols, x->f, scale->f,
                                                 bias ? bias->f : zero, eps, out[0].f)
                                 : VNN_ERR_OUT_OF_MEMORY;
    free(zero);
    /* Mean and InvStdDev: [d0 .. d(axis-1), 1, ..., 1] */
    int64_t sdims[VNN_ONNX_MAX_DIMS];
    for (int k = 0; k < x->ndim; k++)
        sdims[k] = k < axis ? x->dims[k] : 1;
    bool want_mean = n->n_out > 1 && n->out[1][0], want_rstd = n->n_out > 2 && n->out[2][0];
    if (st == VNN_OK && (want_mean || want_rstd)) {
        if (!make(&out[1], VNN_ONNX_FLOAT, x->ndim, sdims) ||
            !make(&out[2], VNN_ONNX_FLOAT, x->ndim, sdims))
            st = VNN_ERR_OUT_OF_MEMORY;
        else
            st = vnn_layernorm_stats(rows, cols, x->f, eps, out[1].f, out[2].f);
        if (!want_mean)
            onnx_value_free(&out[1]);
        if (!want_rstd)
            onnx_value_free(&out[2]);
    }
    if (st != VNN_OK) {
        for (int k = 0; k < 3; k++)
            onnx_value_free(&out[k]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    return ONNX_RUN_OK;
}

static enum onnx_run op_unary(const struct vnn_onnx_node *n, const val *const *in, val *out,
                              char *why, size_t why_len)
{
    const val *x = in[0];
    MAKE(&out[0], VNN_ONNX_FLOAT, x->ndim, x->dims);
    if (x->count == 0)
        return ONNX_RUN_OK;
    const char *op = n->op_type;
    vnn_status st;
    if (strcmp(op, "Relu") == 0) {
        st = vnn_relu(x->count, x->f, out[0].f);
    } else if (strcmp(op, "Sigmoid") == 0) {
        st = vnn_sigmoid(x->count, x->f, out[0].f);
    } else if (strcmp(op, "Tanh") == 0) {
        st = vnn_tanh(x->count, x->f, out[0].f);
    } else {
        const char *approx = attr_str(n, "approximate", "none");
        if (strcmp(approx, "none") != 0 && strcmp(approx, "tanh") != 0) {
            onnx_value_free(&out[0]);
            return FAIL("approximate '%s'", approx);
        }
        st = vnn_gelu(approx[0] == 't' ? VNN_GELU_TANH : VNN_GELU_ERF, x->count, x->f, out[0].f);
    }
    if (st != VNN_OK) {
        onnx_value_free(&out[0]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    return ONNX_RUN_OK;
}

static enum onnx_run op_add(const val *const *in, val *out, char *why, size_t why_len)
{
    const val *a = in[0], *b = in[1];
    int nd;
    int64_t dims[VNN_ONNX_MAX_DIMS];
    if (!broadcast_shape(a, b, &nd, dims))
        return FAIL("shapes do not broadcast");
    MAKE(&out[0], VNN_ONNX_FLOAT, nd, dims);
    if (out[0].count == 0)
        return ONNX_RUN_OK;
    /* operands of another shape are broadcast (copied) first */
    float *ab = same_shape(a, nd, dims) ? NULL : malloc((size_t)out[0].count * 4);
    float *bb = same_shape(b, nd, dims) ? NULL : malloc((size_t)out[0].count * 4);
    if (ab)
        broadcast(a, nd, dims, ab);
    if (bb)
        broadcast(b, nd, dims, bb);
    vnn_status st = (same_shape(a, nd, dims) || ab) && (same_shape(b, nd, dims) || bb)
                        ? vnn_add(out[0].count, ab ? ab : a->f, bb ? bb : b->f, out[0].f)
                        : VNN_ERR_OUT_OF_MEMORY;
    free(ab);
    free(bb);
    if (st != VNN_OK) {
        onnx_value_free(&out[0]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    return ONNX_RUN_OK;
}

/* Gather on vnn_embedding: for each index of the dims before axis, rows of
 * the [dims[axis]][inner] table picked by the indices. */
static enum onnx_run op_gather(const struct vnn_onnx_node *n, const val *const *in, val *out,
                               char *why, size_t why_len)
{
    const val *x = in[0], *idx = in[1];
    if (x->dtype != VNN_ONNX_FLOAT)
        return UNSUP("dtype %s (vnn_embedding gathers floats)", vnn_onnx_dtype_name(x->dtype));
    if (!idx->i)
        return FAIL("indices are not integers");
    int64_t axis = norm_axis(attr_int(n, "axis", 0), x->ndim);
    if (axis < 0 || axis >= x->ndim || x->ndim + idx->ndim - 1 > VNN_ONNX_MAX_DIMS)
        return FAIL("axis or rank out of range");
    int64_t odims[VNN_ONNX_MAX_DIMS];
    int o = 0;
    for (int k = 0; k < axis; k++)
        odims[o++] = x->dims[k];
    for (int k = 0; k < idx->ndim; k++)
        odims[o++] = idx->dims[k];
    for (int k = (int)axis + 1; k < x->ndim; k++)
        odims[o++] = x->dims[k];
    int64_t outer = prod(x->dims, 0, (int)axis), vocab = x->dims[axis];
    int64_t inner = prod(x->dims, (int)axis + 1, x->ndim), nidx = idx->count;
    MAKE(&out[0], VNN_ONNX_FLOAT, o, odims);
    if (out[0].count == 0)
        return ONNX_RUN_OK;
    int64_t *ids = malloc((size_t)nidx * 8);
    if (!ids) {
        onnx_value_free(&out[0]);
        return FAIL("out of memory");
    }
    for (int64_t k = 0; k < nidx; k++) /* negative indices count from the end */
        ids[k] = idx->i[k] < 0 ? idx->i[k] + vocab : idx->i[k];
    vnn_status st = VNN_OK;
    for (int64_t q = 0; q < outer && st == VNN_OK; q++)
        st = vnn_embedding(nidx, ids, vocab, inner, x->f + q * vocab * inner,
                           out[0].f + q * nidx * inner);
    free(ids);
    if (st != VNN_OK) {
        onnx_value_free(&out[0]);
        return FAIL("%s: %s", vnn_status_str(st), vnn_last_error());
    }
    return ONNX_RUN_OK;
}

/* --- shape ops (data movement only) ------------------------------------------------- */

static enum onnx_run copy_as(const val *x, int ndim, const int64_t *dims, val *out, char *why,
                             size_t why_len)
{
    if (prod(dims, 0, ndim) != x->count)
        return FAIL("new shape holds %lld elements, the input %lld",
                    (long long)prod(dims, 0, ndim), (long long)x->count);
    MAKE(&out[0], x->dtype, ndim, dims);
    if (x->f)
        memcpy(out[0].f, x->f, (size_t)x->count * 4);
    else
        memcpy(out[0].i, x->i, (size_t)x->count * 8);
    return ONNX_RUN_OK;
}

static enum onnx_run op_flatten(const struct vnn_onnx_node *n, const val *const *in, val *out,
                                char *why, size_t why_len)
{
    const val *x = in[0];
    int64_t axis = norm_axis(attr_int(n, "axis", 1), x->ndim);
    if (axis < 0 || axis > x->ndim)
        return FAIL("axis out of range");
    int64_t dims[2] = {prod(x->dims, 0, (int)axis), prod(x->dims, (int)axis, x->ndim)};
    return copy_as(x, 2, dims, out, why, why_len);
}

static enum onnx_run op_reshape(const struct vnn_onnx_node *n, const val *const *in, val *out,
                                char *why, size_t why_len)
{
    const val *x = in[0], *s = in[1];
    if (!s->i || s->ndim != 1 || s->count > VNN_ONNX_MAX_DIMS)
        return FAIL("shape is not a 1-D int64 tensor of at most %d values", VNN_ONNX_MAX_DIMS);
    bool allowzero = attr_int(n, "allowzero", 0) != 0;
    int64_t dims[VNN_ONNX_MAX_DIMS], known = 1;
    int infer = -1;
    for (int k = 0; k < s->count; k++) {
        dims[k] = s->i[k];
        if (dims[k] == 0 && !allowzero) {
            if (k >= x->ndim)
                return FAIL("0 in the shape past the input's rank");
            dims[k] = x->dims[k];
        }
        if (dims[k] == -1) {
            if (infer >= 0)
                return FAIL("two -1 in the shape");
            infer = k;
        } else if (dims[k] < 0) {
            return FAIL("shape value %lld", (long long)dims[k]);
        } else {
            known *= dims[k];
        }
    }
    if (infer >= 0) {
        if (known == 0 || x->count % known)
            return FAIL("cannot infer the -1 dimension");
        dims[infer] = x->count / known;
    }
    return copy_as(x, (int)s->count, dims, out, why, why_len);
}

static enum onnx_run op_transpose(const struct vnn_onnx_node *n, const val *const *in, val *out,
                                  char *why, size_t why_len)
{
    const val *x = in[0];
    size_t np;
    const int64_t *p = attr_ints(n, "perm", &np);
    int perm[VNN_ONNX_MAX_DIMS];
    bool seen[VNN_ONNX_MAX_DIMS] = {false};
    if (p && np != (size_t)x->ndim)
        return FAIL("perm has %zu entries for rank %d", np, x->ndim);
    int64_t dims[VNN_ONNX_MAX_DIMS];
    for (int k = 0; k < x->ndim; k++) {
        int64_t v = p ? p[k] : x->ndim - 1 - k;
        if (v < 0 || v >= x->ndim || seen[v])
            return FAIL("perm is not a permutation");
        seen[v] = true;
        perm[k] = (int)v;
        dims[k] = x->dims[v];
    }
    MAKE(&out[0], x->dtype, x->ndim, dims);
    permute(x->f ? (void *)x->f : (void *)x->i, x->ndim, x->dims, perm, x->f ? 4 : 8,
            out[0].f ? (void *)out[0].f : (void *)out[0].i);
    return ONNX_RUN_OK;
}

static enum onnx_run op_concat(const struct vnn_onnx_node *n, const val *const *in, val *out,
                               char *why, size_t why_len)
{
    const val *x0 = in[0];
    int64_t axis = norm_axis(attr_int(n, "axis", 0), x0->ndim);
    if (axis < 0 || axis >= x0->ndim)
        return FAIL("axis out of range");
    int64_t dims[VNN_ONNX_MAX_DIMS];
    memcpy(dims, x0->dims, sizeof dims);
    dims[axis] = 0;
    for (size_t k = 0; k < n->n_in; k++) {
        const val *x = in[k];
        if (!x || x->ndim != x0->ndim || x->dtype != x0->dtype)
            return FAIL("input %zu has another rank or dtype", k);
        for (int d = 0; d < x->ndim; d++)
            if (d != axis && x->dims[d] != x0->dims[d])
                return FAIL("input %zu differs off the axis", k);
        dims[axis] += x->dims[axis];
    }
    MAKE(&out[0], x0->dtype, x0->ndim, dims);
    size_t es = x0->f ? 4 : 8;
    char *dst = out[0].f ? (char *)out[0].f : (char *)out[0].i;
    int64_t outer = prod(dims, 0, (int)axis);
    for (int64_t q = 0; q < outer; q++)
        for (size_t k = 0; k < n->n_in; k++) {
            const val *x = in[k];
            size_t chunk = (size_t)prod(x->dims, (int)axis, x->ndim) * es;
            const char *src = x->f ? (const char *)x->f : (const char *)x->i;
            memcpy(dst, src + (size_t)q * chunk, chunk);
            dst += chunk;
        }
    return ONNX_RUN_OK;
}

/* --- plumbing ---------------------------------------------------------------------- */

static enum onnx_run op_constant(const struct vnn_onnx_node *n, val *out, char *why,
                                 size_t why_len)
{
    const struct vnn_onnx_attr *a = n->n_attr == 1 ? &n->attr[0] : NULL;
    if (!a)
        return FAIL("Constant needs exactly one attribute");
    if (!strcmp(a->name, "value") && a->type == VNN_ONNX_ATTR_TENSOR) {
        const struct vnn_onnx_tensor *t = a->t;
        if (!t->f && !t->i)
            return UNSUP("Constant of dtype %s", vnn_onnx_dtype_name(t->dtype));
        MAKE(&out[0], t->f ? VNN_ONNX_FLOAT : VNN_ONNX_INT64, t->ndim, t->dims);
        out[0].dtype = t->dtype;
        if (t->f)
            memcpy(out[0].f, t->f, (size_t)t->count * 4);
        else
            memcpy(out[0].i, t->i, (size_t)t->count * 8);
        return ONNX_RUN_OK;
    }
    int64_t len = (int64_t)a->n;
    if (!strcmp(a->name, "value_float") || !strcmp(a->name, "value_int")) {
        MAKE(&out[0], a->type == VNN_ONNX_ATTR_FLOAT ? VNN_ONNX_FLOAT : VNN_ONNX_INT64, 0, NULL);
        if (out[0].f)
            out[0].f[0] = a->f;
        else
            out[0].i[0] = a->i;
        return ONNX_RUN_OK;
    }
    if (!strcmp(a->name, "value_floats") || !strcmp(a->name, "value_ints")) {
        MAKE(&out[0], a->floats ? VNN_ONNX_FLOAT : VNN_ONNX_INT64, 1, &len);
        if (a->floats)
            memcpy(out[0].f, a->floats, a->n * 4);
        else if (a->ints)
            memcpy(out[0].i, a->ints, a->n * 8);
        return ONNX_RUN_OK;
    }
    return UNSUP("Constant attribute '%s'", a->name);
}

static enum onnx_run op_cast(const struct vnn_onnx_node *n, const val *x, val *out, char *why,
                             size_t why_len)
{
    int64_t to = attr_int(n, "to", 0);
    bool to_float = to == VNN_ONNX_FLOAT;
    if (!to_float && to != VNN_ONNX_INT64 && to != VNN_ONNX_INT32)
        return UNSUP("Cast to %s", vnn_onnx_dtype_name((int)to));
    MAKE(&out[0], to_float ? VNN_ONNX_FLOAT : VNN_ONNX_INT64, x->ndim, x->dims);
    out[0].dtype = (int)to;
    for (int64_t k = 0; k < x->count; k++) {
        if (to_float)
            out[0].f[k] = x->f ? x->f[k] : (float)x->i[k];
        else if (x->f && !(fabsf(x->f[k]) < 9.2e18f))
            return onnx_value_free(&out[0]), FAIL("Cast of %g to an integer", (double)x->f[k]);
        else
            out[0].i[k] = x->f ? (int64_t)x->f[k] : x->i[k];
        if (!to_float && to == VNN_ONNX_INT32)
            out[0].i[k] = (int32_t)out[0].i[k];
    }
    return ONNX_RUN_OK;
}

static enum onnx_run op_shape(const struct vnn_onnx_node *n, const val *x, val *out, char *why,
                              size_t why_len)
{
    int64_t start = norm_axis(attr_int(n, "start", 0), x->ndim);
    int64_t end = vnn_onnx_attr_find(n, "end") ? norm_axis(attr_int(n, "end", 0), x->ndim)
                                                : x->ndim;
    start = start < 0 ? 0 : start > x->ndim ? x->ndim : start;
    end = end < start ? start : end > x->ndim ? x->ndim : end;
    int64_t len = end - start;
    MAKE(&out[0], VNN_ONNX_INT64, 1, &len);
    for (int64_t k = 0; k < len; k++)
        out[0].i[k] = x->dims[start + k];
    return ONNX_RUN_OK;
}

/* Unsqueeze / Squeeze: axes from the attribute (opset < 13) or input 1. */
static enum onnx_run op_squeeze(const struct vnn_onnx_node *n, bool un, const val *const *in,
                                val *out, char *why, size_t why_len)
{
    const val *x = in[0];
    size_t na = 0;
    const int64_t *axes = attr_ints(n, "axes", &na);
    if (n->n_in > 1 && in[1]) {
        if (!in[1]->i)
            return FAIL("axes are not integers");
        axes = in[1]->i;
        na = (size_t)in[1]->count;
    }
    int rank = un ? x->ndim + (int)na : x->ndim;
    if (rank > VNN_ONNX_MAX_DIMS || na > VNN_ONNX_MAX_DIMS)
        return FAIL("rank %d", rank);
    bool mark[VNN_ONNX_MAX_DIMS * 2] = {false};
    for (size_t k = 0; k < na; k++) {
        int64_t a = norm_axis(axes[k], rank);
        if (a < 0 || a >= rank || mark[a] || (!un && x->dims[a] != 1))
            return FAIL("axis %lld", (long long)axes[k]);
        mark[a] = true;
    }
    int64_t dims[VNN_ONNX_MAX_DIMS];
    int o = 0;
    for (int k = 0, j = 0; k < rank; k++) {
        if (un)
            dims[o++] = mark[k] ? 1 : x->dims[j++];
        else if (!(na ? mark[k] : x->dims[k] == 1))
            dims[o++] = x->dims[k];
    }
    return copy_as(x, o, dims, out, why, why_len);
}

static enum onnx_run op_expand(const val *const *in, val *out, char *why, size_t why_len)
{
    const val *x = in[0], *s = in[1];
    if (!s->i || s->ndim != 1 || s->count > VNN_ONNX_MAX_DIMS)
        return FAIL("shape is not a 1-D integer tensor");
    val target = {.ndim = (int)s->count};
    for (int k = 0; k < target.ndim; k++)
        target.dims[k] = s->i[k];
    int nd;
    int64_t dims[VNN_ONNX_MAX_DIMS];
    if (!broadcast_shape(x, &target, &nd, dims))
        return FAIL("shape does not broadcast");
    if (!x->f)
        return UNSUP("Expand of integers");
    MAKE(&out[0], VNN_ONNX_FLOAT, nd, dims);
    broadcast(x, nd, dims, out[0].f);
    return ONNX_RUN_OK;
}

/* Gather of integer data (shapes), which vnn_embedding (floats) does not cover. */
static enum onnx_run gather_ints(const struct vnn_onnx_node *n, const val *x, const val *idx,
                                 val *out, char *why, size_t why_len)
{
    int64_t axis = norm_axis(attr_int(n, "axis", 0), x->ndim);
    if (axis != 0 || x->ndim != 1 || idx->ndim > 1)
        return UNSUP("Gather of integers beyond 1-D shapes");
    MAKE(&out[0], VNN_ONNX_INT64, idx->ndim, idx->dims);
    for (int64_t k = 0; k < idx->count; k++) {
        int64_t i = idx->i[k] < 0 ? idx->i[k] + x->dims[0] : idx->i[k];
        if (i < 0 || i >= x->dims[0]) {
            onnx_value_free(&out[0]);
            return FAIL("index %lld out of range", (long long)idx->i[k]);
        }
        out[0].i[k] = x->i[i];
    }
    return ONNX_RUN_OK;
}

/* --- dispatch ----------------------------------------------------------------------- */

/* Inputs each op requires (the rest are optional). */
static size_t required_inputs(const char *op)
{
    if (!strcmp(op, "Conv") || !strcmp(op, "Gemm") || !strcmp(op, "MatMul") ||
        !strcmp(op, "Add") || !strcmp(op, "Gather") || !strcmp(op, "Reshape") ||
        !strcmp(op, "LayerNormalization"))
        return 2;
    if (!strcmp(op, "LSTM"))
        return 3;
    if (!strcmp(op, "Expand"))
        return 2;
    return 1;
}

/* Ops whose inputs may be integers besides float ones. */
static bool takes_ints(const char *op, size_t k)
{
    return (!strcmp(op, "Gather") && k == 1) || (!strcmp(op, "Reshape") && k == 1) ||
           (!strcmp(op, "LSTM") && k == 4) || !strcmp(op, "Flatten") ||
           !strcmp(op, "Transpose") || !strcmp(op, "Concat") || is_plumbing(op) ||
           (!strcmp(op, "Reshape") && k == 0);
}

/* Wraps v to the width of a small integer dtype (numpy's modular add). */
static int64_t wrap(int64_t v, int dtype)
{
    switch (dtype) {
    case VNN_ONNX_UINT8: return (uint8_t)v;
    case VNN_ONNX_INT8: return (int8_t)v;
    case VNN_ONNX_UINT16: return (uint16_t)v;
    default: return (int16_t)v;
    }
}

static bool small_int(const val *x)
{
    return x && x->i && (x->dtype == VNN_ONNX_UINT8 || x->dtype == VNN_ONNX_INT8 ||
                         x->dtype == VNN_ONNX_UINT16 || x->dtype == VNN_ONNX_INT16);
}

/* MaxPool and Add of 8- and 16-bit integers on the float kernels: every
 * such value and every sum of two is exact in float, so the max is exact
 * and the sum, wrapped to the dtype as numpy does, too. */
static enum onnx_run run_small_ints(const struct vnn_onnx_node *n, int64_t opset,
                                    const val *const *in, val *out, char *why, size_t why_len)
{
    val conv[2];
    const val *fin[2] = {NULL, NULL};
    size_t nin = n->n_in < 2 ? n->n_in : 2;
    enum onnx_run r = ONNX_RUN_OK;
    for (size_t k = 0; k < nin; k++) {
        if (!make(&conv[k], VNN_ONNX_FLOAT, in[k]->ndim, in[k]->dims)) {
            r = FAIL("out of memory");
            nin = k;
            goto done;
        }
        for (int64_t j = 0; j < in[k]->count; j++)
            conv[k].f[j] = (float)in[k]->i[j];
        fin[k] = &conv[k];
    }
    r = onnx_run_node(n, opset, fin, out, why, why_len);
    if (r == ONNX_RUN_OK) {
        val *y = &out[0];
        int dtype = in[0]->dtype;
        int64_t *iv = malloc((size_t)(y->count ? y->count : 1) * 8);
        if (!iv) {
            onnx_value_free(y);
            r = FAIL("out of memory");
            goto done;
        }
        for (int64_t j = 0; j < y->count; j++)
            iv[j] = wrap((int64_t)y->f[j], dtype);
        free(y->f);
        y->f = NULL;
        y->i = iv;
        y->dtype = dtype;
    }
done:
    for (size_t k = 0; k < nin; k++)
        onnx_value_free(&conv[k]);
    return r;
}

enum onnx_run onnx_run_node(const struct vnn_onnx_node *n, int64_t opset, const val *const *in,
                            val *out, char *why, size_t why_len)
{
    const char *op = n->op_type;
    for (size_t k = 0; k < n->n_out; k++)
        memset(&out[k], 0, sizeof out[k]);
    if (n->domain[0] && strcmp(n->domain, "ai.onnx") != 0)
        return UNSUP("domain '%s'", n->domain);
    if (!onnx_op_listed(op) && !is_plumbing(op))
        return UNSUP("op %s", op);
    if (!strcmp(op, "Constant"))
        return op_constant(n, out, why, why_len);
    if (!strcmp(op, "Gather") && n->n_in == 2 && in[0] && in[0]->i && in[1] && in[1]->i)
        return gather_ints(n, in[0], in[1], out, why, why_len);
    if (n->n_in < required_inputs(op))
        return FAIL("%s needs %zu inputs, has %zu", op, required_inputs(op), n->n_in);
    if (((!strcmp(op, "Add") && n->n_in == 2 && small_int(in[1]) &&
          in[1]->dtype == in[0]->dtype) ||
         (!strcmp(op, "MaxPool") && n->n_in == 1 && (n->n_out < 2 || !n->out[1][0]))) &&
        small_int(in[0]))
        return run_small_ints(n, opset, in, out, why, why_len);
    for (size_t k = 0; k < n->n_in; k++) {
        const val *x = in[k];
        if (!x) {
            if (k < required_inputs(op))
                return FAIL("input %zu is required", k);
            continue;
        }
        if (x->dtype == VNN_ONNX_FLOAT && x->f)
            continue;
        if (x->i && takes_ints(op, k))
            continue;
        return UNSUP("input %zu has dtype %s", k, vnn_onnx_dtype_name(x->dtype));
    }
    if (n->n_out < 1 || !n->out[0][0])
        if (strcmp(op, "LSTM") != 0)
            return FAIL("no output");
    if (!strcmp(op, "Conv"))
        return op_conv(n, in, out, why, why_len);
    if (!strcmp(op, "MaxPool") || !strcmp(op, "AveragePool"))
        return op_pool(n, op[0] == 'M', in, out, why, why_len);
    if (!strcmp(op, "GlobalAveragePool") || !strcmp(op, "GlobalMaxPool"))
        return op_global_pool(op[6] == 'M', in, out, why, why_len);
    if (!strcmp(op, "Gemm"))
        return op_gemm(n, in, out, why, why_len);
    if (!strcmp(op, "MatMul"))
        return op_matmul(in, out, why, why_len);
    if (!strcmp(op, "LSTM"))
        return op_lstm(n, in, out, why, why_len);
    if (!strcmp(op, "Softmax") || !strcmp(op, "LogSoftmax"))
        return op_softmax(n, op[0] == 'L', opset, in, out, why, why_len);
    if (!strcmp(op, "LayerNormalization"))
        return op_layernorm(n, in, out, why, why_len);
    if (!strcmp(op, "Add"))
        return op_add(in, out, why, why_len);
    if (!strcmp(op, "Gather"))
        return op_gather(n, in, out, why, why_len);
    if (!strcmp(op, "Flatten"))
        return op_flatten(n, in, out, why, why_len);
    if (!strcmp(op, "Reshape"))
        return op_reshape(n, in, out, why, why_len);
    if (!strcmp(op, "Transpose"))
        return op_transpose(n, in, out, why, why_len);
    if (!strcmp(op, "Concat"))
        return op_concat(n, in, out, why, why_len);
    if (!strcmp(op, "Cast"))
        return op_cast(n, in[0], out, why, why_len);
    if (!strcmp(op, "Shape"))
        return op_shape(n, in[0], out, why, why_len);
    if (!strcmp(op, "Unsqueeze") || !strcmp(op, "Squeeze"))
        return op_squeeze(n, op[0] == 'U', in, out, why, why_len);
    if (!strcmp(op, "Expand"))
        return op_expand(in, out, why, why_len);
    return op_unary(n, in, out, why, why_len);
}
