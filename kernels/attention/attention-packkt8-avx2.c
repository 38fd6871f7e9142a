/* K^T panel packing, AVX2: 8 keys x 8 head elements per step through an
 * in-register 8x8 transpose (unpack, shuffle, 128-bit permute), as the
 * AVX-512 kernel does with 16x16; the driver's portable per-element
 * scatter took 7% of s2048 on AVX2. Contract in attention-config.h. */
#include <immintrin.h>

#include "kernels/attention/attention-ukernels.h"
#include "kernels/simd/reduce-avx2.h"

static inline void transpose8x8(__m256 r[8])
{
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xee);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xee);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xee);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xee);
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

void vnn_attention_ukernel_pack_kt8__avx2(const float *k, size_t ks, size_t D, size_t cols,
                                          size_t nr, float *dst)
{
    for (size_t c0 = 0; c0 < nr; c0 += 8) {
        const size_t keys = cols > c0 ? (cols - c0 < 8 ? cols - c0 : 8) : 0;
        for (size_t d0 = 0; d0 < D; d0 += 8) {
            const size_t dd = D - d0 < 8 ? D - d0 : 8;
            const __m256i m = vnn_tail_mask_avx2(dd);
            __m256 r[8];
            for (size_t e = 0; e < 8; e++) /* keys past cols pack as zeros */
                r[e] = e < keys ? _mm256_maskload_ps(k + (c0 + e) * ks + d0, m)
                                : _mm256_setzero_ps();
            transpose8x8(r);
            for (size_t x = 0; x < dd; x++)
                _mm256_storeu_ps(dst + (d0 + x) * nr + c0, r[x]);
        }
    }
}
