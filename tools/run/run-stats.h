/* Latency percentiles, peak memory and a terminal progress bar for
 * `vnn run`. */
#ifndef VNN_RUN_STATS_H
#define VNN_RUN_STATS_H

#include <stddef.h>
#include <stdint.h>

double now_seconds(void);
/* The p-th percentile (0..100) of n values (sorts them in place). */
double percentile(double *v, size_t n, double p);
/* Peak resident memory of this process in MiB. */
double peak_rss_mib(void);

/* A progress bar on stderr, shown only on a terminal and only once the run
 * has taken more than two seconds; redrawn at most ten times a second. */
struct progress {
    const char *what;
    int64_t total;
    double start, last;
    int shown, enabled;
};
void progress_start(struct progress *p, const char *what, int64_t total);
void progress_update(struct progress *p, int64_t done);
void progress_end(struct progress *p);

#endif
