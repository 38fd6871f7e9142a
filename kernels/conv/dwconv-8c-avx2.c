/* AVX2 depthwise kernel: 8 channels per ymm (masked channel tail);
 * interior pixels in blocks of 4 that share each weight load, border pixels
 * one at a time with per-tap bounds checks. */
#include <immintrin.h>

#include "kernels/conv/conv-ukernels.h"
#include "kernels/simd/reduce-avx2.h"

#define CT 8

static inline __m256 act(__m256 v, int relu)
{
    return relu ? _mm256_max_ps(v, _mm256_setzero_ps()) : v;
}

static void pixel(const struct vnn_dwconv_row *r, size_t ow)
{
    const size_t C = r->channels, cs = r->cstride;
    ptrdiff_t iw0 = (ptrdiff_t)(ow * r->stride_w) - (ptrdiff_t)r->pad_left;
    for (size_t c0 = 0; c0 < C; c0 += CT) {
        __m256i m = vnn_tail_mask_avx2(C - c0 < CT ? C - c0 : CT);
        __m256 acc = _mm256_load_ps(r->bias + c0);
        for (size_t j = 0; j < r->taps_h; j++) {
            const float *row = r->in + j * r->in_row_stride + c0;
            const float *wj = r->w + j * r->kw_n * cs + c0;
            for (size_t kw = 0; kw < r->kw_n; kw++) {
                ptrdiff_t iw = iw0 + (ptrdiff_t)(kw * r->dilation_w);
                if (iw < 0 || iw >= (ptrdiff_t)r->in_w)
                    continue;
                acc = _mm256_fmadd_ps(_mm256_maskload_ps(row + (size_t)iw * C, m),
                                      _mm256_load_ps(wj + kw * cs), acc);
            }
        }
        _mm256_maskstore_ps(r->out + ow * C + c0, m, act(acc, r->relu));
    }
}

#define PX(X) X(0) X(1) X(2) X(3)
#define P 4

/* P interior pixels starting at ow (every tap inside the row), channels
 * [c0, c0 + 8): inputs read with LOAD, results written with STORE (both
 * defined at the point of use: plain for full tiles, masked for the tail). */
#define BLOCK_BODY                                                                   \
    {                                                                                \
        __m256 b = _mm256_load_ps(r->bias + c0);                                     \
        PX(INIT)                                                                     \
        for (size_t j = 0; j < r->taps_h; j++) {                                     \
            const float *row = base + j * r->in_row_stride + c0;                     \
            const float *wj = r->w + j * r->kw_n * cs + c0;                          \
            for (size_t kw = 0; kw < r->kw_n; kw++) {                                \
                __m256 wv = _mm256_load_ps(wj + kw * cs);                            \
                const float *p = row + kw * ks;                                      \
                PX(FMA)                                                              \
            }                                                                        \
        }                                                                            \
        float *o = r->out + ow * C + c0;                                             \
        PX(STORE)                                                                    \
    }
#define INIT(i) __m256 acc##i = b;
#define FMA(i) acc##i = _mm256_fmadd_ps(LOAD(p + (i) * ps), wv, acc##i);
#define LOAD_FULL(q) _mm256_loadu_ps(q)
#define LOAD_TAIL(q) _mm256_maskload_ps(q, m)
#define STORE_FULL(i) _mm256_storeu_ps(o + (i) * C, act(acc##i, r->relu));
#define STORE_TAIL(i) _mm256_maskstore_ps(o + (i) * C, m, act(acc##i, r->relu));

static void block(const struct vnn_dwconv_row *r, size_t ow)
{
    const size_t C = r->channels, cs = r->cstride;
    const size_t ps = r->stride_w * C, ks = r->dilation_w * C;
    const float *base = r->in + (ow * r->stride_w - r->pad_left) * C;
    size_t c0 = 0;
    for (; c0 + CT <= C; c0 += CT) {
#define LOAD LOAD_FULL
#define STORE STORE_FULL
        BLOCK_BODY
#undef LOAD
#undef STORE
    }
    if (c0 < C) {
        __m256i m = vnn_tail_mask_avx2(C - c0);
#define LOAD LOAD_TAIL
#define STORE STORE_TAIL
        BLOCK_BODY
#undef LOAD
#undef STORE
    }
}

void vnn_dwconv_ukernel_8c__avx2(const struct vnn_dwconv_row *r)
{
    size_t ow = 0;
    for (; ow < r->ow_lo; ow++)
        pixel(r, ow);
    for (; ow + P <= r->ow_hi; ow += P)
        block(r, ow);
    for (; ow < r->out_w; ow++)
        pixel(r, ow);
}
