/* peak/membw/<kind>: main-memory bandwidth on vnn_get_num_threads()
 * threads, the reference for memory-bound kernels (pooling):
 *   read  sums a buffer (bytes read / s)
 *   copy  copies one buffer to another with ordinary stores, as a kernel
 *         writes its output ((bytes read + bytes written) / s, the way
 *         pooling's GBps counts; the write-allocate reads are not counted)
 * The buffers (VB_MEMBW_MIB, default 1024 MiB each, or
 * $VNN_BENCH_MEMBW_MIB) are far larger than the last-level cache: CPUID's
 * L3 size in a VM is the host's (hundreds of MiB) and not what one guest
 * gets, so the size is chosen to stay out of any of it. Each thread walks
 * its part as VB_MEMBW_STREAMS sequential streams in lockstep, as a kernel
 * reading several rows does: one stream alone leaves a core's hardware
 * prefetchers idle and measured a third less here. The loops use AVX-512
 * where the CPU has it (as the kernels measured against it do; 16-byte
 * loads measured up to a fifth less), else the baseline ISA's vectors
 * (SSE2, NEON). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "bench.h"
#include "peak/peak.h"
#include "shim/vnn_bench.h"
#include "vnn/cpu.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

#define VB_MEMBW_MIB 1024
#define VB_MEMBW_STREAMS 8

static volatile float sink;
#if defined(__SSE2__)
static const char *vector_name = "sse2";
#elif defined(__ARM_NEON)
static const char *vector_name = "neon";
#else
static const char *vector_name = "scalar";
#endif

enum kind { READ, COPY };

static struct {
    float *a, *b;
    size_t floats; /* per buffer, a multiple of 64 per thread */
} buf;

static size_t membw_bytes(void)
{
    const char *env = getenv("VNN_BENCH_MEMBW_MIB");
    long mib = env && *env ? strtol(env, NULL, 10) : VB_MEMBW_MIB;
    return (size_t)(mib > 0 ? mib : VB_MEMBW_MIB) << 20;
}

/* Sums n floats (n a multiple of 32) with eight independent chains. */
static float read_block(const float *p, size_t n)
{
#if defined(__SSE2__)
    __m128 s0 = _mm_setzero_ps(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
    for (size_t i = 0; i < n; i += 32) {
        s0 = _mm_add_ps(s0, _mm_load_ps(p + i));
        s1 = _mm_add_ps(s1, _mm_load_ps(p + i + 4));
        s2 = _mm_add_ps(s2, _mm_load_ps(p + i + 8));
        s3 = _mm_add_ps(s3, _mm_load_ps(p + i + 12));
        s4 = _mm_add_ps(s4, _mm_load_ps(p + i + 16));
        s5 = _mm_add_ps(s5, _mm_load_ps(p + i + 20));
        s6 = _mm_add_ps(s6, _mm_load_ps(p + i + 24));
        s7 = _mm_add_ps(s7, _mm_load_ps(p + i + 28));
    }
    __m128 s = _mm_add_ps(_mm_add_ps(_mm_add_ps(s0, s1), _mm_add_ps(s2, s3)),
                          _mm_add_ps(_mm_add_ps(s4, s5), _mm_add_ps(s6, s7)));
    return _mm_cvtss_f32(s);
#elif defined(__ARM_NEON)
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0,
                s7 = s0;
    for (size_t i = 0; i < n; i += 32) {
        s0 = vaddq_f32(s0, vld1q_f32(p + i));
        s1 = vaddq_f32(s1, vld1q_f32(p + i + 4));
        s2 = vaddq_f32(s2, vld1q_f32(p + i + 8));
        s3 = vaddq_f32(s3, vld1q_f32(p + i + 12));
        s4 = vaddq_f32(s4, vld1q_f32(p + i + 16));
        s5 = vaddq_f32(s5, vld1q_f32(p + i + 20));
        s6 = vaddq_f32(s6, vld1q_f32(p + i + 24));
        s7 = vaddq_f32(s7, vld1q_f32(p + i + 28));
    }
    float32x4_t s = vaddq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)),
                              vaddq_f32(vaddq_f32(s4, s5), vaddq_f32(s6, s7)));
    return vgetq_lane_f32(s, 0);
#else
    float s[8] = {0};
    for (size_t i = 0; i < n; i += 8)
        for (int j = 0; j < 8; j++)
            s[j] += p[i + j];
    return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
#endif
}

