/* AVX-512 depthwise kernel: 16 channels per zmm (masked channel tail).
 * Rows with three kernel rows of three taps (3x3, any stride/dilation, not
 * clipped by the top or bottom of the image) keep the nine weight vectors
 * of a channel tile in registers; other rows load each tap's weights once
 * per block of 8 interior pixels. Border pixels check their taps.
 * With stride 1 and dilation 1 (MobileNet's 3x3 layers) the interior goes
 * in spans of pixels, two channel tiles at a time, each input vector loaded
 * once per kernel row (row3x3_pair); measured against oneDNN's brdgmm_dw on
 * 112x112x32 it went from about 0.8x to 1.0x (that shape streams from L3),
 * and to 1.2x on shapes whose rows stay in L2. */
#include <immintrin.h>

#include "kernels/conv/conv-ukernels.h"
#include "kernels/simd/mask-avx512.h"

#define CT 16

/* Lanes of the channels [c0, C) left, all of them from CT on. A select, not
 * a clamp of the count: with the clamp, GCC's code for this kernel ran
 * about 4% slower on 5x5 rows. */
static inline __mmask16 channel_mask(size_t left)
{
    return left >= CT ? (__mmask16)0xffff : vnn_tail_mask_avx512(left);
}

static inline __m512 act(__m512 v, int relu)
{
    return relu ? _mm512_max_ps(v, _mm512_setzero_ps()) : v;
}

/* One pixel, any position: taps outside the row are skipped. */
static void pixel(const struct vnn_dwconv_row *r, size_t ow)
{
    const size_t C = r->channels, cs = r->cstride;
    ptrdiff_t iw0 = (ptrdiff_t)(ow * r->stride_w) - (ptrdiff_t)r->pad_left;
    for (size_t c0 = 0; c0 < C; c0 += CT) {
        __mmask16 m = channel_mask(C - c0);
        __m512 acc = _mm512_load_ps(r->bias + c0);
        for (size_t j = 0; j < r->taps_h; j++) {
            const float *row = r->in + j * r->in_row_stride + c0;
            const float *wj = r->w + j * r->kw_n * cs + c0;
            for (size_t kw = 0; kw < r->kw_n; kw++) {
                ptrdiff_t iw = iw0 + (ptrdiff_t)(kw * r->dilation_w);
                if (iw < 0 || iw >= (ptrdiff_t)r->in_w)
                    continue;
                acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, row + (size_t)iw * C),
                                      _mm512_load_ps(wj + kw * cs), acc);
            }
        }
        _mm512_mask_storeu_ps(r->out + ow * C + c0, m, act(acc, r->relu));
    }
}

#define PX(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define P 8

/* P interior pixels starting at ow (every tap inside the row), channels
 * [c0, c0 + 16): inputs read with LOAD, results written with STORE (both
 * defined at the point of use: plain for full tiles, masked for the tail). */
#define BLOCK_BODY                                                                   \
    {                                                                                \
        __m512 b = _mm512_load_ps(r->bias + c0);                                     \
        PX(INIT)                                                                     \
        for (size_t j = 0; j < r->taps_h; j++) {                                     \
            const float *row = base + j * r->in_row_stride + c0;                     \
            const float *wj = r->w + j * r->kw_n * cs + c0;                          \
            for (size_t kw = 0; kw < r->kw_n; kw++) {                                \
                __m512 wv = _mm512_load_ps(wj + kw * cs);                            \
                const float *p = row + kw * ks;                                      \
                PX(FMA)                                                              \
            }                                                                        \
        }                                                                            \
        float *o = r->out + ow * C + c0;                                             \
        PX(STORE)                                                                    \
    }
#define INIT(i) __m512 acc##i = b;
#define FMA(i) acc##i = _mm512_fmadd_ps(LOAD(p + (i) * ps), wv, acc##i);
#define LOAD_FULL(q) _mm512_loadu_ps(q)
#define LOAD_TAIL(q) _mm512_maskz_loadu_ps(m, q)
#define STORE_FULL(i) _mm512_storeu_ps(o + (i) * C, act(acc##i, r->relu));
#define STORE_TAIL(i) _mm512_mask_storeu_ps(o + (i) * C, m, act(acc##i, r->relu));

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
        __mmask16 m = vnn_tail_mask_avx512(C - c0);
