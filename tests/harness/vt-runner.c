/* Runner for builds where Criterion cannot run (qemu-user): runs every
 * registered case in turn, each in a forked child like Criterion (so library
 * state such as the once-only VNN_ISA read, or a crash, stays in that case),
 * and reports TAP, which meson counts. VT_NO_FORK=1 runs cases in-process
 * (for a debugger).
 * Usage: <test> [substring ...] runs only cases whose suite/name matches. */
#include "vt.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* Runs one case here: 0 passed, 1 failed, 2 skipped (message set). */
static int run_case(const struct vt_case *c)
{
    message[0] = '\0';
    int outcome = setjmp(escape);
    if (outcome == 0)
        c->fn();
    return outcome;
}

/* Runs one case in a child; the child sends its outcome and message back. */
static int run_case_forked(const struct vt_case *c)
{
    int fds[2];
    if (pipe(fds) != 0)
        return run_case(c);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return run_case(c);
    }
    if (pid == 0) {
        close(fds[0]);
        char outcome = (char)run_case(c);
        fflush(NULL);
        if (write(fds[1], &outcome, 1) != 1 ||
            write(fds[1], message, strlen(message)) < 0)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    char buf[sizeof message + 1];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        continue;
    if (got >= 1 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        buf[got] = '\0';
        snprintf(message, sizeof message, "%s", buf + 1);
        return buf[0];
    }
    if (WIFSIGNALED(status))
        snprintf(message, sizeof message, "crashed: signal %d", WTERMSIG(status));
    else
        snprintf(message, sizeof message, "exited with status %d without reporting",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 1;
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
        const char *nofork = getenv("VT_NO_FORK");
        int outcome = nofork && *nofork == '1' ? run_case(c) : run_case_forked(c);
        if (outcome == 0) {
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
