#include "run-stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double percentile(double *v, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    qsort(v, n, sizeof *v, cmp_double);
    /* Nearest rank. */
    size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    rank = rank < 1 ? 1 : rank > n ? n : rank;
    return v[rank - 1];
}

double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

void progress_start(struct progress *p, const char *what, int64_t total)
{
    *p = (struct progress){.what = what, .total = total, .start = now_seconds(),
                           .enabled = isatty(2)};
}

void progress_update(struct progress *p, int64_t done)
{
    if (!p->enabled)
        return;
    double t = now_seconds();
    if (t - p->start < 2.0 || t - p->last < 0.1)
        return;
    p->last = t;
    p->shown = 1;
    int width = 30, fill = p->total ? (int)(width * done / p->total) : width;
    double eta = done ? (t - p->start) * (double)(p->total - done) / (double)done : 0.0;
    fprintf(stderr, "\r%s [%.*s%*s] %lld/%lld  %.0f s left ", p->what, fill,
            "##############################", width - fill, "", (long long)done,
            (long long)p->total, eta);
    fflush(stderr);
}

void progress_end(struct progress *p)
{
    if (p->shown)
        fprintf(stderr, "\r%*s\r", 78, "");
}
