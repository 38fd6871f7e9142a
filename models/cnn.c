/* The CNN image classifier (Keras-style, VALID padding), NHWC throughout:
 *   conv1 3x3 + ReLU, maxpool 2x2, conv2 3x3 + ReLU, maxpool 2x2,
 *   conv3 3x3 + ReLU, flatten (h, w, c), fc1 + ReLU, fc2 -> logits.
 * Convolutions are plans built once at load for any batch
 * (vnn_conv2d_plan_run_batch); the dense layers are packed GEMMs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/common/error.h"
#include "kernels/common/memory.h"
#include "models/model-internal.h"
#include "vnn/conv.h"
#include "vnn/pool.h"

struct cnn {
    int64_t H, W, C, K1, K2, K3, D;
    int64_t h1, w1, p1h, p1w, h2, w2, p2h, p2w, h3, w3; /* sizes after each layer */
    int64_t q1h, q1w; /* the part of pool1's output that conv2 reads (cnn_build) */
    vnn_conv2d_plan *conv[3];
    struct vnn_dense fc1, fc2;
};

static const vnn_pool2d_params pool2 = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2,
                                        .stride_w = 2};

static void cnn_destroy(void *layers)
{
    struct cnn *c = layers;
    for (int i = 0; i < 3; i++)
        vnn_conv2d_plan_destroy(c->conv[i]);
    vnn_dense_free(&c->fc1);
    vnn_dense_free(&c->fc2);
    free(c);
}

/* conv<i> (OIHW in the file) as a plan for H x W x C_in inputs. */
static vnn_status load_conv(const struct vnn_st_file *f, int i, int64_t H, int64_t W,
                            int64_t C_in, int64_t C_out, vnn_conv2d_plan **out)
{
    char wname[32], bname[32];
    snprintf(wname, sizeof wname, "conv%d.weight", i + 1);
    snprintf(bname, sizeof bname, "conv%d.bias", i + 1);
    float *oihw = NULL, *hwio = NULL, *bias = NULL;
    vnn_status st = vnn_load_floats(f, wname, 4, (int64_t[]){C_out, C_in, 3, 3}, &oihw);
    if (st == VNN_OK)
        st = vnn_load_floats(f, bname, 1, (int64_t[]){C_out}, &bias);
    if (st == VNN_OK && !(hwio = vnn_aligned_alloc((size_t)(9 * C_in * C_out) * sizeof(float))))
        st = vnn_error(VNN_ERR_OUT_OF_MEMORY, "%s: no memory", wname);
    if (st == VNN_OK)
        st = vnn_conv2d_weights_from_oihw(C_out, C_in, 3, 3, oihw, hwio);
    if (st == VNN_OK) {
        vnn_conv2d_desc d = {.N = 1, .H = H, .W = W, .C_in = C_in, .C_out = C_out,
                             .kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
                             .dilation_h = 1, .dilation_w = 1, .groups = 1,
                             .act = VNN_ACT_RELU};
        if ((st = vnn_conv2d_plan_create(&d, hwio, bias, out)) != VNN_OK)
            vnn_error(st, "%s: cannot plan the convolution: %s", wname, vnn_status_str(st));
    }
    vnn_aligned_free(oihw);
    vnn_aligned_free(hwio);
    vnn_aligned_free(bias);
    return st;
}

static vnn_status cnn_build(struct vnn_model *m, const struct vnn_st_file *f)
{
    struct cnn *c = calloc(1, sizeof *c);
    if (!c)
        return vnn_error(VNN_ERR_OUT_OF_MEMORY, "no memory for the cnn");
    m->layers = c;
    const int64_t big = 1 << 14;
    vnn_status st = VNN_OK;
    struct { const char *key; int64_t *v; } keys[] = {
        {"cnn.height", &c->H}, {"cnn.width", &c->W}, {"cnn.channels", &c->C},
        {"cnn.conv1", &c->K1}, {"cnn.conv2", &c->K2}, {"cnn.conv3", &c->K3},
        {"cnn.dense", &c->D}};
    for (size_t i = 0; i < sizeof keys / sizeof *keys && st == VNN_OK; i++)
        st = vnn_meta_int(f, keys[i].key, 1, big, keys[i].v);
    if (st != VNN_OK)
        return st;
    c->h1 = c->H - 2, c->w1 = c->W - 2;
    c->p1h = c->h1 / 2, c->p1w = c->w1 / 2;
    c->p2h = (c->p1h - 2) / 2, c->p2w = (c->p1w - 2) / 2;
    /* pool2 floors: an odd conv2 height or width leaves a last row or column
     * it never reads, so conv2 computes only the 2p2h x 2p2w pixels pool2
     * reads, from the first q1h x q1w of pool1's output (28 x 28: 10 x 10 of
     * 11 x 11, 17 % of the model's FLOPs). */
    c->q1h = 2 * c->p2h + 2, c->q1w = 2 * c->p2w + 2;
    c->h2 = c->q1h - 2, c->w2 = c->q1w - 2;
    c->h3 = c->p2h - 2, c->w3 = c->p2w - 2;
    if (c->h3 < 1 || c->w3 < 1)
        return vnn_error(VNN_ERR_BAD_FILE,
                         "metadata cnn.height x cnn.width %lldx%lld is too small for three "
                         "3x3 convolutions and two 2x2 pools (at least 22x22)",
                         (long long)c->H, (long long)c->W);
    m->info.height = c->H;
    m->info.width = c->W;
    m->info.channels = c->C;
    const int64_t C = m->info.classes, flat = c->h3 * c->w3 * c->K3;
    if ((st = load_conv(f, 0, c->H, c->W, c->C, c->K1, &c->conv[0])) != VNN_OK ||
        (st = load_conv(f, 1, c->q1h, c->q1w, c->K1, c->K2, &c->conv[1])) != VNN_OK ||
        (st = load_conv(f, 2, c->p2h, c->p2w, c->K2, c->K3, &c->conv[2])) != VNN_OK ||
        (st = vnn_dense_load(f, "fc1", flat, c->D, &c->fc1)) != VNN_OK ||
        (st = vnn_dense_load(f, "fc2", c->D, C, &c->fc2)) != VNN_OK)
        return st;
    return VNN_OK;
}

