/* AVX2 convolution of a single input channel (the first layer of a
 * grayscale CNN: 28x28x1 -> 32 channels, 3x3): one output row per call.
 * A tile is 6 pixels x 16 output channels in 12 ymm accumulators; per tap
 * the tap's 16 weights are loaded once (2 ymm) and each pixel's input is
 * broadcast into 2 FMAs: 8 loads per 12 FMAs. (3 pixels x 32 channels
 * needs 17 registers with its weights held, so the compiler reads them as
 * memory operands, up to 15 loads per 12 FMAs; it measured the same on
 * seed1 within this machine's noise, so the tile with fewer loads stays.)
 * All taps accumulate in registers; bias and ReLU on the way out. The
 * implicit GEMM ran this shape as 3 taps of k = 3 per tile and spent a
 * quarter of its time building tiles: 0.70-0.75x oneDNN's jit:avx2 on
 * seed1 (one thread, Zen 5 held to AVX2); this path, about 0.9x.
 * Channels past the last multiple of 16 go 8 at a time (masked tail). */
#include <immintrin.h>

#include "kernels/conv/conv-ukernels.h"
#include "kernels/simd/reduce-avx2.h"

/* MR pixels [ow, ow + MR) x NV vectors of channels from c0 (the last one
 * masked by m when `masked`). Accumulators in a constant-size array that
 * the compiler keeps in registers once the loops over MR and NV unroll. */
static inline __attribute__((always_inline)) void tile(const struct vnn_conv1c_row *r,
                                                       size_t ow, size_t c0, int MR, int NV,
                                                       int masked, __m256i m, size_t KH,
                                                       size_t KW)
{
    __m256 acc[6][2];
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++)
            acc[i][v] = _mm256_setzero_ps();
    const size_t sw = r->stride_w, cs = r->cstride;
    const float *in = r->in + ow * sw;
    const float *w = r->w + c0;
    for (size_t kh = 0; kh < KH; kh++, in += r->in_row_stride) {
        for (size_t kw = 0; kw < KW; kw++, w += cs) {
            for (int i = 0; i < MR; i++) {
                __m256 x = _mm256_broadcast_ss(in + (size_t)i * sw + kw);
                for (int v = 0; v < NV; v++)
                    acc[i][v] = _mm256_fmadd_ps(x, _mm256_load_ps(w + 8 * v), acc[i][v]);
            }
        }
    }
    const float *bias = r->bias + c0;
    float *out = r->out + ow * r->channels + c0;
    for (int i = 0; i < MR; i++)
        for (int v = 0; v < NV; v++) {
            __m256 y = _mm256_add_ps(acc[i][v], _mm256_load_ps(bias + 8 * v));
            if (r->relu)
                y = _mm256_max_ps(y, _mm256_setzero_ps());
            float *o = out + (size_t)i * r->channels + 8 * v;
            if (masked && v == NV - 1)
                _mm256_maskstore_ps(o, m, y);
            else
                _mm256_storeu_ps(o, y);
        }
}

/* Pixels [ow, OW) in tiles of 6 (then one of what is left). */
#define TILES(NV, MASKED, M)                                                           \
    do {                                                                               \
        size_t ow = 0;                                                                 \
        for (; ow + 6 <= OW; ow += 6)                                                  \
            tile(r, ow, c0, 6, NV, MASKED, M, KH, KW);                                 \
        switch (OW - ow) {                                                             \
        case 5: tile(r, ow, c0, 5, NV, MASKED, M, KH, KW); break;                      \
        case 4: tile(r, ow, c0, 4, NV, MASKED, M, KH, KW); break;                      \
        case 3: tile(r, ow, c0, 3, NV, MASKED, M, KH, KW); break;                      \
        case 2: tile(r, ow, c0, 2, NV, MASKED, M, KH, KW); break;                      \
        case 1: tile(r, ow, c0, 1, NV, MASKED, M, KH, KW); break;                      \
        default: break;                                                                \
        }                                                                              \
    } while (0)

/* The row, for kernels of KH x KW (constants when inlined from the 3x3
 * case below, so its 9 taps unroll into straight-line code). */
static inline __attribute__((always_inline)) void row(const struct vnn_conv1c_row *r,
                                                      size_t KH, size_t KW)
{
    const size_t C = r->channels, OW = r->out_w;
    const __m256i none = _mm256_setzero_si256();
    size_t c0 = 0;
    for (; c0 + 16 <= C; c0 += 16)
        TILES(2, 0, none);
    for (; c0 < C; c0 += 8) {
        const int masked = C - c0 < 8;
        const __m256i m = vnn_tail_mask_avx2(masked ? C - c0 : 8);
        TILES(1, masked, m);
    }
}

void vnn_conv1c_ukernel_6x16__avx2(const struct vnn_conv1c_row *r)
{
    if (r->kh_n == 3 && r->kw_n == 3)
        row(r, 3, 3);
    else
        row(r, r->kh_n, r->kw_n);
}
