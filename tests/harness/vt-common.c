/* Parts of the harness shared by both runners. */
#include "vt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vt_use_isa(vnn_isa isa)
{
    if (!vnn_isa_supported(isa)) {
        vnn_cpu_features f;
        vnn_cpu_features_get(&f);
        vt_skip("%s kernels cannot run on this machine (%s); skipped", vnn_isa_name(isa),
                f.model);
    }
    vnn_status st = vnn_set_isa(isa);
    if (st != VNN_OK)
        vt_fail(__FILE__, __LINE__, "vnn_set_isa(%s): %s", vnn_isa_name(isa),
                vnn_status_str(st));
}

vt_rng vt_rng_make(const char *salt)
{
    unsigned long long h = 1469598103934665603ull; /* FNV-1a of the salt */
    for (const char *p = salt; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    const char *seed = getenv("VT_SEED");
    if (seed)
        h ^= strtoull(seed, NULL, 0) * 0x9E3779B97F4A7C15ull;
    return (vt_rng){h ? h : 1};
}

unsigned long long vt_rng_next(vt_rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

int vt_rng_int(vt_rng *r, int lo, int hi)
{
    return lo + (int)(vt_rng_next(r) % (unsigned long long)(hi - lo + 1));
}

void vt_fill_ints(vt_rng *r, float *x, size_t n, int lo, int hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)vt_rng_int(r, lo, hi);
}

void vt_fill_nan(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        x[i] = NAN;
}

int vt_count(int dflt)
{
    const char *s = getenv("VT_SCALE");
    double scale = s ? atof(s) : 1.0;
    int n = (int)(dflt * scale + 0.5);
    return n < 1 ? 1 : n;
}

void vt_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int vt_compare_nhwc(const float *got, const float *want, size_t n, size_t C, size_t OH,
                    size_t OW, int bitwise, char *msg, size_t size)
{
    if (!vt_guard_ok(got, msg, size))
        return 0;
    for (size_t i = 0; i < n; i++) {
        float g = got[i], w = want[i];
        int same = bitwise ? memcmp(&g, &w, sizeof g) == 0 && !isnan(g) : g == w;
        if (same)
            continue;
        size_t ch = i % C, px = i / C;
        size_t ow = px % OW, oh = px / OW % OH, img = px / (OW * OH);
        snprintf(msg, size,
                 "first difference at y[n=%zu][oh=%zu][ow=%zu][c=%zu] (of %zux%zu): "
                 "got %.9g, expected %.9g",
                 img, oh, ow, ch, OH, OW, (double)g, (double)w);
        return 0;
    }
    return 1;
}

#ifdef VT_HAVE_DNNL
#include "vt-dnnl.h"

dnnl_status_t vt_dnnl_get(dnnl_engine_t *engine, dnnl_stream_t *stream)
{
    static dnnl_engine_t e;
    static dnnl_stream_t s;
    if (!s) {
        dnnl_status_t st = e ? dnnl_success : dnnl_engine_create(&e, dnnl_cpu, 0);
        if (st == dnnl_success)
            st = dnnl_stream_create(&s, e, dnnl_stream_default_flags);
        if (st != dnnl_success)
            return st;
    }
    *engine = e;
    *stream = s;
    return dnnl_success;
}
#endif
