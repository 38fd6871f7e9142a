/* In-process runner for builds where Criterion cannot run (qemu-user):
 * runs every registered case in turn and reports TAP, which meson counts.
 * Usage: <test> [substring ...] runs only cases whose suite/name matches. */
#include "vt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VT_MAX_CASES 1024

struct vt_case {
    const char *suite, *name;
    void (*fn)(void);
};

static struct vt_case cases[VT_MAX_CASES];
static int n_cases;
static jmp_buf escape;
static char message[1024];

void vt_register(const char *suite, const char *name, void (*fn)(void))
{
    if (n_cases == VT_MAX_CASES) {
        fprintf(stderr, "vt: too many test cases\n");
        exit(2);
    }
    cases[n_cases++] = (struct vt_case){suite, name, fn};
}

void vt_fail(const char *file, int line, const char *fmt, ...)
{
    int n = snprintf(message, sizeof message, "%s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message + n, sizeof message - (size_t)n, fmt, ap);
    va_end(ap);
    longjmp(escape, 1);
}

void vt_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    longjmp(escape, 2);
}

static int selected(const struct vt_case *c, int argc, char **argv)
{
    if (argc < 2)
        return 1;
    char full[256];
    snprintf(full, sizeof full, "%s/%s", c->suite, c->name);
    for (int i = 1; i < argc; i++)
        if (strstr(full, argv[i]))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    int total = 0;
    for (int i = 0; i < n_cases; i++)
        total += selected(&cases[i], argc, argv);
    printf("TAP version 13\n1..%d\n", total);
    int num = 0, failed = 0;
    for (int i = 0; i < n_cases; i++) {
        const struct vt_case *c = &cases[i];
        if (!selected(c, argc, argv))
            continue;
        num++;
        message[0] = '\0';
        fflush(stdout);
        int outcome = setjmp(escape);
        if (outcome == 0) {
            c->fn();
            printf("ok %d - %s::%s\n", num, c->suite, c->name);
        } else if (outcome == 1) {
            failed++;
            printf("not ok %d - %s::%s\n# %s\n", num, c->suite, c->name, message);
        } else {
            printf("ok %d - %s::%s # SKIP %s\n", num, c->suite, c->name, message);
        }
        fflush(stdout);
    }
    return failed ? 1 : 0;
}
