/* Online-softmax update, scalar (the reference the SIMD kernels follow;
 * the contract is in attention-config.h: scores in log2 units). */
#include <math.h>

#include "kernels/attention/attention-ukernels.h"
#include "kernels/simd/math-scalar.h"

void vnn_attention_ukernel_online1__scalar(const struct vnn_attention_online_args *a)
{
    for (size_t r = 0; r < a->rows; r++) {
        float *s = a->s + r * a->s_stride;
        const size_t n = a->valid[r];
        for (size_t j = 0; j < n; j++)
            s[j] = a->scale * s[j] + (a->mask ? VNN_LOG2E * a->mask[r][j] : 0.0f);
        float mx = a->m[r];
        for (size_t j = 0; j < n; j++)
            mx = s[j] > mx ? s[j] : mx;
        for (size_t j = n; j < a->cols; j++)
            s[j] = 0.0f;
        if (mx == -INFINITY) { /* nothing visible yet: P = 0, state kept */
            for (size_t j = 0; j < n; j++)
                s[j] = 0.0f;
            continue;
        }
        float sum = 0.0f;
        for (size_t j = 0; j < n; j++) {
            s[j] = vnn_exp2_nonpos_f32(s[j] - mx);
            sum += s[j];
        }
        /* 0 if m was -inf (o: nothing to rescale); exactly 1 (no rescale)
         * while the max holds. */
        const int first = a->m[r] == -INFINITY;
        float alpha = mx == a->m[r] ? 1.0f : vnn_exp2_nonpos_f32(a->m[r] - mx);
        a->l[r] = a->l[r] * alpha + sum;
        a->m[r] = mx;
        if (alpha != 1.0f && !first) {
            float *o = a->o + r * a->o_stride;
            for (size_t d = 0; d < a->o_cols; d++)
                o[d] *= alpha;
        }
    }
}
