#include "pool-reference.h"

#include <stddef.h>

#ifdef VT_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#else
#include "vt.h"
#endif

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t pool_ref_out_dim(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1, bool ceil)
{
    /* pooling_output_shape_pad_lr with dilation 1. */
    int64_t o = floor_div(in + p0 + p1 - (k - 1) - 1 + (ceil ? s - 1 : 0), s) + 1;
    if (ceil && (o - 1) * s >= in + p0)
        --o;
    return o;
}

/* The trailing padding that makes oneDNN's floor-mode size equal to the
 * ceil-mode one: the last window ends at (o - 1) * s - p0 + k. */
static int64_t dnnl_pad_after(int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1,
                              int64_t o)
{
    int64_t need = (o - 1) * s - p0 + k - in;
    return need > p1 ? need : p1;
}

bool pool_ref_dnnl_agrees(enum pool_kind kind, const vnn_pool2d_params *p, int64_t H, int64_t W)
{
    if (kind != POOL_AVG || !p->count_include_pad || !p->ceil_mode)
        return true;
    int64_t OH = pool_ref_out_dim(H, p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom, true);
    int64_t OW = pool_ref_out_dim(W, p->kernel_w, p->stride_w, p->pad_left, p->pad_right, true);
    return dnnl_pad_after(H, p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom, OH) ==
               p->pad_bottom &&
           dnnl_pad_after(W, p->kernel_w, p->stride_w, p->pad_left, p->pad_right, OW) ==
               p->pad_right;
}

#ifdef VT_HAVE_DNNL

const char *pool_ref_name(void) { return "oneDNN pooling forward"; }

#include "vt-dnnl.h"

static dnnl_engine_t engine;
static dnnl_stream_t stream;

static int run_dnnl(dnnl_alg_kind_t alg, int64_t N, int64_t H, int64_t W, int64_t C,
                    const float *x, int64_t OH, int64_t OW, float *y, const dnnl_dims_t kernel,
                    const dnnl_dims_t strides, const dnnl_dims_t pad_l, const dnnl_dims_t pad_r)
{
    int rc = 1;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t prim = NULL;
    dnnl_memory_t mx = NULL, my = NULL;
    VT_DNNL_TRY(vt_dnnl_get(&engine, &stream));
    dnnl_memory_desc_t xd, yd;
    dnnl_dims_t xdims = {N, C, H, W}, ydims = {N, C, OH, OW}, dil = {0, 0};
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&xd, 4, xdims, dnnl_f32, dnnl_nhwc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&yd, 4, ydims, dnnl_f32, dnnl_nhwc));
    dnnl_pooling_v2_desc_t desc;
    VT_DNNL_TRY(dnnl_pooling_v2_forward_desc_init(&desc, dnnl_forward_inference, alg, &xd, &yd,
                                          strides, kernel, dil, pad_l, pad_r));
    VT_DNNL_TRY(dnnl_primitive_desc_create(&pd, &desc, NULL, engine, NULL));
    VT_DNNL_TRY(dnnl_primitive_create(&prim, pd));
    VT_DNNL_TRY(dnnl_memory_create(&mx, &xd, engine, (void *)x));
    VT_DNNL_TRY(dnnl_memory_create(&my, &yd, engine, y));
    dnnl_exec_arg_t args[2] = {{DNNL_ARG_SRC, mx}, {DNNL_ARG_DST, my}};
    VT_DNNL_TRY(dnnl_primitive_execute(prim, stream, 2, args));
    VT_DNNL_TRY(dnnl_stream_wait(stream));
    rc = 0;
out:
    dnnl_memory_destroy(mx);
    dnnl_memory_destroy(my);
    dnnl_primitive_destroy(prim);
    dnnl_primitive_desc_destroy(pd);
    return rc;
}

