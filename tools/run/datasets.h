/* Inputs for `vnn run` and the model tests: IDX image files (Fashion-MNIST,
 * gzip or plain), text documents (one a line, JSON lines, or the
 * SpamAssassin corpus's test split). Each reader validates what it reads
 * and fails with a one-line message in `err`. */
#ifndef VNN_DATASETS_H
#define VNN_DATASETS_H

#include <stddef.h>
#include <stdint.h>

/* count images of h x w x 1 pixels as floats (pixel / 255), NHWC. */
struct image_set {
    int64_t count, h, w;
    float *pixels;
    int *labels; /* count labels, or NULL */
};
/* images: an IDX3 file (gzip or not); labels: an IDX1 file or NULL. */
int image_set_read(const char *images, const char *labels, struct image_set *out,
                   char *err, size_t errlen);
void image_set_free(struct image_set *s);

struct text_set {
    int64_t count;
    char **texts;
    size_t *lengths;
    int *labels; /* count labels (-1 where unknown), or NULL */
    char **ids;  /* document ids (corpus), or NULL */
};
/* One document per line (a trailing \r dropped), or with `jsonl` one JSON
 * object per line with a "text" string and an optional "label" (an integer
 * class or a class name from `label_names`, n_labels of them). */
int text_set_read_lines(const char *path, int jsonl, const char *const *label_names,
                        int n_labels, struct text_set *out, char *err, size_t errlen);
/* The SpamAssassin corpus's test split (documents whose MD5 checksum's
 * first 8 hex digits, as a number, are 0 mod 5), in id order, labels
 * ham = 0, spam = 1. dir holds the groups (easy-ham-1, ..., spam-2). */
int text_set_read_corpus_test(const char *dir, struct text_set *out, char *err, size_t errlen);
void text_set_free(struct text_set *s);

#endif
