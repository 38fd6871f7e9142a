/* Portable depthwise kernel: one output row, pixel by pixel, channels
 * innermost (contiguous in NHWC). */
#include <stddef.h>

#include "kernels/conv/conv-ukernels.h"

void vnn_dwconv_ukernel_1c__scalar(const struct vnn_dwconv_row *r)
{
    const size_t C = r->channels, cs = r->cstride;
    for (size_t ow = 0; ow < r->out_w; ow++) {
        float *o = r->out + ow * C;
        for (size_t c = 0; c < C; c++)
            o[c] = r->bias[c];
        ptrdiff_t iw0 = (ptrdiff_t)(ow * r->stride_w) - (ptrdiff_t)r->pad_left;
        for (size_t j = 0; j < r->taps_h; j++) {
            const float *row = r->in + j * r->in_row_stride;
            const float *wj = r->w + j * r->kw_n * cs;
            for (size_t kw = 0; kw < r->kw_n; kw++) {
                ptrdiff_t iw = iw0 + (ptrdiff_t)(kw * r->dilation_w);
                if (iw < 0 || iw >= (ptrdiff_t)r->in_w)
                    continue;
                const float *px = row + (size_t)iw * C, *wk = wj + kw * cs;
                for (size_t c = 0; c < C; c++)
                    o[c] += px[c] * wk[c];
            }
        }
        if (r->relu)
            for (size_t c = 0; c < C; c++)
                o[c] = o[c] < 0.0f ? 0.0f : o[c];
    }
}