static void copy_block(float *restrict dst, const float *restrict src, size_t n)
{
#if defined(__SSE2__)
    for (size_t i = 0; i < n; i += 16) {
        __m128 v0 = _mm_load_ps(src + i), v1 = _mm_load_ps(src + i + 4);
        __m128 v2 = _mm_load_ps(src + i + 8), v3 = _mm_load_ps(src + i + 12);
        _mm_store_ps(dst + i, v0);
        _mm_store_ps(dst + i + 4, v1);
        _mm_store_ps(dst + i + 8, v2);
        _mm_store_ps(dst + i + 12, v3);
    }
#elif defined(__ARM_NEON)
    for (size_t i = 0; i < n; i += 16) {
        float32x4_t v0 = vld1q_f32(src + i), v1 = vld1q_f32(src + i + 4);
        float32x4_t v2 = vld1q_f32(src + i + 8), v3 = vld1q_f32(src + i + 12);
        vst1q_f32(dst + i, v0);
        vst1q_f32(dst + i + 4, v1);
        vst1q_f32(dst + i + 8, v2);
        vst1q_f32(dst + i + 12, v3);
    }
#else
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
#endif
}

/* n floats (a multiple of 32 * VB_MEMBW_STREAMS) as streams in lockstep,
 * 4 KiB of each at a time. */
static float (*read_fn)(const float *, size_t) = read_block;
static void (*copy_fn)(float *restrict, const float *restrict, size_t) = copy_block;

static float read_streams(const float *p, size_t n)
{
    const size_t len = n / VB_MEMBW_STREAMS, step = 1024;
    float s = 0.0f;
    for (size_t i = 0; i < len; i += step)
        for (size_t k = 0; k < VB_MEMBW_STREAMS; k++)
            s += read_fn(p + k * len + i, len - i < step ? len - i : step);
    return s;
}

static void copy_streams(float *restrict dst, const float *restrict src, size_t n)
{
    const size_t len = n / VB_MEMBW_STREAMS, step = 1024;
    for (size_t i = 0; i < len; i += step)
        for (size_t k = 0; k < VB_MEMBW_STREAMS; k++)
            copy_fn(dst + k * len + i, src + k * len + i, len - i < step ? len - i : step);
}

static bool buffers_get(int threads)
{
    const size_t unit = 32 * VB_MEMBW_STREAMS;
    size_t per = membw_bytes() / sizeof(float) / (size_t)threads / unit * unit;
    size_t floats = per * (size_t)threads;
    if (buf.a && buf.floats == floats)
        return true;
    free(buf.a);
    free(buf.b);
    buf.a = aligned_alloc(64, floats * sizeof(float));
    buf.b = aligned_alloc(64, floats * sizeof(float));
    buf.floats = floats;
    if (!buf.a || !buf.b)
        return false;
    /* Pages first touched by the thread that will stream them. */
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int t = 0; t < threads; t++) {
        for (size_t i = (size_t)t * per; i < (size_t)(t + 1) * per; i++)
            buf.a[i] = 1.0f;
        memset(buf.b + (size_t)t * per, 0, per * sizeof(float));
    }
    return true;
}

static void bench_membw(vb_state *st, void *arg)
{
    const enum kind kind = *(const enum kind *)arg;
    int threads = vnn_get_num_threads();
    if (!buffers_get(threads)) {
        vb_skip_with_error(st, "out of memory");
        return;
    }
    size_t per = buf.floats / (size_t)threads;
    double bytes = 0.0;
    while (vb_keep_running(st)) {
        float s = 0.0f;
#pragma omp parallel for num_threads(threads) schedule(static) reduction(+ : s)
        for (int t = 0; t < threads; t++) {
            if (kind == READ)
                s += read_streams(buf.a + (size_t)t * per, per);
            else
                copy_streams(buf.b + (size_t)t * per, buf.a + (size_t)t * per, per);
        }
        sink = s;
        bytes += (double)(buf.floats * sizeof(float)) * (kind == READ ? 1 : 2);
    }
    char label[80];
    snprintf(label, sizeof label, "%zu MiB, %d streams, %s, %d thread%s",
             buf.floats * sizeof(float) >> 20, VB_MEMBW_STREAMS, vector_name, threads,
             threads == 1 ? "" : "s");
    vb_set_label(st, label);
    vb_set_counter(st, "GBps", bytes / 1e9, VB_RATE);
}

void vb_register_membw(void)
{
#if defined(VNN_ARCH_X86_64)
    if (vnn_isa_supported(VNN_ISA_AVX512)) {
        read_fn = vb_membw_read_avx512;
        copy_fn = vb_membw_copy_avx512;
        vector_name = "avx512";
    }
#endif
    static const enum kind read = READ, copy = COPY;
    vb_register("peak/membw/read", bench_membw, (void *)&read);
    vb_register("peak/membw/copy", bench_membw, (void *)&copy);
}
