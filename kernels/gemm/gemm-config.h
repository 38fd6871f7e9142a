/* The GEMM slot of the kernel table: one register-blocked microkernel plus
 * the tile and cache-block sizes its driver needs. */
#ifndef VNN_GEMM_CONFIG_H
#define VNN_GEMM_CONFIG_H

#include <stddef.h>

#include "vnn/cpu.h"

/* What a microkernel does with its MR x NR accumulator tile:
 *   C = alpha * acc + beta * C  (C not read when beta == 0)
 *   then, on the last K block only, C += bias[j] and ReLU. */
struct vnn_gemm_ukernel_params {
    float alpha;
    float beta;
    const float *bias; /* NR floats for this tile's columns, or NULL */
    int relu;
    /* The A strip the next call will read (rows a_next_stride apart), or
     * NULL: kernels prefetch it a line per k step, so a streamed A arrives
     * while this tile computes. */
    const float *a_next;
    size_t a_next_stride;
    /* The C tile (rows ldc apart) the next call will write, or NULL: kernels
     * may fetch it for writing while this tile computes, so its stores do
     * not wait for lines from L3 (NULL: they fetch their own C up front). */
    float *c_next;
};

/* a: MR rows of kc floats, row r at a + r * a_stride (A is read in place
 * when it is not transposed, XNNPACK-style, so a tall-skinny GEMM streams A
 * once without a packing pass); b: kc x NR packed B panel (k-major);
 * c: MR x NR tile of C with row stride ldc (elements). Full tiles only: the
 * driver copies partial rows of A into a zero-padded strip and routes partial
 * tiles of C through a scratch tile. */
typedef void (*vnn_gemm_ukernel_fn)(size_t kc, const float *restrict a, size_t a_stride,
                                    const float *restrict b, float *restrict c,
                                    size_t ldc,
                                    const struct vnn_gemm_ukernel_params *params);

/* Optional small-M kernel with B read in place (row-major, NO_TRANS):
 * acc[m][j] = sum_k a[m * lda + k] * b[k * ldb + j] for m < M <= rows_max,
 * j < N; acc is M rows of round_up(N, 8) floats, 32-byte aligned. */
typedef void (*vnn_gemm_rows_fn)(size_t M, size_t K, size_t N, const float *a, size_t lda,
                                 const float *b, size_t ldb, float *acc);

struct vnn_gemm_config {
    vnn_isa isa;
    const char *name; /* vnn_gemm_ukernel_<MR>x<NR>__<isa> */
    vnn_gemm_ukernel_fn ukernel;
    int mr, nr; /* register tile */
    /* Optional kernel for the rows of M that do not fill an MR strip: a
     * partial strip runs as ceil(rows / mr_tail) calls of it instead of one
     * full-cost MR call (NULL: the main kernel pads the strip). */
    vnn_gemm_ukernel_fn ukernel_tail;
    int mr_tail;
    /* Optional kernel for full strips whose panel holds at most nr_tail
     * valid columns (reads the first nr_tail columns of an NR panel). */
    vnn_gemm_ukernel_fn ukernel_ntail;
    int nr_tail;
    /* Optional: GEMMs of at most rows_max rows (NULL: the blocked path). */
    vnn_gemm_rows_fn ukernel_rows;
    int rows_max;
    int kc;     /* K block: a kc x NR B panel stays in L1 */
    int mc;     /* M block: an mc x kc A block stays in L2 */
    int nc;     /* N block: a kc x nc B block stays in L3 */
    /* Per-core L2 bytes: above this a thread's share of the packed B
     * block no longer stays in its L2, so threads split columns too. */
    size_t l2_bytes;
};

struct vnn_cache_sizes;

/* The ISA's microkernels and the blocking it was tuned with (on a core of
 * VNN_GEMM_TUNED_L1D / VNN_GEMM_TUNED_L2: AMD Zen 5). */
#define VNN_GEMM_TUNED_L1D ((size_t)48 << 10)
#define VNN_GEMM_TUNED_L2 ((size_t)1 << 20)
void vnn_gemm_config_init(vnn_isa isa, struct vnn_gemm_config *cfg);

/* Rescales kc, mc, nc and l2_bytes from the tuned caches to these (sane,
 * see dispatch/cache.h): kc with L1D, the A block (mc x kc) with L2, the B
 * block (kc x nc) to half of L3 when L3 is known. Identity on the tuning
 * machine. */
void vnn_gemm_config_block(struct vnn_gemm_config *cfg, const struct vnn_cache_sizes *c);

#endif
