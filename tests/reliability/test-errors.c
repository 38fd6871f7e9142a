/* Errors people can act on: an invalid argument gives VNN_ERR_INVALID_ARG
 * and a vnn_last_error() that names the function, the argument and its
 * value, for every op (GEMM, convolution, pooling, LSTM, attention, the
 * row ops). */
#include <math.h>
#include <string.h>

#include "vnn/vnn.h"
#include "vt.h"

/* st must be INVALID_ARG and the message must hold every one of `words`. */
static void expect(vnn_status st, const char *what, const char *const *words)
{
    VT_CHECK(st == VNN_ERR_INVALID_ARG, "%s: status \"%s\"", what, vnn_status_str(st));
    for (; *words; words++)
        VT_CHECK(strstr(vnn_last_error(), *words), "%s: \"%s\" does not name \"%s\"", what,
                 vnn_last_error(), *words);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

VT_TEST(errors, gemm_names_the_argument)
{
    float a[64] = {0}, b[64] = {0}, c[64] = {0};
    expect(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, -2, 4, 4, 1, a, 4, b, 4, 0, c, 4), "M < 0",
           WORDS("vnn_sgemm", "M = -2"));
    expect(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 4, 4, 4, 1, a, 3, b, 4, 0, c, 4), "lda",
           WORDS("vnn_sgemm", "lda = 3", "max(1, 4)"));
    expect(vnn_sgemm(VNN_NO_TRANS, VNN_TRANS, 4, 5, 4, 1, a, 4, b, 4, 0, c, 4), "ldc",
           WORDS("ldc = 4", "max(1, 5)"));
    expect(vnn_sgemm((vnn_transpose)7, VNN_NO_TRANS, 4, 4, 4, 1, a, 4, b, 4, 0, c, 4),
           "trans_a", WORDS("trans_a = 7"));
    expect(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 4, 4, 4, 1, a, 4, NULL, 4, 0, c, 4), "NULL B",
           WORDS("B is NULL"));
    expect(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 2, 2, 3, 1, a, INT64_MAX / 2, b, 2, 0, c, 2),
           "huge", WORDS("A (2 x 3", "PTRDIFF_MAX"));
    expect(vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2) == VNN_OK
               ? VNN_ERR_INVALID_ARG
               : VNN_OK,
           "a good call", WORDS(""));
    vnn_gemm_epilogue ep = {.act = (vnn_activation)9};
    expect(vnn_sgemm_ex(VNN_NO_TRANS, VNN_NO_TRANS, 2, 2, 2, 1, a, 2, b, 2, 0, c, 2, &ep),
           "act", WORDS("epilogue->act = 9"));
    vnn_packed_b *p;
    expect(vnn_sgemm_pack_b(VNN_NO_TRANS, 4, -1, b, 4, &p), "pack N", WORDS("vnn_sgemm_pack_b",
                                                                         "N = -1"));
    expect(vnn_sgemm_packed(VNN_NO_TRANS, 2, 1, a, 2, NULL, 0, c, 2, NULL), "packed NULL",
           WORDS("vnn_sgemm_packed", "B (the packed matrix) is NULL"));
}

VT_TEST(errors, pool_names_the_argument)
{
    float x[2 * 6 * 6 * 3] = {0}, y[2 * 6 * 6 * 3] = {0};
    vnn_pool2d_params p = {.kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
                           .pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1};
    int64_t OH, OW;
    VT_CHECK(vnn_pool2d_output_size(&p, 6, 6, &OH, &OW) == VNN_OK && OH == 6 && OW == 6, "size");
    vnn_pool2d_params bad = p;
    bad.pad_bottom = 3;
    expect(vnn_maxpool2d(&bad, 2, 6, 6, 3, x, 6, 6, y), "pad",
           WORDS("vnn_maxpool2d", "pad_bottom = 3", "kernel_h - 1 = 2"));
    bad = p;
    bad.stride_w = 0;
    expect(vnn_avgpool2d(&bad, 2, 6, 6, 3, x, 6, 6, y), "stride",
           WORDS("vnn_avgpool2d", "stride_w = 0"));
    expect(vnn_maxpool2d(&p, 2, 6, 6, 3, x, 5, 6, y), "OH",
           WORDS("OH x OW = 5 x 6", "output is 6 x 6"));
    expect(vnn_maxpool2d(&p, 0, 6, 6, 3, x, 6, 6, y), "N", WORDS("N = 0"));
    expect(vnn_maxpool2d(&p, 2, 6, 6, 3, x, 6, 6, NULL), "y", WORDS("y is NULL"));
    expect(vnn_maxpool2d(&p, 2, 6, 6, 3, x, 6, 6, x + 1), "overlap", WORDS("x and y overlap"));
    expect(vnn_maxpool2d(&p, 2, -6, 6, 3, x, 6, 6, y), "H", WORDS("H = -6 < 1"));
    bad = p;
    bad.pad_top = bad.pad_bottom = 0;
    bad.kernel_h = 7;
    expect(vnn_pool2d_output_size(&bad, 6, 6, &OH, &OW), "empty",
           WORDS("vnn_pool2d_output_size", "no output rows", "kernel_h = 7"));
    expect(vnn_global_avgpool2d(2, 6, 0, 3, x, y), "global W",
           WORDS("vnn_global_avgpool2d", "W = 0"));
}