#define LOAD LOAD_TAIL
#define STORE STORE_TAIL
        BLOCK_BODY
#undef LOAD
#undef STORE
    }
}

#define TAPS3(X) X(0, 0) X(0, 1) X(0, 2) X(1, 0) X(1, 1) X(1, 2) X(2, 0) X(2, 1) X(2, 2)

/* Three kernel rows of three taps, all rows inside the image: per channel
 * tile the nine weight vectors stay in registers for the whole row, and
 * each tap of a pixel is one FMA with its input load. `full`: a whole
 * channel tile (plain loads and stores) or the masked tail. */
static inline __attribute__((always_inline)) void row3x3_tile(const struct vnn_dwconv_row *r,
                                                               size_t c0, int full, size_t ow,
                                                               size_t end)
{
    const size_t C = r->channels, cs = r->cstride;
    const size_t ps = r->stride_w * C, ks = r->dilation_w * C, rs = r->in_row_stride;
    const __mmask16 m = channel_mask(C - c0);
    const int relu = r->relu;
#define LOADW(j, k) const __m512 w##j##k = _mm512_load_ps(r->w + ((j) * 3 + (k)) * cs + c0);
    TAPS3(LOADW)
    const __m512 bias = _mm512_load_ps(r->bias + c0);
#define LD(q) (full ? _mm512_loadu_ps(q) : _mm512_maskz_loadu_ps(m, q))
#define ST(q, v)                                                                       \
    do {                                                                               \
        if (full)                                                                      \
            _mm512_storeu_ps(q, act(v, relu));                                         \
        else                                                                           \
            _mm512_mask_storeu_ps(q, m, act(v, relu));                                 \
    } while (0)
    float *out = r->out + c0;
    /* One pixel: a chain per kernel column (3 FMAs deep, not 9); columns
     * outside the row (border pixels) are skipped. */
#define TAPC(j, k) s##k = _mm512_fmadd_ps(LD(qk + (j) * rs), w##j##k, s##k);
#define PIXEL(ow)                                                                      \
    do {                                                                               \
        ptrdiff_t iw0 = (ptrdiff_t)((ow) * r->stride_w) - (ptrdiff_t)r->pad_left;      \
        __m512 s0 = bias, s1 = _mm512_setzero_ps(), s2 = s1;                          \
        for (int k = 0; k < 3; k++) {                                                  \
            ptrdiff_t iw = iw0 + k * (ptrdiff_t)r->dilation_w;                         \
            if (iw < 0 || iw >= (ptrdiff_t)r->in_w)                                    \
                continue;                                                              \
            const float *qk = r->in + c0 + (size_t)iw * C;                             \
            if (k == 0) { TAPC(0, 0) TAPC(1, 0) TAPC(2, 0) }                           \
            if (k == 1) { TAPC(0, 1) TAPC(1, 1) TAPC(2, 1) }                           \
            if (k == 2) { TAPC(0, 2) TAPC(1, 2) TAPC(2, 2) }                           \
        }                                                                              \
        ST(out + (ow) * C, _mm512_add_ps(_mm512_add_ps(s0, s1), s2));                  \
    } while (0)
    for (; ow < end && ow < r->ow_lo; ow++)
        PIXEL(ow);
    /* Interior pixel ow's first tap: in + ow * ps - pad_left * C >= in. */
    const float *in = r->in + c0;
    const size_t pl = r->pad_left * C, hi = end < r->ow_hi ? end : r->ow_hi;
#define INITB(i) __m512 acc##i = bias;
#define TAPB(i, j, k) acc##i = _mm512_fmadd_ps(LD(q + (i) * ps + (j) * rs + (k) * ks), w##j##k, acc##i);
#define STOREB(i) ST(out + (ow + (i)) * C, acc##i);
    /* Stride 1, dilation 1: pixel i's tap k of a kernel row is column
     * i + k, so the 8 pixels read 10 input vectors per kernel row, each
     * loaded once and used by up to three FMAs (30 loads, not 72, and few
     * enough addresses to stay in registers); each accumulator still adds
     * its taps in kernel order. */
#define SLF(j, k, i) acc##i = _mm512_fmadd_ps(x, w##j##k, acc##i);
#define ROWSL(j)                                                                       \
    {                                                                                  \
        const float *rp = q + (j) * rs;                                                \
        __m512 x = LD(rp);                                                             \
        SLF(j, 0, 0)                                                                   \
        x = LD(rp + ps);                                                               \
        SLF(j, 1, 0) SLF(j, 0, 1)                                                      \
        x = LD(rp + 2 * ps);                                                           \
        SLF(j, 2, 0) SLF(j, 1, 1) SLF(j, 0, 2)                                         \
        x = LD(rp + 3 * ps);                                                           \
        SLF(j, 2, 1) SLF(j, 1, 2) SLF(j, 0, 3)                                         \
        x = LD(rp + 4 * ps);                                                           \
        SLF(j, 2, 2) SLF(j, 1, 3) SLF(j, 0, 4)                                         \
        x = LD(rp + 5 * ps);                                                           \
        SLF(j, 2, 3) SLF(j, 1, 4) SLF(j, 0, 5)                                         \
        x = LD(rp + 6 * ps);                                                           \
        SLF(j, 2, 4) SLF(j, 1, 5) SLF(j, 0, 6)                                         \
        x = LD(rp + 7 * ps);                                                           \
        SLF(j, 2, 5) SLF(j, 1, 6) SLF(j, 0, 7)                                         \
        x = LD(rp + 8 * ps);                                                           \
        SLF(j, 2, 6) SLF(j, 1, 7)                                                      \
        x = LD(rp + 9 * ps);                                                           \
        SLF(j, 2, 7)                                                                   \
    }
    if (r->stride_w == 1 && r->dilation_w == 1) {
        for (; ow + 8 <= hi; ow += 8) {
            const float *q = in + (ow * ps - pl);
            PX(INITB)
            ROWSL(0) ROWSL(1) ROWSL(2)
            PX(STOREB)
        }
    }
    for (; ow + 8 <= hi; ow += 8) {
        const float *q = in + (ow * ps - pl);
        PX(INITB)
#define TAPROW8(j, k) TAPB(0, j, k) TAPB(1, j, k) TAPB(2, j, k) TAPB(3, j, k)            \
                      TAPB(4, j, k) TAPB(5, j, k) TAPB(6, j, k) TAPB(7, j, k)
        TAPS3(TAPROW8)
        PX(STOREB)
    }
    for (; ow + 4 <= hi; ow += 4) {
        const float *q = in + (ow * ps - pl);
#define PX4(X) X(0) X(1) X(2) X(3)
        PX4(INITB)
#define TAPROW4(j, k) TAPB(0, j, k) TAPB(1, j, k) TAPB(2, j, k) TAPB(3, j, k)
        TAPS3(TAPROW4)
        PX4(STOREB)
    }
    for (; ow < end; ow++)
        PIXEL(ow);
#undef LD
#undef ST
#undef PIXEL
}

