/* Public elementwise ops: validate, then split the array into per-thread
 * chunks (multiples of 64 floats, so every kernel's vector body is used the
 * same way; elementwise results do not depend on the split anyway). */
#include <omp.h>

#include "dispatch/dispatch.h"
#include "kernels/common/error.h"
#include "kernels/common/args.h"
#include "vnn/cpu.h"
#include "vnn/ops.h"

/* Below this many floats per thread (~128 KiB in, about 10 us of ReLU),
 * waking another thread does not pay. */
#define PER_THREAD 32768
#define CHUNK_ALIGN 64

static size_t threads_for(size_t n)
{
    size_t nt = (size_t)vnn_get_num_threads(), want = n / PER_THREAD;
    return want < 1 ? 1 : want < nt ? want : nt;
}

/* [begin, end) of thread t of nt over n floats. */
static void chunk(size_t n, size_t t, size_t nt, size_t *begin, size_t *end)
{
    size_t blocks = (n + CHUNK_ALIGN - 1) / CHUNK_ALIGN;
    size_t b0 = t * blocks / nt, b1 = (t + 1) * blocks / nt;
    *begin = b0 * CHUNK_ALIGN;
    *end = b1 * CHUNK_ALIGN < n ? b1 * CHUNK_ALIGN : n;
}

static void run_unary(vnn_unary_ukernel_fn f, size_t n, const float *x, float *y)
{
    size_t nt = threads_for(n);
    if (nt <= 1) {
        f(n, x, y);
        return;
    }
#pragma omp parallel num_threads((int)nt)
    {
        size_t b, e;
        chunk(n, (size_t)omp_get_thread_num(), (size_t)omp_get_num_threads(), &b, &e);
        if (b < e)
            f(e - b, x + b, y + b);
    }
}

/* n floats: at least 1, at most PTRDIFF_MAX bytes. */
static vnn_status bad_count(const char *fn, int64_t n)
{
    return vnn_error(VNN_ERR_INVALID_ARG, "%s: n = %lld, not in [1, PTRDIFF_MAX / 4]", fn,
                     (long long)n);
}

static vnn_status bad_overlap(const char *fn, const char *in)
{
    return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s and y overlap without being the same buffer",
                     fn, in);
}

static vnn_status unary(int which, int64_t n, const float *x, float *y)
{
    static const char *const fns[] = {"vnn_relu", "vnn_gelu", "vnn_gelu", "vnn_sigmoid",
                                      "vnn_tanh"};
    size_t bytes;
    if (!x || !y)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fns[which], x ? "y" : "x");
    if (!vnn_tensor_bytes(n, 1, sizeof(float), &bytes))
        return bad_count(fns[which], n);
    if (!vnn_inplace_ok(x, y, bytes))
        return bad_overlap(fns[which], "x");
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    /* sigmoid and tanh are the vector-math kernels (kernels/vmath) */
    vnn_unary_ukernel_fn f = which == 0   ? t->eltwise.relu
                             : which == 1 ? t->eltwise.gelu_erf
                             : which == 2 ? t->eltwise.gelu_tanh
                             : which == 3 ? t->vmath.sigmoid
                                          : t->vmath.tanh;
    run_unary(f, (size_t)n, x, y);
    return VNN_OK;
}

vnn_status vnn_relu(int64_t n, const float *x, float *y) { return unary(0, n, x, y); }

vnn_status vnn_sigmoid(int64_t n, const float *x, float *y) { return unary(3, n, x, y); }

vnn_status vnn_tanh(int64_t n, const float *x, float *y) { return unary(4, n, x, y); }

vnn_status vnn_gelu(vnn_gelu_approx approx, int64_t n, const float *x, float *y)
{
    if (approx != VNN_GELU_ERF && approx != VNN_GELU_TANH)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "vnn_gelu: approx = %d, not VNN_GELU_ERF or VNN_GELU_TANH", (int)approx);
    return unary(approx == VNN_GELU_ERF ? 1 : 2, n, x, y);
}

vnn_status vnn_add(int64_t n, const float *a, const float *b, float *y)
{
    size_t bytes;
    if (!a || !b || !y)
        return vnn_error(VNN_ERR_INVALID_ARG, "vnn_add: %s is NULL", !a ? "a" : !b ? "b" : "y");
    if (!vnn_tensor_bytes(n, 1, sizeof(float), &bytes))
        return bad_count("vnn_add", n);
    if (!vnn_inplace_ok(a, y, bytes) || !vnn_inplace_ok(b, y, bytes))
        return bad_overlap("vnn_add", vnn_inplace_ok(a, y, bytes) ? "b" : "a");
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    vnn_binary_ukernel_fn f = t->eltwise.add;
    size_t nt = threads_for((size_t)n);
    if (nt <= 1) {
        f((size_t)n, a, b, y);
        return VNN_OK;
    }
#pragma omp parallel num_threads((int)nt)
    {
        size_t lo, hi;
        chunk((size_t)n, (size_t)omp_get_thread_num(), (size_t)omp_get_num_threads(), &lo, &hi);
        if (lo < hi)
            f(hi - lo, a + lo, b + lo, y + lo);
    }
    return VNN_OK;
}
