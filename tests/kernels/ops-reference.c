#include "ops-reference.h"

#include <stddef.h>

#ifdef VT_HAVE_DNNL
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#else
#include "vt.h"
#include "vnn/ops.h"
#endif

#ifdef VT_HAVE_DNNL

const char *ops_ref_name(void) { return "oneDNN primitives"; }

#include "vt-dnnl.h"

static dnnl_engine_t engine;
static dnnl_stream_t stream;

/* Creates the primitive of op_desc, wraps the buffers (arg ids in `ids`,
 * pointers in `ptrs`, all of descriptor md except those in `small`, which
 * use small_md), runs it and waits. */
static int run(const void *op_desc, int n, const int *ids, void *const *ptrs,
               const dnnl_memory_desc_t *md, const dnnl_memory_desc_t *small_md,
               int small_from)
{
    /* oneDNN on one thread: on a loaded machine a spinning OpenMP team costs
     * more than the small problems here (vnn sets its own team size). */
    int was = omp_get_max_threads(), rc = 1;
    omp_set_num_threads(1);
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t prim = NULL;
    dnnl_memory_t mem[4] = {NULL, NULL, NULL, NULL};
    dnnl_exec_arg_t args[4];
    VT_DNNL_TRY(dnnl_primitive_desc_create(&pd, op_desc, NULL, engine, NULL));
    VT_DNNL_TRY(dnnl_primitive_create(&prim, pd));
    for (int i = 0; i < n; i++) {
        VT_DNNL_TRY(dnnl_memory_create(&mem[i], i >= small_from ? small_md : md, engine, ptrs[i]));
        args[i] = (dnnl_exec_arg_t){ids[i], mem[i]};
    }
    VT_DNNL_TRY(dnnl_primitive_execute(prim, stream, n, args));
    VT_DNNL_TRY(dnnl_stream_wait(stream));
    rc = 0;
out:
    for (int i = 0; i < 4; i++)
        dnnl_memory_destroy(mem[i]);
    dnnl_primitive_destroy(prim);
    dnnl_primitive_desc_destroy(pd);
    omp_set_num_threads(was);
    return rc;
}

static int init(void) { return vt_dnnl_get(&engine, &stream) != dnnl_success; }

int ops_ref_layernorm(int64_t rows, int64_t cols, const float *x, const float *gamma,
                      const float *beta, float eps, float *y)
{
    dnnl_memory_desc_t md, cmd;
    dnnl_dims_t dims = {rows, cols}, cdims = {cols};
    dnnl_layer_normalization_desc_t d;
    if (init() || dnnl_memory_desc_init_by_tag(&md, 2, dims, dnnl_f32, dnnl_ab) ||
        dnnl_memory_desc_init_by_tag(&cmd, 1, cdims, dnnl_f32, dnnl_a) ||
        dnnl_layer_normalization_forward_desc_init(&d, dnnl_forward_inference, &md, NULL, eps,
                                                   dnnl_use_scale | dnnl_use_shift))
        return 1;
    int ids[4] = {DNNL_ARG_SRC, DNNL_ARG_DST, DNNL_ARG_SCALE, DNNL_ARG_SHIFT};
    void *ptrs[4] = {(void *)x, y, (void *)gamma, (void *)beta};
    return run(&d, 4, ids, ptrs, &md, &cmd, 2);
}

int ops_ref_softmax(int64_t rows, int64_t cols, const float *x, float *y)
{
    dnnl_memory_desc_t md;
    dnnl_dims_t dims = {rows, cols};
    dnnl_softmax_desc_t d;
    if (init() || dnnl_memory_desc_init_by_tag(&md, 2, dims, dnnl_f32, dnnl_ab) ||
        dnnl_softmax_forward_desc_init(&d, dnnl_forward_inference, &md, 1))
        return 1;
    int ids[2] = {DNNL_ARG_SRC, DNNL_ARG_DST};
    void *ptrs[2] = {(void *)x, y};
    return run(&d, 2, ids, ptrs, &md, NULL, 2);
}

int ops_ref_eltwise(enum ops_ref_eltwise op, int64_t n, const float *x, float *y)
{
    static const dnnl_alg_kind_t alg[] = {dnnl_eltwise_relu, dnnl_eltwise_gelu_erf,
                                          dnnl_eltwise_gelu_tanh};
    dnnl_memory_desc_t md;
    dnnl_dims_t dims = {n};
    dnnl_eltwise_desc_t d;
    if (init() || dnnl_memory_desc_init_by_tag(&md, 1, dims, dnnl_f32, dnnl_a) ||
        dnnl_eltwise_forward_desc_init(&d, dnnl_forward_inference, alg[op], &md, 0.0f, 0.0f))
        return 1;
    int ids[2] = {DNNL_ARG_SRC, DNNL_ARG_DST};
    void *ptrs[2] = {(void *)x, y};
    return run(&d, 2, ids, ptrs, &md, NULL, 2);
}

int ops_ref_add(int64_t n, const float *a, const float *b, float *y)
{
    dnnl_memory_desc_t md;
    dnnl_dims_t dims = {n};
    dnnl_binary_desc_t d;
    if (init() || dnnl_memory_desc_init_by_tag(&md, 1, dims, dnnl_f32, dnnl_a) ||
        dnnl_binary_desc_init(&d, dnnl_binary_add, &md, &md, &md))
        return 1;
    int ids[3] = {DNNL_ARG_SRC_0, DNNL_ARG_SRC_1, DNNL_ARG_DST};
    void *ptrs[3] = {(void *)a, (void *)b, y};
    return run(&d, 3, ids, ptrs, &md, NULL, 3);
}

#else

const char *ops_ref_name(void) { return "vnn scalar kernels"; }

int ops_ref_layernorm(int64_t rows, int64_t cols, const float *x, const float *gamma,
                      const float *beta, float eps, float *y)
{
    VT_RETURN_ON_SCALAR(vnn_layernorm(rows, cols, x, gamma, beta, eps, y));
}

int ops_ref_softmax(int64_t rows, int64_t cols, const float *x, float *y)
{
    VT_RETURN_ON_SCALAR(vnn_softmax(rows, cols, x, y));
}

int ops_ref_eltwise(enum ops_ref_eltwise op, int64_t n, const float *x, float *y)
{
    VT_RETURN_ON_SCALAR(op == OPS_REF_RELU       ? vnn_relu(n, x, y)
                        : op == OPS_REF_GELU_ERF ? vnn_gelu(VNN_GELU_ERF, n, x, y)
                                                 : vnn_gelu(VNN_GELU_TANH, n, x, y));
}

int ops_ref_add(int64_t n, const float *a, const float *b, float *y)
{
    VT_RETURN_ON_SCALAR(vnn_add(n, a, b, y));
}

#endif
