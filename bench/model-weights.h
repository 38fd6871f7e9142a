/* Benchmark-size models with seeded random weights, written once as real
 * safetensors files (models/weights-format.md) so that vnn-bench and
 * tools/models/bench_pytorch.py run exactly the same weights. */
#ifndef VNN_BENCH_MODEL_WEIGHTS_H
#define VNN_BENCH_MODEL_WEIGHTS_H

#include <stddef.h>

/* The file of `family` ("cnn", "bilstm" or "transformer") in dir: its path
 * into path (size bytes). The file is written (dir created as needed) only
 * if absent, through a temporary file renamed into place, so a partly
 * written file is never seen. Returns 0, or -1 with a message on stderr.
 *
 *   cnn          28x28x1, conv 32/64/64, dense 64, 10 classes
 *   bilstm       vocab 10000, embed 64, hidden 64, dense 64, 2 classes
 *   transformer  vocab 10000, d_model 256, 4 heads, ffn 1024, 4 layers,
 *                512 positions, 2 classes
 * Text models carry a words-v1 tokenizer (max_tokens 512; the words "w2",
 * "w3", ... for ids 2, 3, ...). Weights are F32, uniform in
 * [-1/sqrt(fan_in), 1/sqrt(fan_in)) from a seeded generator (embeddings in
 * [-1, 1), LayerNorm weight 1 and bias 0), the same bytes on every run. */
int vb_model_weights_file(const char *dir, const char *family, char *path, size_t size);

#endif
