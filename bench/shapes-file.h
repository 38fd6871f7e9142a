/* Reading bench/shapes/<op>.txt files: one shape a line, whitespace
 * separated fields, the first a label; `#` starts a comment, blank lines are
 * skipped. The ops parse their own fields (shapes-file.c only splits). */
#ifndef VNN_BENCH_SHAPES_FILE_H
#define VNN_BENCH_SHAPES_FILE_H

#include <stdbool.h>
#include <stdint.h>

#define VB_SHAPE_MAX_FIELDS 16

struct vb_shape_line {
    const char *path;
    int lineno;
    int nfields;
    const char *field[VB_SHAPE_MAX_FIELDS]; /* field[0] is the label */
};

/* Called per non-blank line; returns false (after printing a message) to
 * stop. The fields live only during the call. */
typedef bool (*vb_shape_fn)(const struct vb_shape_line *line, void *ctx);

/* false if the file cannot be read, a line is too long or has too many
 * fields, or fn returned false (a message is on stderr). */
bool vb_read_shapes(const char *path, const char *what, vb_shape_fn fn, void *ctx);

/* fields [first, first + n) as positive integers (min_value: 0 or 1) into
 * out; false with a message naming the line otherwise. */
bool vb_shape_ints(const struct vb_shape_line *line, int first, int n, int64_t min_value,
                   int64_t *out);

/* A label is [A-Za-z0-9_.-]+, so it fits in a benchmark name and a filter. */
bool vb_shape_label_ok(const struct vb_shape_line *line);

#endif
