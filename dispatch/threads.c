/* Thread count shared by every op; VNN_NUM_THREADS sets the default. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <threads.h>

#include <omp.h>

#include "dispatch/dispatch.h"
#include "kernels/common/error.h"

static atomic_int num_threads;
static once_flag threads_once = ONCE_FLAG_INIT;

static int all_cores(void)
{
    int n = omp_get_num_procs();
    return n > 0 ? n : 1;
}

static void init_threads(void)
{
    int n = all_cores();
    const char *env = getenv("VNN_NUM_THREADS");
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v >= 1 && v <= 1024)
            n = (int)v;
        else /* a typo must not pass silently, nor stop the program */
            fprintf(stderr,
                    "vnn: ignoring VNN_NUM_THREADS=\"%s\" (want an integer 1..1024); "
                    "using all %d cores\n",
                    env, n);
    }
    atomic_store(&num_threads, n);
}

vnn_status vnn_set_num_threads(int n)
{
    call_once(&threads_once, init_threads);
    if (n < 0 || n > 1024)
        return vnn_error(VNN_ERR_INVALID_ARG,
                         "vnn_set_num_threads: n = %d outside 0 (all cores) .. 1024", n);
    atomic_store(&num_threads, n == 0 ? all_cores() : n);
    return VNN_OK;
}

int vnn_get_num_threads(void)
{
    call_once(&threads_once, init_threads);
    return atomic_load(&num_threads);
}
