#include "conv-reference.h"

#include <stddef.h>
#include <stdint.h>

#ifdef VT_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

static void output_size(const vnn_conv2d_desc *d, int64_t *OH, int64_t *OW)
{
    *OH = (d->H + d->pad_top + d->pad_bottom - ((d->kernel_h - 1) * d->dilation_h + 1)) /
              d->stride_h + 1;
    *OW = (d->W + d->pad_left + d->pad_right - ((d->kernel_w - 1) * d->dilation_w + 1)) /
              d->stride_w + 1;
}

#ifdef VT_HAVE_DNNL

const char *conv_ref_name(void) { return "oneDNN convolution forward"; }

#include "vt-dnnl.h"

static dnnl_engine_t engine;
static dnnl_stream_t stream;

int conv_ref(const vnn_conv2d_desc *d, const float *x, const float *w, const float *bias,
             float *y)
{
    int rc = 1;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t prim = NULL;
    dnnl_memory_t mx = NULL, mw = NULL, mb = NULL, my = NULL;
    VT_DNNL_TRY(vt_dnnl_get(&engine, &stream));
    int64_t OH, OW, G = d->groups;
    output_size(d, &OH, &OW);
    dnnl_memory_desc_t xd, wd, bd, yd;
    dnnl_dims_t xdims = {d->N, d->C_in, d->H, d->W}, ydims = {d->N, d->C_out, OH, OW};
    dnnl_dims_t bdims = {d->C_out};
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&xd, 4, xdims, dnnl_f32, dnnl_nhwc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&yd, 4, ydims, dnnl_f32, dnnl_nhwc));
    VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&bd, 1, bdims, dnnl_f32, dnnl_a));
    if (G == 1) {
        dnnl_dims_t wdims = {d->C_out, d->C_in, d->kernel_h, d->kernel_w};
        VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&wd, 4, wdims, dnnl_f32, dnnl_hwio));
    } else { /* hwigo: [KH][KW][C_in/G][G][C_out/G], the same bytes as ours */
        dnnl_dims_t wdims = {G, d->C_out / G, d->C_in / G, d->kernel_h, d->kernel_w};
        VT_DNNL_TRY(dnnl_memory_desc_init_by_tag(&wd, 5, wdims, dnnl_f32, dnnl_hwigo));
    }
    dnnl_dims_t strides = {d->stride_h, d->stride_w};
    dnnl_dims_t dilates = {d->dilation_h - 1, d->dilation_w - 1}; /* oneDNN: 0 = dense */
    dnnl_dims_t pad_l = {d->pad_top, d->pad_left}, pad_r = {d->pad_bottom, d->pad_right};
    dnnl_convolution_desc_t cd;
    VT_DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference,
                                                   dnnl_convolution_direct, &xd, &wd,
                                                   bias ? &bd : NULL, &yd, strides, dilates,
                                                   pad_l, pad_r));
    VT_DNNL_TRY(dnnl_primitive_attr_create(&attr));
    if (d->act == VNN_ACT_RELU) {
        VT_DNNL_TRY(dnnl_post_ops_create(&ops));
        VT_DNNL_TRY(dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
        VT_DNNL_TRY(dnnl_primitive_attr_set_post_ops(attr, ops));
    }
    VT_DNNL_TRY(dnnl_primitive_desc_create(&pd, &cd, attr, engine, NULL));
    VT_DNNL_TRY(dnnl_primitive_create(&prim, pd));
    VT_DNNL_TRY(dnnl_memory_create(&mx, &xd, engine, (void *)x));
    VT_DNNL_TRY(dnnl_memory_create(&mw, &wd, engine, (void *)w));
    VT_DNNL_TRY(dnnl_memory_create(&my, &yd, engine, y));
    dnnl_exec_arg_t args[4] = {
        {DNNL_ARG_SRC, mx}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_DST, my}, {DNNL_ARG_BIAS, NULL}};
    int nargs = 3;
    if (bias) {
        VT_DNNL_TRY(dnnl_memory_create(&mb, &bd, engine, (void *)bias));
        args[3].memory = mb;
        nargs = 4;
    }
    VT_DNNL_TRY(dnnl_primitive_execute(prim, stream, nargs, args));
    VT_DNNL_TRY(dnnl_stream_wait(stream));
    rc = 0;
out:
    dnnl_memory_destroy(mx);
    dnnl_memory_destroy(mw);
    dnnl_memory_destroy(mb);
    dnnl_memory_destroy(my);
    dnnl_primitive_destroy(prim);
    dnnl_primitive_desc_destroy(pd);
    dnnl_post_ops_destroy(ops);
    dnnl_primitive_attr_destroy(attr);
    return rc;
}

#else

const char *conv_ref_name(void) { return "direct loops"; }

int conv_ref(const vnn_conv2d_desc *d, const float *x, const float *w, const float *bias,
             float *y)
{
    int64_t OH, OW;
    output_size(d, &OH, &OW);
    const int64_t cig = d->C_in / d->groups, cog = d->C_out / d->groups;
    for (int64_t n = 0; n < d->N; n++)
        for (int64_t oh = 0; oh < OH; oh++)
            for (int64_t ow = 0; ow < OW; ow++)
                for (int64_t co = 0; co < d->C_out; co++) {
                    int64_t g = co / cog;
                    float acc = 0.0f;
                    for (int64_t kh = 0; kh < d->kernel_h; kh++) {
                        int64_t ih = oh * d->stride_h - d->pad_top + kh * d->dilation_h;
                        if (ih < 0 || ih >= d->H)
                            continue;
                        for (int64_t kw = 0; kw < d->kernel_w; kw++) {
                            int64_t iw = ow * d->stride_w - d->pad_left + kw * d->dilation_w;
                            if (iw < 0 || iw >= d->W)
                                continue;
                            const float *px = x + ((n * d->H + ih) * d->W + iw) * d->C_in +
                                              g * cig;
                            const float *wk = w + (kh * d->kernel_w + kw) * cig * d->C_out + co;
                            for (int64_t ci = 0; ci < cig; ci++)
                                acc += px[ci] * wk[ci * d->C_out];
                        }
                    }
                    if (bias)
                        acc += bias[co];
                    if (d->act == VNN_ACT_RELU && acc < 0.0f)
                        acc = 0.0f;
                    y[((n * OH + oh) * OW + ow) * d->C_out + co] = acc;
                }
    return 0;
}

#endif
