/* K^T panel packing, AVX-512: 16 keys x 16 head elements per step through
 * an in-register transpose (the portable per-element scatter in the driver
 * costs about two cycles an element; this, a fraction of one). Contract in
 * attention-config.h. */
#include <immintrin.h>

#include "kernels/attention/attention-ukernels.h"

/* r[e] = row e of a 16x16 block; on return r[x] = column x. */
static inline void transpose16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    /* r[4i + j], 128-bit lane L: column 4L + j of rows 4i .. 4i + 3. */
    for (int i = 0; i < 4; i++) {
        r[4 * i + 0] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i + 0], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    /* Lanes 0 and 2 (0x88) or 1 and 3 (0xDD) of each input, twice over. */
    for (int j = 0; j < 4; j++) {
        t[j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);
        t[4 + j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
        t[8 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
        t[12 + j] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
    }
    for (int j = 0; j < 4; j++) {
        r[j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0x88);
        r[8 + j] = _mm512_shuffle_f32x4(t[j], t[8 + j], 0xDD);
        r[4 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0x88);
        r[12 + j] = _mm512_shuffle_f32x4(t[4 + j], t[12 + j], 0xDD);
    }
}

void vnn_attention_ukernel_pack_kt16__avx512(const float *k, size_t ks, size_t D, size_t cols,
                                             size_t nr, float *dst)
{
    for (size_t c0 = 0; c0 < nr; c0 += 16) {
        const size_t keys = cols > c0 ? (cols - c0 < 16 ? cols - c0 : 16) : 0;
        for (size_t d0 = 0; d0 < D; d0 += 16) {
            const size_t dd = D - d0 < 16 ? D - d0 : 16;
            const __mmask16 m = (__mmask16)((1u << dd) - 1u);
            __m512 r[16];
            for (size_t e = 0; e < 16; e++) /* keys past cols pack as zeros */
                r[e] = e < keys ? _mm512_maskz_loadu_ps(m, k + (c0 + e) * ks + d0)
                                : _mm512_setzero_ps();
            transpose16(r);
            for (size_t x = 0; x < dd; x++)
                _mm512_storeu_ps(dst + (d0 + x) * nr + c0, r[x]);
        }
    }
}