int pool_ref(enum pool_kind kind, const vnn_pool2d_params *p, int64_t N, int64_t H, int64_t W,
             int64_t C, const float *x, int64_t OH, int64_t OW, float *y)
{
    dnnl_alg_kind_t alg = kind == POOL_MAX           ? dnnl_pooling_max
                          : p->count_include_pad ? dnnl_pooling_avg_include_padding
                                                 : dnnl_pooling_avg_exclude_padding;
    /* Ceil mode as oneDNN has none: the bottom/right padding grows until
     * its floor-mode size is ours. Max and exclude-padding averages never
     * see the padding, so they are unchanged. */
    dnnl_dims_t kernel = {p->kernel_h, p->kernel_w}, strides = {p->stride_h, p->stride_w};
    dnnl_dims_t pad_l = {p->pad_top, p->pad_left};
    dnnl_dims_t pad_r = {
        dnnl_pad_after(H, p->kernel_h, p->stride_h, p->pad_top, p->pad_bottom, OH),
        dnnl_pad_after(W, p->kernel_w, p->stride_w, p->pad_left, p->pad_right, OW)};
    return run_dnnl(alg, N, H, W, C, x, OH, OW, y, kernel, strides, pad_l, pad_r);
}

int pool_ref_global_avg(int64_t N, int64_t H, int64_t W, int64_t C, const float *x, float *y)
{
    dnnl_dims_t kernel = {H, W}, strides = {1, 1}, pad = {0, 0};
    return run_dnnl(dnnl_pooling_avg_exclude_padding, N, H, W, C, x, 1, 1, y, kernel, strides,
                    pad, pad);
}

#else

const char *pool_ref_name(void) { return "vnn scalar kernels"; }

int pool_ref(enum pool_kind kind, const vnn_pool2d_params *p, int64_t N, int64_t H, int64_t W,
             int64_t C, const float *x, int64_t OH, int64_t OW, float *y)
{
    VT_RETURN_ON_SCALAR(kind == POOL_MAX ? vnn_maxpool2d(p, N, H, W, C, x, OH, OW, y)
                                         : vnn_avgpool2d(p, N, H, W, C, x, OH, OW, y));
}

int pool_ref_global_avg(int64_t N, int64_t H, int64_t W, int64_t C, const float *x, float *y)
{
    VT_RETURN_ON_SCALAR(vnn_global_avgpool2d(N, H, W, C, x, y));
}

#endif

static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

void pool_ref_pytorch(enum pool_kind kind, const vnn_pool2d_params *p, int64_t N, int64_t H,
                      int64_t W, int64_t C, const float *x, int64_t OH, int64_t OW, float *y)
{
    for (int64_t n = 0; n < N; n++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++)
                for (int64_t c = 0; c < C; c++) {
                    /* cpu_avg_pool / cpu_max_pool, channels-last variants. */
                    int64_t ih0 = oh * p->stride_h - p->pad_top;
                    int64_t iw0 = ow * p->stride_w - p->pad_left;
                    int64_t ih1 = min64(ih0 + p->kernel_h, H + p->pad_bottom);
                    int64_t iw1 = min64(iw0 + p->kernel_w, W + p->pad_right);
                    int64_t pool_size = (ih1 - ih0) * (iw1 - iw0);
                    ih0 = max64(ih0, 0);
                    iw0 = max64(iw0, 0);
                    ih1 = min64(ih1, H);
                    iw1 = min64(iw1, W);
                    float acc = kind == POOL_MAX ? -__builtin_inff() : 0.0f;
                    for (int64_t ih = ih0; ih < ih1; ih++)
                        for (int64_t iw = iw0; iw < iw1; iw++) {
                            float v = x[((n * H + ih) * W + iw) * C + c];
                            if (kind == POOL_MAX)
                                acc = v > acc ? v : acc;
                            else
                                acc += v;
                        }
                    if (kind == POOL_AVG) {
                        int64_t div = p->count_include_pad ? pool_size
                                                           : (ih1 - ih0) * (iw1 - iw0);
                        acc /= (float)div;
                    }
                    y[((n * OH + oh) * OW + ow) * C + c] = acc;
                }
}
