#include "shapes-file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool vb_read_shapes(const char *path, const char *what, vb_shape_fn fn, void *ctx)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vnn-bench: cannot read %s shapes from %s: %s\n", what, path,
                strerror(errno));
        return false;
    }
    char buf[512];
    bool ok = true;
    for (int lineno = 1; ok && fgets(buf, sizeof buf, f); lineno++) {
        if (!strchr(buf, '\n') && !feof(f)) {
            fprintf(stderr, "vnn-bench: %s:%d: line too long\n", path, lineno);
            ok = false;
            break;
        }
        char *hash = strchr(buf, '#');
        if (hash)
            *hash = '\0';
        struct vb_shape_line line = {.path = path, .lineno = lineno};
        for (char *tok = strtok(buf, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
            if (line.nfields == VB_SHAPE_MAX_FIELDS) {
                fprintf(stderr, "vnn-bench: %s:%d: too many fields\n", path, lineno);
                ok = false;
                break;
            }
            line.field[line.nfields++] = tok;
        }
        if (ok && line.nfields > 0)
            ok = fn(&line, ctx);
    }
    fclose(f);
    return ok;
}

bool vb_shape_ints(const struct vb_shape_line *line, int first, int n, int64_t min_value,
                   int64_t *out)
{
    for (int i = 0; i < n; i++) {
        const char *s = line->field[first + i];
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (end == s || *end || errno || v < min_value || v > (INT64_C(1) << 40)) {
            fprintf(stderr, "vnn-bench: %s:%d: field %d (\"%s\") must be an integer >= %lld\n",
                    line->path, line->lineno, first + i + 1, s, (long long)min_value);
            return false;
        }
        out[i] = v;
    }
    return true;
}

bool vb_shape_label_ok(const struct vb_shape_line *line)
{
    const char *s = line->field[0];
    if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
            strlen(s) &&
        strlen(s) < 64)
        return true;
    fprintf(stderr, "vnn-bench: %s:%d: label \"%s\" must be [A-Za-z0-9_.-], < 64 chars\n",
            line->path, line->lineno, s);
    return false;
}