static size_t max3(size_t a, size_t b, size_t c) { return a > b ? (a > c ? a : c) : (b > c ? b : c); }

/* Two ping-pong buffers of the largest per-image activation each. */
static size_t cnn_buffer_floats(const struct vnn_model *m, int64_t N, int64_t T)
{
    (void)T;
    const struct cnn *c = m->layers;
    size_t per = max3((size_t)(c->h1 * c->w1 * c->K1), (size_t)(c->h2 * c->w2 * c->K2),
                      (size_t)(c->h3 * c->w3 * c->K3));
    size_t per_round = vnn_round_up(per, 16), total;
    if (per_round < (size_t)c->D)
        per_round = vnn_round_up((size_t)c->D, 16);
    if (!vnn_mul_size(per_round, (size_t)N, &total) || !vnn_mul_size(total, 2, &total))
        return 0;
    return total;
}

/* pool1 into [N][q1h][q1w][K1]: pooled from the first 2 q1h rows of each
 * conv1 image (a row prefix needs no strides), then each row cut to q1w
 * pixels in place (a short copy; conv2 saves far more). */
static vnn_status pool1(const struct cnn *c, int64_t N, const float *x, float *y)
{
    vnn_status st = VNN_OK;
    if (c->q1h == c->p1h)
        st = vnn_maxpool2d(&pool2, N, c->h1, c->w1, c->K1, x, c->p1h, c->p1w, y);
    for (int64_t n = 0; n < N && c->q1h < c->p1h && st == VNN_OK; n++)
        st = vnn_maxpool2d(&pool2, 1, 2 * c->q1h, c->w1, c->K1, x + n * c->h1 * c->w1 * c->K1,
                           c->q1h, c->p1w, y + n * c->q1h * c->p1w * c->K1);
    if (st != VNN_OK || c->q1w == c->p1w)
        return st;
    for (int64_t r = 0; r < N * c->q1h; r++)
        memmove(y + r * c->q1w * c->K1, y + r * c->p1w * c->K1,
                (size_t)(c->q1w * c->K1) * sizeof(float));
    return VNN_OK;
}

static vnn_status cnn_forward(const struct vnn_model *m, float *buf, int64_t N, int64_t T,
                              const void *input, const int64_t *lengths, float *logits)
{
    (void)T;
    (void)lengths;
    const struct cnn *c = m->layers;
    float *a = buf, *b = buf + cnn_buffer_floats(m, N, 0) / 2;
    vnn_status st;
    if ((st = vnn_conv2d_plan_run_batch(c->conv[0], N, input, a, NULL, 0)) != VNN_OK ||
        (st = pool1(c, N, a, b)) != VNN_OK ||
        (st = vnn_conv2d_plan_run_batch(c->conv[1], N, b, a, NULL, 0)) != VNN_OK ||
        (st = vnn_maxpool2d(&pool2, N, c->h2, c->w2, c->K2, a, c->p2h, c->p2w, b)) != VNN_OK ||
        (st = vnn_conv2d_plan_run_batch(c->conv[2], N, b, a, NULL, 0)) != VNN_OK ||
        (st = vnn_dense_run(&c->fc1, N, a, c->h3 * c->w3 * c->K3, b, 1)) != VNN_OK ||
        (st = vnn_dense_run(&c->fc2, N, b, c->D, logits, 0)) != VNN_OK)
        return vnn_error(st, "cnn forward pass: %s", vnn_status_str(st));
    return VNN_OK;
}

/* Images per pass: enough rows for the convolutions' GEMMs to run at
 * full speed, few enough that the activations stay in L2 between layers
 * (about 36 K floats an image at 28 x 28): 8 beat 4, 16 and a whole
 * batch of 64 by 3-25% on vnn-bench's model/cnn_b64. */
static int64_t cnn_chunk_samples(const struct vnn_model *m, int64_t T)
{
    (void)m, (void)T;
    return 8;
}

const struct vnn_model_family_ops vnn_cnn_family = {
    .name = "cnn",
    .family = VNN_MODEL_CNN,
    .build = cnn_build,
    .destroy = cnn_destroy,
    .buffer_floats = cnn_buffer_floats,
    .chunk_samples = cnn_chunk_samples,
    .forward = cnn_forward,
};
