/* What each bench file registers with the shim (see shim/vnn_bench.h). */
#ifndef VNN_BENCH_BENCH_H
#define VNN_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>

#include <oneapi/dnnl/dnnl.h>

/* gemm/<M>x<N>x<K>/<impl> for every shape in the file; false (with a
 * message on stderr) if the file cannot be read or has a bad line. */
bool vb_register_gemm(const char *shapes_path);

/* lstm/<label>/<impl> for every shape in the file; false (with a message on
 * stderr) if the file cannot be read or has a bad line. */
bool vb_register_lstm(const char *shapes_path);
/* attention/<label>/<impl> for every line "label N Sq Sk H Hkv D causal" of
 * the file; false (with a message on stderr) if it cannot be read or has a
 * bad line. */
bool vb_register_attention(const char *shapes_path);

/* peak/fma/<isa> for every SIMD ISA this CPU supports. */
void vb_register_peak(void);

/* ops/<op>_<rows>x<cols>/<impl> for the shapes in $VNN_BENCH_OPS_SHAPES or
 * bench/shapes/ops.txt; false (with a message) on a bad file. */
bool vb_register_ops(void);
/* conv/<label>/<impl> and pool/<label>/<impl> for every shape in the files;
 * false (with a message on stderr) as vb_register_gemm. */
bool vb_register_conv(const char *shapes_path);
bool vb_register_pool(const char *shapes_path);

/* peak/membw/read and peak/membw/copy: main-memory bandwidth. */
void vb_register_membw(void);

/* denormal/<op>/normal and denormal/<op>/subnormal: the same call on normal
 * and on subnormal inputs (bench-denormal.c). */
void vb_register_denormal(void);

/* aligned_alloc(64, bytes rounded up to a multiple of 64); free() it. */
void *vb_alloc(size_t bytes);
/* "oneDNN X.Y.Z <impl>" into buf, <impl> what pd says (or "?"); pd NULL:
 * "oneDNN X.Y.Z" alone. Returns snprintf's count. */
int vb_onednn_label(char *buf, size_t size, const_dnnl_primitive_desc_t pd);

#endif