/* Stride 1, dilation 1, interior pixels [ow, end), channels [c0, c0 + 32):
 * two channel tiles at once, 4 pixels a block, so each pixel's 32 channels
 * (two whole cache lines when C is 32) are read and written together, the
 * input rows walked line after line, which the prefetchers keep up with
 * when the rows come from L3. Weights stay in registers (18 of them); each
 * accumulator adds its taps in kernel order, as row3x3_tile does. Returns
 * the first pixel not done (fewer than 4 are left). */
static size_t row3x3_pair(const struct vnn_dwconv_row *r, size_t c0, size_t ow, size_t end)
{
    const size_t C = r->channels, cs = r->cstride, rs = r->in_row_stride;
#define LOADW2(j, k)                                                                   \
    const __m512 a##j##k = _mm512_load_ps(r->w + ((j) * 3 + (k)) * cs + c0);          \
    const __m512 b##j##k = _mm512_load_ps(r->w + ((j) * 3 + (k)) * cs + c0 + CT);
    TAPS3(LOADW2)
    const float *bias = r->bias + c0;
    const float *in = r->in + c0;
    float *out = r->out + c0;
    const size_t pl = r->pad_left * C;
    const int relu = r->relu;
#define P2F(j, k, i)                                                                   \
    pa##i = _mm512_fmadd_ps(xa, a##j##k, pa##i);                                       \
    pb##i = _mm512_fmadd_ps(xb, b##j##k, pb##i);
#define P2X(m)                                                                         \
    xa = _mm512_loadu_ps(rp + (m) * C);                                                \
    xb = _mm512_loadu_ps(rp + (m) * C + CT);
#define P2ROW(j)                                                                       \
    {                                                                                  \
        const float *rp = q + (j) * rs;                                                \
        __m512 xa, xb;                                                                 \
        P2X(0) P2F(j, 0, 0)                                                            \
        P2X(1) P2F(j, 1, 0) P2F(j, 0, 1)                                               \
        P2X(2) P2F(j, 2, 0) P2F(j, 1, 1) P2F(j, 0, 2)                                  \
        P2X(3) P2F(j, 2, 1) P2F(j, 1, 2) P2F(j, 0, 3)                                  \
        P2X(4) P2F(j, 2, 2) P2F(j, 1, 3)                                               \
        P2X(5) P2F(j, 2, 3)                                                            \
    }
#define P2INIT(i) __m512 pa##i = _mm512_load_ps(bias), pb##i = _mm512_load_ps(bias + CT);
#define P2STORE(i)                                                                     \
    _mm512_storeu_ps(out + (ow + (i)) * C, act(pa##i, relu));                          \
    _mm512_storeu_ps(out + (ow + (i)) * C + CT, act(pb##i, relu));
#define PX4B(X) X(0) X(1) X(2) X(3)
    for (; ow + 4 <= end; ow += 4) {
        const float *q = in + (ow * C - pl);
        PX4B(P2INIT)
        P2ROW(0) P2ROW(1) P2ROW(2)
        PX4B(P2STORE)
    }
    return ow;
}

/* Interior pixels go in spans: every channel tile of a span is done before
 * the next span, so the rows are walked in order once per span rather than
 * once per channel tile. */
#define SPAN 32

static void row3x3(const struct vnn_dwconv_row *r)
{
    const int unit = r->stride_w == 1 && r->dilation_w == 1;
    for (size_t ow = 0; ow < r->out_w;) {
        size_t end = ow < r->ow_lo   ? r->ow_lo
                     : ow < r->ow_hi ? (ow + SPAN < r->ow_hi ? ow + SPAN : r->ow_hi)
                                     : r->out_w;
        size_t c0 = 0;
        if (unit && ow >= r->ow_lo && end <= r->ow_hi) {
            for (; c0 + 2 * CT <= r->channels; c0 += 2 * CT) {
                size_t done = row3x3_pair(r, c0, ow, end);
                if (done < end) {
                    row3x3_tile(r, c0, 1, done, end);
                    row3x3_tile(r, c0 + CT, 1, done, end);
                }
            }
        }
        for (; c0 + CT <= r->channels; c0 += CT)
            row3x3_tile(r, c0, 1, ow, end);
        if (c0 < r->channels)
            row3x3_tile(r, c0, 0, ow, end);
        ow = end;
    }
}

void vnn_dwconv_ukernel_16c__avx512(const struct vnn_dwconv_row *r)
{
    if (r->taps_h == 3 && r->kw_n == 3) {
        row3x3(r);
        return;
    }
    size_t ow = 0;
    for (; ow < r->ow_lo; ow++)
        pixel(r, ow);
    for (; ow + P <= r->ow_hi; ow += P)
        block(r, ow);
    for (; ow < r->out_w; ow++)
        pixel(r, ow);
}
