/* Harness back end for Criterion (built with -DVT_CRITERION): failures and
 * skips abort the test. */
#include "vt.h"

#include <stdarg.h>
#include <stdio.h>

void vt_fail(const char *file, int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cr_assert_fail("%s:%d: %s", file, line, msg);
    __builtin_unreachable();
}

void vt_skip(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cr_skip_test("%s", msg);
    __builtin_unreachable();
}
