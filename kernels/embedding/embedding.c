/* Token embedding: a gather of table rows. Every id is checked before
 * anything is written, so a bad id costs nothing but the error; the copy is
 * memcpy per row (already vectorized by libc), over threads when large. */
#include <omp.h>
#include <string.h>

#include "dispatch/dispatch.h"
#include "kernels/common/args.h"
#include "kernels/common/error.h"
#include "vnn/cpu.h"
#include "vnn/ops.h"

/* Below this many floats per thread, waking another does not pay. */
#define PER_THREAD 32768

vnn_status vnn_embedding(int64_t tokens, const int64_t *ids, int64_t vocab, int64_t dim,
                         const float *table, float *y)
{
    static const char fn[] = "vnn_embedding";
    size_t y_bytes, t_bytes, id_bytes;
    if (!ids || !table || !y)
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s is NULL", fn,
                         !ids ? "ids" : !table ? "table" : "y");
    if (!vnn_tensor_bytes(tokens, dim, sizeof(float), &y_bytes) ||
        !vnn_tensor_bytes(vocab, dim, sizeof(float), &t_bytes) ||
        !vnn_tensor_bytes(tokens, 1, sizeof(int64_t), &id_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "%s: tokens = %lld, vocab = %lld, dim = %lld: each must be >= 1 and "
                         "every tensor at most PTRDIFF_MAX bytes", fn, (long long)tokens,
                         (long long)vocab, (long long)dim);
    if (vnn_overlaps(table, t_bytes, y, y_bytes) || vnn_overlaps(ids, id_bytes, y, y_bytes))
        return vnn_error(VNN_ERR_INVALID_ARG, "%s: %s overlaps y", fn,
                         vnn_overlaps(table, t_bytes, y, y_bytes) ? "table" : "ids");
    for (int64_t t = 0; t < tokens; t++)
        if (ids[t] < 0 || ids[t] >= vocab)
            return vnn_error(VNN_ERR_INVALID_ARG, "%s: ids[%lld] = %lld outside [0, %lld)", fn,
                             (long long)t, (long long)ids[t], (long long)vocab);
    /* No kernel of its own, but the ops agree: an unusable VNN_ISA fails. */
    if (!vnn_kernels())
        return VNN_ERR_UNSUPPORTED_ISA;
    const size_t n = (size_t)tokens, row = (size_t)dim * sizeof(float);
    size_t nt = (size_t)vnn_get_num_threads(), want = n * (size_t)dim / PER_THREAD;
    nt = want < nt ? want : nt;
    nt = n < nt ? n : nt;
    if (nt <= 1) {
        for (size_t t = 0; t < n; t++)
            memcpy(y + t * (size_t)dim, table + (size_t)ids[t] * (size_t)dim, row);
        return VNN_OK;
    }
#pragma omp parallel num_threads((int)nt)
    {
        size_t th = (size_t)omp_get_thread_num(), team = (size_t)omp_get_num_threads();
        for (size_t t = th * n / team; t < (th + 1) * n / team; t++)
            memcpy(y + t * (size_t)dim, table + (size_t)ids[t] * (size_t)dim, row);
    }
    return VNN_OK;
}
