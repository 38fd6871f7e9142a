/* K^T panel packing, AVX-512: 16 keys x 16 head elements per step through
 * an in-register transpose (the portable per-element scatter in the driver
 * costs about two cycles an element; this, a fraction of one). Contract in
 * attention-config.h. */
#include <immintrin.h>

#include "kernels/attention/attention-ukernels.h"
#include "kernels/simd/mask-avx512.h"
#include "kernels/simd/transpose-avx512.h"

void vnn_attention_ukernel_pack_kt16__avx512(const float *k, size_t ks, size_t D, size_t cols,
                                             size_t nr, float *dst)
{
    for (size_t c0 = 0; c0 < nr; c0 += 16) {
        const size_t keys = cols > c0 ? (cols - c0 < 16 ? cols - c0 : 16) : 0;
        for (size_t d0 = 0; d0 < D; d0 += 16) {
            const size_t dd = D - d0 < 16 ? D - d0 : 16;
            const __mmask16 m = vnn_tail_mask_avx512(dd);
            __m512 r[16];
            for (size_t e = 0; e < 16; e++) /* keys past cols pack as zeros */
                r[e] = e < keys ? _mm512_maskz_loadu_ps(m, k + (c0 + e) * ks + d0)
                                : _mm512_setzero_ps();
            vnn_transpose16x16_f32(r);
            for (size_t x = 0; x < dd; x++)
                _mm512_storeu_ps(dst + (d0 + x) * nr + c0, r[x]);
        }
    }
}
