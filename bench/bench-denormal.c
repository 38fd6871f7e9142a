/* denormal/<op>/<inputs>: the same call on normal inputs and on subnormal
 * ones (the normal values scaled by 2^-130: every input a nonzero
 * subnormal), to show what subnormals cost. vnn sets no flush-to-zero /
 * denormals-are-zero mode, so any cost is the CPU's; the README states the
 * ratio. Ops: GEMM 256x256x256 (A subnormal, B normal: every product and
 * partial sum subnormal), GELU (erf) and layer norm on 256 x 4096, the row
 * softmax on 256 x 4096 (its exp sees the subnormal differences).
 * Counter Gelem/s: output elements (GEMM: multiply-adds) per second. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-rand.h"
#include "bench.h"
#include "shim/vnn_bench.h"
#include "vnn/vnn.h"

enum op { D_GEMM, D_GELU, D_LAYERNORM, D_SOFTMAX, D_OPS };
static const char *const op_names[D_OPS] = {"gemm_256", "gelu_erf_256x4096",
                                            "layernorm_256x4096", "softmax_256x4096"};

struct dcase {
    enum op op;
    int subnormal;
};

static struct dcase cases[D_OPS][2];

static void bench_denormal(vb_state *st, void *arg)
{
    const struct dcase *c = arg;
    const int64_t R = 256, C = c->op == D_GEMM ? 256 : 4096;
    size_t n = (size_t)(R * C);
    float *x = vb_alloc(n * sizeof(float)), *w = vb_alloc(n * sizeof(float));
    float *y = vb_alloc(n * sizeof(float)), *g = vb_alloc((size_t)C * sizeof(float));
    float *b = vb_alloc((size_t)C * sizeof(float));
    if (!x || !w || !y || !g || !b) {
        vb_skip_with_error(st, "out of memory");
        goto out;
    }
    float scale = c->subnormal ? 0x1p-130f : 1.0f;
    for (size_t i = 0; i < n; i++) {
        float v = vb_rand_pm1();
        x[i] = (v == 0.0f ? 0.5f : v) * scale; /* never zero */
        w[i] = vb_rand_pm1();
    }
    for (int64_t j = 0; j < C; j++)
        g[j] = 1.0f, b[j] = 0.0f;
    if (c->subnormal && !(fpclassify(x[0]) == FP_SUBNORMAL)) {
        vb_skip_with_error(st, "inputs are not subnormal");
        goto out;
    }
    vnn_status s = VNN_OK;
    while (vb_keep_running(st) && s == VNN_OK) {
        switch (c->op) {
        case D_GEMM:
            s = vnn_sgemm(VNN_NO_TRANS, VNN_NO_TRANS, R, C, C, 1.0f, x, C, w, C, 0.0f, y, C);
            break;
        case D_GELU:
            s = vnn_gelu(VNN_GELU_ERF, (int64_t)n, x, y);
            break;
        case D_LAYERNORM:
            s = vnn_layernorm(R, C, x, g, b, 1e-5f, y);
            break;
        default:
            s = vnn_softmax(R, C, x, y);
            break;
        }
    }
    if (s != VNN_OK) {
        vb_skip_with_error(st, vnn_last_error());
        goto out;
    }
    double per_call = c->op == D_GEMM ? (double)R * (double)C * (double)C : (double)n;
    vb_set_counter(st, "Gelem/s", (double)vb_iterations(st) * per_call / 1e9, VB_RATE);
    char label[96];
    snprintf(label, sizeof label, "%s inputs, %s", c->subnormal ? "subnormal" : "normal",
             vnn_isa_name(vnn_get_isa()));
    vb_set_label(st, label);
out:
    free(x), free(w), free(y), free(g), free(b);
}

void vb_register_denormal(void)
{
    for (int op = 0; op < D_OPS; op++)
        for (int s = 0; s < 2; s++) {
            cases[op][s] = (struct dcase){(enum op)op, s};
            char name[96];
            snprintf(name, sizeof name, "denormal/%s/%s", op_names[op],
                     s ? "subnormal" : "normal");
            vb_register(name, bench_denormal, &cases[op][s]);
        }
}
