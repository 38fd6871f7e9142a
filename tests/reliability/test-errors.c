/* Errors people can act on: an invalid argument gives VNN_ERR_INVALID_ARG
 * and a vnn_last_error() that names the function, the argument and its
 * value, for every op (GEMM, convolution and its helpers, pooling, LSTM,
 * attention, the row ops), the ISA and thread controls and the model API. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tiny-models.h"
#include "vnn/vnn.h"
#include "vt.h"

/* st must be `want` and the message must hold every one of `words`. */
static void expect_status(vnn_status st, vnn_status want, const char *what,
                          const char *const *words)
{
    VT_CHECK(st == want, "%s: status \"%s\", want \"%s\"", what, vnn_status_str(st),
             vnn_status_str(want));
    for (; *words; words++)
        VT_CHECK(strstr(vnn_last_error(), *words), "%s: \"%s\" does not name \"%s\"", what,
                 vnn_last_error(), *words);
}

static void expect(vnn_status st, const char *what, const char *const *words)
{
    expect_status(st, VNN_ERR_INVALID_ARG, what, words);
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

VT_TEST(errors, conv_helpers_name_the_argument)
{
    const vnn_conv2d_desc good = {.N = 1, .H = 5, .W = 5, .C_in = 2, .C_out = 3,
                                  .kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1,
                                  .dilation_h = 1, .dilation_w = 1, .groups = 1};
    vnn_conv2d_desc d = good;
    expect(vnn_conv2d_set_padding(NULL, VNN_PADDING_SAME), "NULL desc",
           WORDS("vnn_conv2d_set_padding", "desc is NULL"));
    expect(vnn_conv2d_set_padding(&d, (vnn_padding)9), "mode", WORDS("padding = 9"));
    d.stride_w = -2;
    expect(vnn_conv2d_set_padding(&d, VNN_PADDING_SAME), "stride",
           WORDS("desc->stride_w = -2 < 1"));
    d = good;
    d.H = 0;
    expect(vnn_conv2d_set_padding(&d, VNN_PADDING_VALID), "H", WORDS("desc->H = 0 < 1"));
    d = good;
    d.kernel_h = INT64_MAX / 2;
    d.dilation_h = 4;
    expect(vnn_conv2d_set_padding(&d, VNN_PADDING_SAME), "extent",
           WORDS("extent", "overflows", "dilation_h = 4"));

    float w[2 * 3 * 3 * 3] = {0}, hw[2 * 3 * 3 * 3];
    expect(vnn_conv2d_weights_from_oihw(3, 2, 3, 3, NULL, hw), "oihw NULL",
           WORDS("vnn_conv2d_weights_from_oihw", "oihw is NULL"));
    expect(vnn_conv2d_weights_from_oihw(3, 0, 3, 3, w, hw), "I", WORDS("C_in_per_group = 0"));
    expect(vnn_conv2d_weights_from_oihw(3, 2, 3, -1, w, hw), "KW", WORDS("KW = -1"));
    expect(vnn_conv2d_weights_from_oihw(INT64_C(1) << 40, INT64_C(1) << 40, 3, 3, w, hw),
           "huge", WORDS("PTRDIFF_MAX"));
    expect(vnn_conv2d_weights_from_oihw(3, 2, 3, 3, w, w + 4), "overlap",
           WORDS("oihw and hwio overlap"));

    vnn_conv2d_plan *p;
    VT_CHECK(vnn_conv2d_plan_create(&good, w, NULL, &p) == VNN_OK, "plan");
    int64_t OH, OW;
    size_t bytes;
    expect(vnn_conv2d_plan_desc(p, &d, &OH, NULL), "desc OW",
           WORDS("vnn_conv2d_plan_desc", "OW is NULL"));
    expect(vnn_conv2d_plan_desc(NULL, &d, &OH, &OW), "desc plan", WORDS("plan is NULL"));
    expect(vnn_conv2d_plan_workspace_size(p, NULL), "ws bytes",
           WORDS("vnn_conv2d_plan_workspace_size", "bytes is NULL"));
    expect(vnn_conv2d_plan_workspace_size(NULL, &bytes), "ws plan", WORDS("plan is NULL"));
    vnn_conv2d_plan_destroy(p);
}

VT_TEST(errors, dispatch_names_the_argument)
{
    vnn_isa isa;
    expect(vnn_isa_parse(NULL, &isa), "parse NULL", WORDS("vnn_isa_parse", "name is NULL"));
    expect_status(vnn_isa_parse("avx1024", &isa), VNN_ERR_UNSUPPORTED_ISA, "parse",
                  WORDS("\"avx1024\" is not an ISA name", "avx512"));
    expect_status(vnn_set_isa((vnn_isa)17), VNN_ERR_UNSUPPORTED_ISA, "set 17",
                  WORDS("vnn_set_isa", "isa = 17"));
    for (int i = 0; i < VNN_ISA_COUNT; i++)
        if (!vnn_isa_supported((vnn_isa)i))
            expect_status(vnn_set_isa((vnn_isa)i), VNN_ERR_UNSUPPORTED_ISA, "unsupported",
                          WORDS("vnn_set_isa", vnn_isa_name((vnn_isa)i), "cannot run here",
                                "usable values: scalar"));
    expect(vnn_cpu_features_get(NULL), "features", WORDS("vnn_cpu_features_get", "out is NULL"));
    expect(vnn_set_num_threads(-3), "threads", WORDS("vnn_set_num_threads", "n = -3"));
    expect(vnn_set_num_threads(1025), "threads", WORDS("n = 1025", "1024"));
}

/* VNN_ISA naming an ISA this machine lacks (or no ISA): every op refuses
 * with VNN_ERR_UNSUPPORTED_ISA, and vnn_last_error() says why. Runs in a
 * child, since the library reads VNN_ISA once per process. */
VT_TEST(errors, forced_isa_names_the_reason)
{
    fflush(NULL);
    pid_t pid = fork();
    VT_CHECK(pid >= 0, "fork failed");
    if (pid == 0) {
        setenv("VNN_ISA", "not-an-isa", 1);
        float x[4] = {1, 2, 3, 4}, y[4];
        int ok = vnn_relu(4, x, y) == VNN_ERR_UNSUPPORTED_ISA &&
                 strstr(vnn_last_error(), "VNN_ISA=not-an-isa cannot run here") &&
                 vnn_isa_env_error() != NULL;
        _exit(ok ? 0 : 1);
    }
    int status;
    VT_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
             "with VNN_ISA=not-an-isa, vnn_relu did not refuse with the reason");
}

