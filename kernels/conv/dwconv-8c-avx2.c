/* AVX2 depthwise kernel: 8 channels per ymm (masked channel tail).
 * Rows with three kernel rows of three taps keep the nine weight vectors of
 * a channel tile in registers (9 of the 16 ymm, 4 accumulators and an input
 * beside them), as the AVX-512 kernel does; with stride 1 and dilation 1 the
 * 4 pixels of a block read 6 input vectors per kernel row, each loaded once
 * and used by up to three FMAs (18 loads per 36 FMAs, not 36 + 9 weights).
 * Other rows: interior pixels in blocks of 4 that share each weight load.
 * Border pixels one at a time with per-tap bounds checks. Measured on
 * MobileNet's 112x112x32 (one thread, Zen 5 held to AVX2): 0.72x oneDNN's
 * jit_dw:avx2 before the 3x3 path. */
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

#define TAPS3(X) X(0, 0) X(0, 1) X(0, 2) X(1, 0) X(1, 1) X(1, 2) X(2, 0) X(2, 1) X(2, 2)

/* Three kernel rows of three taps, pixels [ow, end), channels [c0, c0 + 8)
 * (`full`) or the masked tail. Each accumulator adds its taps in kernel
 * order, as pixel() and block() do. */
static inline __attribute__((always_inline)) void row3x3_tile(const struct vnn_dwconv_row *r,
                                                               size_t c0, int full, size_t ow,
                                                               size_t end)
{
    const size_t C = r->channels, cs = r->cstride;
    const size_t ps = r->stride_w * C, ks = r->dilation_w * C, rs = r->in_row_stride;
    const __m256i m = vnn_tail_mask_avx2(full ? CT : C - c0);
    const int relu = r->relu;
#define LOADW(j, k) const __m256 w##j##k = _mm256_load_ps(r->w + ((j) * 3 + (k)) * cs + c0);
    TAPS3(LOADW)
    const float *bias = r->bias + c0;
#define LD(q) (full ? _mm256_loadu_ps(q) : _mm256_maskload_ps(q, m))
#define ST(q, v)                                                                       \
    do {                                                                               \
        if (full)                                                                      \
            _mm256_storeu_ps(q, act(v, relu));                                         \
        else                                                                           \
            _mm256_maskstore_ps(q, m, act(v, relu));                                   \
    } while (0)
    float *out = r->out + c0;
#define TAPP(j, k) acc = _mm256_fmadd_ps(LD(qk + (j) * rs), w##j##k, acc);
    /* Border pixel: taps outside the row skipped, the rest in kernel order. */
#define PIXEL(ow)                                                                      \
    do {                                                                               \
        ptrdiff_t iw0 = (ptrdiff_t)((ow) * r->stride_w) - (ptrdiff_t)r->pad_left;      \
        __m256 acc = _mm256_load_ps(bias);                                             \
        for (int j = 0; j < 3; j++)                                                    \
            for (int k = 0; k < 3; k++) {                                              \
                ptrdiff_t iw = iw0 + k * (ptrdiff_t)r->dilation_w;                     \
                if (iw < 0 || iw >= (ptrdiff_t)r->in_w)                                \
                    continue;                                                          \
                const float *qk = r->in + c0 + (size_t)iw * C;                         \
                if (j == 0 && k == 0) { TAPP(0, 0) }                                   \
                if (j == 0 && k == 1) { TAPP(0, 1) }                                   \
                if (j == 0 && k == 2) { TAPP(0, 2) }                                   \
                if (j == 1 && k == 0) { TAPP(1, 0) }                                   \
                if (j == 1 && k == 1) { TAPP(1, 1) }                                   \
                if (j == 1 && k == 2) { TAPP(1, 2) }                                   \
                if (j == 2 && k == 0) { TAPP(2, 0) }                                   \
                if (j == 2 && k == 1) { TAPP(2, 1) }                                   \
                if (j == 2 && k == 2) { TAPP(2, 2) }                                   \
            }                                                                          \
        ST(out + (ow) * C, acc);                                                       \
    } while (0)
    for (; ow < end && ow < r->ow_lo; ow++)
        PIXEL(ow);
    const float *in = r->in + c0;
    const size_t pl = r->pad_left * C, hi = end < r->ow_hi ? end : r->ow_hi;
#define INITB(i) __m256 acc##i = _mm256_load_ps(bias);
#define STOREB(i) ST(out + (ow + (i)) * C, acc##i);
#define SLF(j, k, i) acc##i = _mm256_fmadd_ps(x, w##j##k, acc##i);
#define ROWSL(j)                                                                       \
    {                                                                                  \
        const float *rp = q + (j) * rs;                                                \
        __m256 x = LD(rp);                                                             \
        SLF(j, 0, 0)                                                                   \
        x = LD(rp + C);                                                                \
        SLF(j, 1, 0) SLF(j, 0, 1)                                                      \
        x = LD(rp + 2 * C);                                                            \
        SLF(j, 2, 0) SLF(j, 1, 1) SLF(j, 0, 2)                                         \
        x = LD(rp + 3 * C);                                                            \
        SLF(j, 2, 1) SLF(j, 1, 2) SLF(j, 0, 3)                                         \
        x = LD(rp + 4 * C);                                                            \
        SLF(j, 2, 2) SLF(j, 1, 3)                                                      \
        x = LD(rp + 5 * C);                                                            \
        SLF(j, 2, 3)                                                                   \
    }
    if (r->stride_w == 1 && r->dilation_w == 1) {
        for (; ow + 4 <= hi; ow += 4) {
            const float *q = in + (ow * C - pl);
            PX(INITB)
            ROWSL(0) ROWSL(1) ROWSL(2)
            PX(STOREB)
        }
    }
#define TAPB(i, j, k)                                                                  \
    acc##i = _mm256_fmadd_ps(LD(q + (i) * ps + (j) * rs + (k) * ks), w##j##k, acc##i);
#define TAPROW4(j, k) TAPB(0, j, k) TAPB(1, j, k) TAPB(2, j, k) TAPB(3, j, k)
    for (; ow + 4 <= hi; ow += 4) {
        const float *q = in + (ow * ps - pl);
        PX(INITB)
        TAPS3(TAPROW4)
        PX(STOREB)
    }
    for (; ow < end; ow++)
        PIXEL(ow);
#undef LD
#undef ST
#undef PIXEL
}

/* Interior pixels in spans: every channel tile of a span before the next
 * span, so the span's input rows (3 x 32 pixels) stay in L1 for all tiles. */
#define SPAN 32

static void row3x3(const struct vnn_dwconv_row *r)
{
    for (size_t ow = 0; ow < r->out_w;) {
        size_t end = ow < r->ow_lo   ? r->ow_lo
                     : ow < r->ow_hi ? (ow + SPAN < r->ow_hi ? ow + SPAN : r->ow_hi)
                                     : r->out_w;
        size_t c0 = 0;
        for (; c0 + CT <= r->channels; c0 += CT)
            row3x3_tile(r, c0, 1, ow, end);
        if (c0 < r->channels)
            row3x3_tile(r, c0, 0, ow, end);
        ow = end;
    }
}

void vnn_dwconv_ukernel_8c__avx2(const struct vnn_dwconv_row *r)
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
