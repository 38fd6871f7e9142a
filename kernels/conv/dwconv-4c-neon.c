/* NEON depthwise kernel: 4 channels per q register, the last C % 4
 * channels in scalar code; interior pixels in blocks of 4 that share each
 * weight load, border pixels one at a time with per-tap bounds checks. */
#include <arm_neon.h>

#include "kernels/conv/conv-ukernels.h"

#define CT 4

static inline float32x4_t act(float32x4_t v, int relu)
{
    return relu ? vmaxq_f32(v, vdupq_n_f32(0.0f)) : v;
}

/* Channels [c0, C) of one pixel in scalar code (the tail, or a border). */
static void pixel_scalar(const struct vnn_dwconv_row *r, size_t ow, size_t c0)
{
    const size_t C = r->channels, cs = r->cstride;
    ptrdiff_t iw0 = (ptrdiff_t)(ow * r->stride_w) - (ptrdiff_t)r->pad_left;
    for (size_t c = c0; c < C; c++) {
        float acc = r->bias[c];
        for (size_t j = 0; j < r->taps_h; j++) {
            const float *row = r->in + j * r->in_row_stride + c;
            const float *wj = r->w + j * r->kw_n * cs + c;
            for (size_t kw = 0; kw < r->kw_n; kw++) {
                ptrdiff_t iw = iw0 + (ptrdiff_t)(kw * r->dilation_w);
                if (iw >= 0 && iw < (ptrdiff_t)r->in_w)
                    acc += row[(size_t)iw * C] * wj[kw * cs];
            }
        }
        r->out[ow * C + c] = r->relu && acc < 0.0f ? 0.0f : acc;
    }
}

static void pixel(const struct vnn_dwconv_row *r, size_t ow)
{
    const size_t C = r->channels, cs = r->cstride, cv = C / CT * CT;
    ptrdiff_t iw0 = (ptrdiff_t)(ow * r->stride_w) - (ptrdiff_t)r->pad_left;
    for (size_t c0 = 0; c0 < cv; c0 += CT) {
        float32x4_t acc = vld1q_f32(r->bias + c0);
        for (size_t j = 0; j < r->taps_h; j++) {
            const float *row = r->in + j * r->in_row_stride + c0;
            const float *wj = r->w + j * r->kw_n * cs + c0;
            for (size_t kw = 0; kw < r->kw_n; kw++) {
                ptrdiff_t iw = iw0 + (ptrdiff_t)(kw * r->dilation_w);
                if (iw < 0 || iw >= (ptrdiff_t)r->in_w)
                    continue;
                acc = vfmaq_f32(acc, vld1q_f32(row + (size_t)iw * C), vld1q_f32(wj + kw * cs));
            }
        }
        vst1q_f32(r->out + ow * C + c0, act(acc, r->relu));
    }
    pixel_scalar(r, ow, cv);
}

#define PX(X) X(0) X(1) X(2) X(3)
#define P 4

static void block(const struct vnn_dwconv_row *r, size_t ow)
{
    const size_t C = r->channels, cs = r->cstride, cv = C / CT * CT;
    const size_t ps = r->stride_w * C, ks = r->dilation_w * C;
    const float *base = r->in + (ow * r->stride_w - r->pad_left) * C;
    for (size_t c0 = 0; c0 < cv; c0 += CT) {
        float32x4_t b = vld1q_f32(r->bias + c0);
#define INIT(i) float32x4_t acc##i = b;
        PX(INIT)
        for (size_t j = 0; j < r->taps_h; j++) {
            const float *row = base + j * r->in_row_stride + c0;
            const float *wj = r->w + j * r->kw_n * cs + c0;
            for (size_t kw = 0; kw < r->kw_n; kw++) {
                float32x4_t wv = vld1q_f32(wj + kw * cs);
                const float *p = row + kw * ks;
#define FMA(i) acc##i = vfmaq_f32(acc##i, vld1q_f32(p + (i) * ps), wv);
                PX(FMA)
            }
        }
        float *o = r->out + ow * C + c0;
#define STORE(i) vst1q_f32(o + (i) * C, act(acc##i, r->relu));
        PX(STORE)
    }
    if (cv < C)
        for (size_t i = 0; i < P; i++)
            pixel_scalar(r, ow + i, cv);
}

void vnn_dwconv_ukernel_4c__neon(const struct vnn_dwconv_row *r)
{
    size_t ow = 0;
    for (; ow < r->ow_lo; ow++)
        pixel(r, ow);
    for (; ow + P <= r->ow_hi; ow += P)
        block(r, ow);
    for (; ow < r->out_w; ow++)
        pixel(r, ow);
}