VT_TEST(errors, model_api_names_the_argument)
{
    size_t size;
    unsigned char *cnn_file = tiny_model("cnn", 0, &size);
    unsigned char *lstm_file = tiny_model("bilstm", 0, &size);
    VT_CHECK(cnn_file && lstm_file, "tiny models");
    vnn_model *cnn, *lstm;
    expect(vnn_model_load_memory(NULL, 10, &cnn), "data",
           WORDS("vnn_model_load_memory", "data is NULL"));
    expect(vnn_model_load(NULL, &cnn), "path", WORDS("vnn_model_load", "path is NULL"));
    size_t cnn_size;
    free(cnn_file);
    cnn_file = tiny_model("cnn", 0, &cnn_size);
    VT_CHECK(vnn_model_load_memory(cnn_file, cnn_size, &cnn) == VNN_OK, "%s", vnn_last_error());
    VT_CHECK(vnn_model_load_memory(lstm_file, size, &lstm) == VNN_OK, "%s", vnn_last_error());
    vnn_model_info ci, li;
    vnn_model_get_info(cnn, &ci);
    vnn_model_get_info(lstm, &li);
    expect(vnn_model_get_info(cnn, NULL), "info", WORDS("vnn_model_get_info", "info is NULL"));
    const char *v;
    expect(vnn_model_config(cnn, NULL, &v), "key", WORDS("vnn_model_config", "key is NULL"));
    expect(vnn_model_config(cnn, "no.such.key", &v), "no key", WORDS("no.such.key"));
    expect(vnn_model_label(cnn, ci.classes, &v), "label",
           WORDS("vnn_model_label", "cls = ", "outside [0, "));
    vnn_model_context *ctx;
    expect(vnn_model_context_create(NULL, &ctx), "ctx", WORDS("vnn_model_context_create",
                                                              "model is NULL"));

    size_t px = (size_t)(ci.height * ci.width * ci.channels);
    float *img = vt_alloc_floats(2 * px), *out = vt_alloc_floats(2 * (size_t)ci.classes);
    for (size_t i = 0; i < 2 * px; i++)
        img[i] = 0.5f;
    expect(vnn_model_run_images(cnn, NULL, 0, img, out, NULL), "N",
           WORDS("vnn_model_run_images", "N = 0 < 1"));
    expect(vnn_model_run_images(cnn, NULL, 2, img, img + 3, NULL), "overlap",
           WORDS("images and logits overlap"));
    expect(vnn_model_run_images(cnn, NULL, 1, img, out, out + 1), "out overlap",
           WORDS("logits and probs overlap"));
    expect(vnn_model_run_images(lstm, NULL, 1, img, out, NULL), "family",
           WORDS("takes tokens, not images"));
    expect(vnn_model_run_images(cnn, NULL, INT64_MAX / 4, img, out, NULL), "huge",
           WORDS("PTRDIFF_MAX"));

    int64_t ids[8], lens[2] = {4, 5};
    for (int i = 0; i < 8; i++)
        ids[i] = i % li.vocab;
    expect(vnn_model_run_tokens(lstm, NULL, 2, 4, ids, lens, out, NULL), "length",
           WORDS("vnn_model_run_tokens", "lengths[1] = 5 outside [1, 4]"));
    ids[6] = li.vocab;
    expect(vnn_model_run_tokens(lstm, NULL, 2, 4, ids, NULL, out, NULL), "id",
           WORDS("token id", "sequence 1, position 2"));
    expect(vnn_model_run_tokens(lstm, NULL, 1, 0, ids, NULL, out, NULL), "T", WORDS("T = 0 < 1"));
    if (li.max_sequence < INT64_MAX)
        expect(vnn_model_run_tokens(lstm, NULL, 1, li.max_sequence + 1, ids, NULL, out, NULL),
               "T max", WORDS("takes at most"));
    expect(vnn_model_run_tokens(lstm, NULL, 2, 4, ids, NULL, (float *)(void *)(ids + 2), NULL),
           "ids overlap", WORDS("ids and logits overlap"));
    expect(vnn_model_run_tokens(cnn, NULL, 1, 4, ids, NULL, out, NULL), "cnn tokens",
           WORDS("takes images, not tokens"));
    int64_t count;
    expect(vnn_model_tokenize(lstm, NULL, 5, ids, 8, &count), "text",
           WORDS("vnn_model_tokenize", "text is NULL with len = 5"));
    expect(vnn_model_tokenize(lstm, "hi", 2, ids, -1, &count), "capacity",
           WORDS("capacity = -1"));
    expect(vnn_model_tokenize(cnn, "hi", 2, ids, 8, &count), "no tokenizer",
           WORDS("has no tokenizer"));
    vt_free(img);
    vt_free(out);
    vnn_model_free(cnn);
    vnn_model_free(lstm);
    free(cnn_file);
    free(lstm_file);
}
