/* NaN and Inf propagation, the same on every ISA: a NaN input gives a NaN
 * in every output that depends on it (relu, GELU, add, softmax and layer
 * norm rows, a GEMM row, an average-pooling window), +-Inf passes through
 * relu and add as IEEE says, and subnormal inputs are not flushed (vnn sets
 * no FTZ/DAZ). Tails included: the NaN sits in the last, partial vector
 * too. Max pooling propagates NaN wherever it sits in the window (as
 * PyTorch; its kernels differed by ISA before). */
#include <math.h>

#include "vnn/vnn.h"
#include "vt.h"

enum { N = 37 }; /* a tail on every vector width */

static void check_isa(vnn_isa isa)
{
    vt_use_isa(isa);
    float *x = vt_alloc_floats(N), *one = vt_alloc_floats(N), *g = vt_alloc_floats(N),
          *b = vt_alloc_floats(N), *y = vt_alloc_floats(N);
    for (int i = 0; i < N; i++)
        x[i] = (float)(i % 5) - 2, one[i] = 1, g[i] = 1, b[i] = 0;
    x[3] = NAN, x[7] = INFINITY, x[11] = -INFINITY, x[N - 1] = NAN;
    vt_readonly(x);
    VT_CHECK(vnn_relu(N, x, y) == VNN_OK, "relu");
    VT_CHECK(isnan(y[3]) && isnan(y[N - 1]) && y[7] == INFINITY && y[11] == 0.0f,
             "relu(NaN, +inf, -inf) = %g, %g, %g", (double)y[3], (double)y[7], (double)y[11]);
    for (int a = 0; a < 2; a++) {
        VT_CHECK(vnn_gelu(a ? VNN_GELU_TANH : VNN_GELU_ERF, N, x, y) == VNN_OK, "gelu");
        VT_CHECK(isnan(y[3]) && isnan(y[N - 1]) && y[7] == INFINITY, "gelu %d: %g, %g", a,
                 (double)y[3], (double)y[7]);
    }
    VT_CHECK(vnn_add(N, x, one, y) == VNN_OK && isnan(y[3]) && isnan(y[N - 1]) &&
                 y[7] == INFINITY && y[11] == -INFINITY,
             "add");
    VT_CHECK(vnn_softmax(1, N, x, y) == VNN_OK, "softmax");
    for (int i = 0; i < N; i++)
        VT_CHECK(isnan(y[i]), "softmax of a row with NaN: y[%d] = %g", i, (double)y[i]);
    VT_CHECK(vnn_layernorm(1, N, x, g, b, 1e-5f, y) == VNN_OK, "layernorm");
    for (int i = 0; i < N; i++)
        VT_CHECK(isnan(y[i]), "layer norm of a row with NaN: y[%d] = %g", i, (double)y[i]);

    /* GEMM: a NaN in row 0 of A poisons row 0 of C only; Inf * 0 is NaN. */
    float *A = vt_alloc_floats(4), *B = vt_alloc_floats(4), *C = vt_alloc_floats(4);
    A[0] = NAN, A[1] = A[2] = A[3] = 1, B[0] = B[1] = B[2] = B[3] = 1;
    VT_CHECK(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 2, 2, 2, 1, A, 2, B, 2, 0, C, 2) == VNN_OK &&
                 isnan(C[0]) && isnan(C[1]) && C[2] == 2 && C[3] == 2,
             "gemm with a NaN: %g %g %g %g", (double)C[0], (double)C[1], (double)C[2],
             (double)C[3]);
    A[0] = INFINITY, B[0] = 0;
    VT_CHECK(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 2, 2, 2, 1, A, 2, B, 2, 0, C, 2) == VNN_OK &&
                 isnan(C[0]) && C[1] == INFINITY,
             "gemm inf * 0: %g, inf * 1: %g", (double)C[0], (double)C[1]);

    /* Average pooling: a NaN poisons its window only. */
    vnn_pool2d_params pp = {2, 2, 2, 2, 0, 0, 0, 0, false, false};
    float *px = vt_alloc_floats(16), *py = vt_alloc_floats(4);
    for (int i = 0; i < 16; i++)
        px[i] = (float)i;
    px[0] = NAN;
    VT_CHECK(vnn_avgpool2d(&pp, 1, 4, 4, 1, px, 2, 2, py) == VNN_OK && isnan(py[0]) &&
                 py[1] == 4.5f,
             "avgpool: %g, %g", (double)py[0], (double)py[1]);

    /* Max pooling: a NaN anywhere in a window (first, middle, last, over
     * full vectors and the tail of 37 channels) gives NaN; the others not. */
    float *mx = vt_alloc_floats(16 * N), *my = vt_alloc_floats(4 * N);
    for (int pos = 0; pos < 4; pos++) {
        static const int at[4] = {0, 1, 4, 5}; /* window 0's pixels, in order */
        vt_writable(mx);
        for (int i = 0; i < 16 * N; i++)
            mx[i] = (float)(i % 7);
        for (int c = pos; c < N; c += 3)
            mx[at[pos] * N + c] = NAN;
        if (pos == 3) /* a second NaN, last in the window, after a first */
            for (int c = pos; c < N; c += 3)
                mx[at[0] * N + c] = NAN;
        vt_readonly(mx);
        VT_CHECK(vnn_maxpool2d(&pp, 1, 4, 4, N, mx, 2, 2, my) == VNN_OK, "maxpool");
        for (int c = 0; c < N; c++) {
            int want_nan = c % 3 == pos % 3 && c >= pos;
            VT_CHECK((isnan(my[c]) != 0) == want_nan && !isnan(my[N + c]),
                     "maxpool, NaN at window pixel %d: channel %d gave %g", at[pos], c,
                     (double)my[c]);
        }
    }
    vt_free(mx);
    vt_free(my);

    /* Subnormals in, subnormals out (no flush to zero). */
    float *d = vt_alloc_floats(N);
    for (int i = 0; i < N; i++)
        d[i] = 1e-40f;
    VT_CHECK(vnn_relu(N, d, y) == VNN_OK && y[N - 1] == d[0], "relu flushed a subnormal");
    VT_CHECK(vnn_add(N, d, d, y) == VNN_OK && y[N - 1] == 2.0f * d[0], "add flushed a subnormal");
    float *bufs[] = {x, one, g, b, y, A, B, C, px, py, d};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        vt_free(bufs[i]);
}

VT_TEST(numerics, scalar) { check_isa(VNN_ISA_SCALAR); }
VT_TEST(numerics, avx2) { check_isa(VNN_ISA_AVX2); }
VT_TEST(numerics, avx512) { check_isa(VNN_ISA_AVX512); }
VT_TEST(numerics, neon) { check_isa(VNN_ISA_NEON); }