VT_TEST(errors, row_ops_name_the_argument)
{
    float x[64] = {0}, y[64] = {0}, g[8] = {0}, b[8] = {0}, table[4 * 8] = {0};
    expect(vnn_relu(0, x, y), "relu n", WORDS("vnn_relu", "n = 0"));
    expect(vnn_relu(8, x, x + 1), "relu overlap", WORDS("x and y overlap"));
    expect(vnn_gelu((vnn_gelu_approx)5, 8, x, y), "gelu approx", WORDS("approx = 5"));
    expect(vnn_gelu(VNN_GELU_ERF, 8, NULL, y), "gelu x", WORDS("vnn_gelu", "x is NULL"));
    expect(vnn_add(8, x, NULL, y), "add b", WORDS("vnn_add", "b is NULL"));
    expect(vnn_add(8, x, y + 2, y), "add overlap", WORDS("b and y overlap"));
    expect(vnn_layernorm(2, 8, x, g, b, -1.0f, y), "eps", WORDS("vnn_layernorm", "eps = -1"));
    expect(vnn_layernorm(2, 8, x, NULL, b, 1e-5f, y), "gamma", WORDS("gamma is NULL"));
    expect(vnn_layernorm(-2, 8, x, g, b, 1e-5f, y), "rows", WORDS("rows x cols = -2 x 8"));
    expect(vnn_layernorm(2, 8, x, y + 4, b, 1e-5f, y), "gamma overlap",
           WORDS("gamma overlaps y"));
    expect(vnn_softmax(2, 8, x, x + 3), "softmax", WORDS("vnn_softmax", "overlap"));
    const int64_t ids[3] = {0, 4, 1};
    expect(vnn_embedding(3, ids, 4, 8, table, y), "id",
           WORDS("vnn_embedding", "ids[1] = 4 outside [0, 4)"));
    expect(vnn_embedding(3, ids, 4, 0, table, y), "dim", WORDS("dim = 0"));
}

VT_TEST(errors, conv_names_the_argument)
{
    float x[2 * 5 * 5 * 4] = {0}, w[3 * 3 * 4 * 6] = {0}, y[2 * 5 * 5 * 6] = {0};
    const vnn_conv2d_desc good = {.N = 2, .H = 5, .W = 5, .C_in = 4, .C_out = 6,
                                  .kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
                                  .dilation_h = 1, .dilation_w = 1, .pad_top = 1,
                                  .pad_bottom = 1, .pad_left = 1, .pad_right = 1, .groups = 1};
    vnn_conv2d_desc d = good;
    d.stride_w = 0;
    expect(vnn_conv2d(&d, x, w, NULL, y), "stride", WORDS("vnn_conv2d", "desc->stride_w = 0"));
    d = good;
    d.groups = 4;
    expect(vnn_conv2d(&d, x, w, NULL, y), "groups",
           WORDS("desc->C_out = 6 is not a multiple of groups = 4"));
    d = good;
    d.pad_right = 3;
    expect(vnn_conv2d(&d, x, w, NULL, y), "pad", WORDS("desc->pad_right = 3 outside [0, 3)"));
    d = good;
    d.pad_top = d.pad_bottom = 0;
    d.H = 2;
    int64_t OH, OW;
    expect(vnn_conv2d_output_size(&d, &OH, &OW), "small",
           WORDS("vnn_conv2d_output_size", "padded input height 2", "extent 3"));
    d = good;
    d.act = (vnn_activation)4;
    vnn_conv2d_plan *p;
    expect(vnn_conv2d_plan_create(&d, w, NULL, &p), "act",
           WORDS("vnn_conv2d_plan_create", "desc->act = 4"));
    expect(vnn_conv2d_plan_create(&good, NULL, NULL, &p), "w", WORDS("weights_hwio is NULL"));
    VT_CHECK(vnn_conv2d_plan_create(&good, w, NULL, &p) == VNN_OK, "plan");
    expect(vnn_conv2d_plan_run_batch(p, 0, x, y, NULL, 0), "N", WORDS("N = 0 < 1"));
    expect(vnn_conv2d_plan_run(p, x, (float *)x + 8, NULL, 0), "overlap",
           WORDS("x and y overlap"));
    vnn_conv2d_plan_destroy(p);
}

