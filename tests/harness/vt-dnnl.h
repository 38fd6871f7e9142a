/* oneDNN plumbing shared by the reference files (built with VT_HAVE_DNNL). */
#ifndef VT_DNNL_H
#define VT_DNNL_H

#include <oneapi/dnnl/dnnl.h>

/* Jump to the caller's `out:` label (its clean-up) when a oneDNN call fails. */
#define VT_DNNL_TRY(call)                                                                \
    do {                                                                                 \
        if ((call) != dnnl_success)                                                      \
            goto out;                                                                    \
    } while (0)

/* The CPU engine and its stream, created on the first call and shared by
 * every reference in the test process. */
dnnl_status_t vt_dnnl_get(dnnl_engine_t *engine, dnnl_stream_t *stream);

#endif
