/* libFuzzer target: the ONNX reader. The first byte picks what the rest
 * is: even, a ModelProto (half of those with a folder holding one small
 * external-data file, w.bin, half with none); odd, a TensorProto. Any bytes
 * are either refused with VNN_ERR_BAD_FILE (or IO for an external file) and
 * a message, or give a model whose every name, attribute and tensor value
 * can be read within its buffers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/onnx-reader.h"
#include "vnn/vnn.h"

static char dir[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(dir, sizeof dir, "/tmp/vnn-fuzz-onnx-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    char path[96];
    snprintf(path, sizeof path, "%s/w.bin", dir);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    for (int k = 0; k < 64; k++)
        fputc(k, f);
    fclose(f);
    return 0;
}

/* Reads every value, so ASan sees a buffer shorter than count. */
static double touch(const struct vnn_onnx_tensor *t)
{
    if (t->ndim < 0 || t->ndim > VNN_ONNX_MAX_DIMS || t->count < 0 || !t->name)
        abort();
    double s = 0;
    for (int64_t k = 0; k < t->count; k++)
        s += t->f ? t->f[k] : t->i ? (double)t->i[k] : 0;
    return s;
}

static void refused(vnn_status st, const void *out)
{
    if (out != NULL || (st != VNN_ERR_BAD_FILE && st != VNN_ERR_IO) || !vnn_last_error()[0])
        abort(); /* a refusal is BAD_FILE (or IO), with a message, and *out NULL */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0];
    /* A copy of exactly size - 1 bytes, so ASan sees any read past the end. */
    size_t n = size - 1;
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return 0;
    if (n)
        memcpy(copy, data + 1, n);
    volatile double sink = 0;
    if (mode & 1) {
        struct vnn_onnx_tensor *t = (struct vnn_onnx_tensor *)copy;
        vnn_status st = vnn_onnx_tensor_parse(copy, n, &t);
        if (st != VNN_OK)
            refused(st, t);
        else
            sink += touch(t);
        vnn_onnx_tensor_free(t);
    } else {
        struct vnn_onnx_model *m = (struct vnn_onnx_model *)copy;
        vnn_status st = vnn_onnx_model_parse(copy, n, mode & 2 ? dir : NULL, &m);
        if (st != VNN_OK) {
            refused(st, m);
        } else {
            for (size_t k = 0; k < m->n_inits; k++)
                sink += touch(&m->inits[k]);
            for (size_t k = 0; k < m->n_nodes; k++) {
                const struct vnn_onnx_node *nd = &m->nodes[k];
                sink += (double)(strlen(nd->op_type) + strlen(nd->name) + strlen(nd->domain));
                for (size_t j = 0; j < nd->n_in; j++)
                    sink += (double)strlen(nd->in[j]);
                for (size_t j = 0; j < nd->n_out; j++)
                    sink += (double)strlen(nd->out[j]);
                for (size_t j = 0; j < nd->n_attr; j++) {
                    const struct vnn_onnx_attr *a = &nd->attr[j];
                    if (vnn_onnx_attr_find(nd, a->name) != a)
                        abort();
                    for (size_t i = 0; i < a->n; i++)
                        sink += a->floats ? a->floats[i]
                                : a->ints  ? (double)a->ints[i]
                                           : (double)strlen(a->strings[i]);
                    if (a->s)
                        sink += (double)strlen(a->s);
                    if (a->t)
                        sink += touch(a->t);
                }
            }
            for (size_t k = 0; k < m->n_inputs; k++)
                sink += (double)strlen(m->inputs[k].name) + m->inputs[k].ndim;
            for (size_t k = 0; k < m->n_outputs; k++)
                sink += (double)strlen(m->outputs[k].name) + m->outputs[k].ndim;
        }
        vnn_onnx_model_free(m);
    }
    (void)sink;
    free(copy);
    return 0;
}