VT_TEST(errors, attention_names_the_argument)
{
    float q[2 * 3 * 4 * 8] = {0}, k[2 * 5 * 2 * 8] = {0}, v[2 * 5 * 2 * 8] = {0},
          out[2 * 3 * 4 * 8] = {0};
    const vnn_attention_params good = {.N = 2, .Sq = 3, .Sk = 5, .Hq = 4, .Hkv = 2, .D = 8};
    vnn_attention_params p = good;
    p.Hkv = 3;
    expect(vnn_attention(&p, q, k, v, out, NULL, 0), "heads",
           WORDS("vnn_attention", "params->Hq = 4 is not a multiple of Hkv = 3"));
    p = good;
    p.Sk = 0;
    size_t ws;
    expect(vnn_attention_workspace_size(&p, &ws), "Sk",
           WORDS("vnn_attention_workspace_size", "params->Sk = 0 < 1"));
    p = good;
    p.scale = INFINITY;
    expect(vnn_attention(&p, q, k, v, out, NULL, 0), "scale", WORDS("scale = inf"));
    p = good;
    const int64_t lens[2] = {5, 6};
    p.key_lengths = lens;
    expect(vnn_attention(&p, q, k, v, out, NULL, 0), "lengths",
           WORDS("key_lengths[1] = 6 outside [0, Sk = 5]"));
    expect(vnn_attention(&good, q, NULL, v, out, NULL, 0), "k", WORDS("k is NULL"));
    expect(vnn_attention(&good, q, k, v, q, NULL, 0), "overlap", WORDS("out overlaps"));
    VT_CHECK(vnn_attention_workspace_size(&good, &ws) == VNN_OK && ws > 1, "workspace size");
    static float work[1 << 16];
    expect(vnn_attention(&good, q, k, v, out, work, ws - 1), "workspace",
           WORDS("workspace_bytes", "vnn_attention_workspace_size()"));
}

VT_TEST(errors, lstm_names_the_argument)
{
    enum { I = 3, H = 4, T = 2, N = 2 };
    float w_ih[4 * H * I] = {0}, w_hh[4 * H * H] = {0}, x[T * N * I] = {0},
          y[T * N * H] = {0}, h[N * H] = {0};
    vnn_lstm_weights w = {w_ih, w_hh, NULL, NULL};
    vnn_lstm_desc d = {.input_size = I, .hidden_size = 0};
    vnn_lstm_plan *p;
    expect(vnn_lstm_plan_create(&d, &w, &p), "hidden",
           WORDS("vnn_lstm_plan_create", "hidden_size = 0"));
    d.hidden_size = H;
    vnn_lstm_weights no_hh = {w_ih, NULL, NULL, NULL};
    expect(vnn_lstm_plan_create(&d, &no_hh, &p), "w_hh", WORDS("weights[0].w_hh is NULL"));
    VT_CHECK(vnn_lstm_plan_create(&d, &w, &p) == VNN_OK, "plan");
    const int64_t lengths[N] = {2, 3};
    expect(vnn_lstm_plan_run(p, T, N, false, x, lengths, NULL, NULL, y, NULL, NULL), "length",
           WORDS("vnn_lstm_plan_run", "lengths[1] = 3 outside [1, T = 2]"));
    expect(vnn_lstm_plan_run(p, T, N, false, x, NULL, y, NULL, y, NULL, NULL), "h0 overlap",
           WORDS("h0 overlaps y"));
    expect(vnn_lstm_plan_run(p, 0, N, false, x, NULL, NULL, NULL, y, NULL, NULL), "T",
           WORDS("T = 0 < 1"));
    expect(vnn_lstm_cell(p, 1, N, x, NULL, NULL, h, y), "direction",
           WORDS("vnn_lstm_cell", "direction = 1 outside [0, 1)"));
    vnn_lstm_plan_destroy(p);
    expect(vnn_lstm_import_weights((vnn_lstm_format)9, I, H, w_ih, w_hh, NULL, x, y, h, h + 4),
           "format", WORDS("vnn_lstm_import_weights", "format = 9"));
}
