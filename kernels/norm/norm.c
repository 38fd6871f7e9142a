/* Public row ops (layer normalization, softmax): validate, then hand
 * contiguous ranges of rows to threads. Each row is computed by one kernel
 * call whatever the split, so results do not depend on the thread count. */
#include <math.h>
#include <omp.h>

#include "dispatch/dispatch.h"
#include "kernels/common/args.h"
#include "kernels/common/error.h"
#include "vnn/cpu.h"
#include "vnn/ops.h"

/* Below this many floats per thread, waking another does not pay. */
#define PER_THREAD 16384

struct rows_job {
    size_t rows, cols;
    const float *x, *gamma, *beta;
    float eps;
    float *y;
    const struct vnn_norm_config *cfg;
    int softmax;
};

static void run_rows(const struct rows_job *j, size_t r0, size_t r1)
{
    for (size_t r = r0; r < r1; r++) {
        const float *x = j->x + r * j->cols;
        float *y = j->y + r * j->cols;
        if (j->softmax)
            j->cfg->softmax(j->cols, x, y);
        else
            j->cfg->layernorm(j->cols, x, j->gamma, j->beta, j->eps, y);
    }
}

static void run(const struct rows_job *j)
{
    size_t nt = (size_t)vnn_get_num_threads(), want = j->rows * j->cols / PER_THREAD;
    nt = want < nt ? want : nt;
    nt = j->rows < nt ? j->rows : nt;
    if (nt <= 1) {
        run_rows(j, 0, j->rows);
        return;
    }
#pragma omp parallel num_threads((int)nt)
    {
        size_t t = (size_t)omp_get_thread_num(), team = (size_t)omp_get_num_threads();
        run_rows(j, t * j->rows / team, (t + 1) * j->rows / team);
    }
}

vnn_status vnn_layernorm(int64_t rows, int64_t cols, const float *x, const float *gamma,
                         const float *beta, float eps, float *y)
{
    static const char fn[] = "vnn_layernorm";
    size_t bytes, row_bytes;
    if (!x || !gamma || !beta || !y)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn,
                         !x ? "x" : !gamma ? "gamma" : !beta ? "beta" : "y");
    if (!isfinite(eps) || eps < 0.0f)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: eps = %g, not finite and >= 0", fn,
                         (double)eps);
    if (!vnn_tensor_bytes(rows, cols, sizeof(float), &bytes) ||
        !vnn_tensor_bytes(cols, 1, sizeof(float), &row_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: rows x cols = %lld x %lld: each must be >= 1 and the tensor at "
                         "most PTRDIFF_MAX bytes", fn, (long long)rows, (long long)cols);
    if (!vnn_inplace_ok(x, y, bytes))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: x and y overlap without being the same buffer", fn);
    if (vnn_overlaps(gamma, row_bytes, y, bytes) || vnn_overlaps(beta, row_bytes, y, bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s overlaps y", fn,
                         vnn_overlaps(gamma, row_bytes, y, bytes) ? "gamma" : "beta");
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    struct rows_job j = {.rows = (size_t)rows, .cols = (size_t)cols, .x = x, .gamma = gamma,
                         .beta = beta, .eps = eps, .y = y, .cfg = &t->norm};
    run(&j);
    return VNN_OK;
}

/* The statistics only, in the scalar kernel's passes (double sums): a
 * by-product ONNX's LayerNormalization returns, not a hot path, so one
 * portable loop serves every ISA. */
vnn_status vnn_layernorm_stats(int64_t rows, int64_t cols, const float *x, float eps,
                               float *mean, float *rstd)
{
    static const char fn[] = "vnn_layernorm_stats";
    size_t bytes, stat_bytes;
    if (!x || !mean || !rstd)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn,
                         !x ? "x" : !mean ? "mean" : "rstd");
    if (!isfinite(eps) || eps < 0.0f)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: eps = %g, not finite and >= 0", fn,
                         (double)eps);
    if (!vnn_tensor_bytes(rows, cols, sizeof(float), &bytes) ||
        !vnn_tensor_bytes(rows, 1, sizeof(float), &stat_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: rows x cols = %lld x %lld: each must be >= 1 and the tensor at "
                         "most PTRDIFF_MAX bytes", fn, (long long)rows, (long long)cols);
    if (vnn_overlaps(x, bytes, mean, stat_bytes) || vnn_overlaps(x, bytes, rstd, stat_bytes) ||
        vnn_overlaps(mean, stat_bytes, rstd, stat_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: x, mean and rstd must not overlap", fn);
    if (!vnn_kernels())
        return VNN_ERR_UNSUPPORTED_ISA;
    for (int64_t r = 0; r < rows; r++) {
        const float *row = x + r * cols;
        double sum = 0.0, sq = 0.0;
        for (int64_t i = 0; i < cols; i++)
            sum += row[i];
        const float m = (float)(sum / (double)cols);
        for (int64_t i = 0; i < cols; i++) {
            float d = row[i] - m;
            sq += (double)d * d;
        }
        mean[r] = m;
        rstd[r] = 1.0f / sqrtf((float)(sq / (double)cols) + eps);
    }
    return VNN_OK;
}

vnn_status vnn_softmax(int64_t rows, int64_t cols, const float *x, float *y)
{
    static const char fn[] = "vnn_softmax";
    size_t bytes;
    if (!x || !y)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn, x ? "y" : "x");
    if (!vnn_tensor_bytes(rows, cols, sizeof(float), &bytes))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: rows x cols = %lld x %lld: each must be >= 1 and the tensor at "
                         "most PTRDIFF_MAX bytes", fn, (long long)rows, (long long)cols);
    if (!vnn_inplace_ok(x, y, bytes))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: x and y overlap without being the same buffer", fn);
    const struct vnn_kernel_table *t = vnn_kernels();
    if (!t)
        return VNN_ERR_UNSUPPORTED_ISA;
    struct rows_job j = {.rows = (size_t)rows, .cols = (size_t)cols, .x = x, .y = y,
                         .cfg = &t->norm, .softmax = 1};
    run(&j);
    return VNN_OK;
}
