/* Guarded test buffers: every buffer a test hands to vnn (outputs, inputs,
 * workspaces) gets its own mapping, placed so that the buffer ends exactly
 * where a PROT_NONE page begins: reading or writing one element past the
 * end faults at once, on every ISA and under qemu-user. The rest of the
 * mapping before the buffer is filled with canary bytes, checked when the
 * buffer is checked or freed (a write before the start). Inputs can be made
 * read-only (mprotect), so a kernel writing to them faults too.
 *
 * VT_GUARD=before flips the layout: the buffer starts right after the
 * PROT_NONE page and the canaries follow its end, so reads before the start
 * fault (the ASan run of tools/ci/sanitize.sh uses it; the native run covers
 * the end).
 *
 * A fault in a guard page or a write to a read-only buffer is named on
 * stderr (which buffer, allocated where, how far off) by a SIGSEGV handler,
 * with the stack (addr2line -e <test> names the lines), and then lets the
 * signal kill the test: both runners report the crash. */
#include "vt.h"

#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CANARY 0xFF /* as float or double (any alignment): a NaN, so a read shows too */
#define MAX_BUFS 1024

struct gbuf {
    unsigned char *base;  /* the mapping: data pages and one PROT_NONE page */
    size_t maplen;
    unsigned char *start; /* the caller's buffer */
    size_t bytes, span;   /* span: bytes rounded up to the alignment */
    const char *file;
    int line;
    volatile int readonly;
};

static struct gbuf bufs[MAX_BUFS];
static volatile int n_slots; /* slots in use are those with base != NULL */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static size_t page;
static int below; /* VT_GUARD=before */

/* --- the fault handler (async-signal-safe: write(2) and integer formatting) --- */

static void put(const char *s) { (void)!write(2, s, strlen(s)); }

static void put_num(uintptr_t v)
{
    char b[24];
    int i = (int)sizeof b;
    b[--i] = '\0';
    do
        b[--i] = (char)('0' + v % 10);
    while ((v /= 10) && i > 0);
    put(b + i);
}

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    unsigned char *a = si->si_addr;
    for (int i = 0; i < n_slots; i++) {
        const struct gbuf *g = &bufs[i];
        if (!g->base || a < g->base || a >= g->base + g->maplen)
            continue;
        put("vt: fault at a guarded buffer: ");
        if (a >= g->start + g->bytes) {
            put("access ");
            put_num((uintptr_t)(a - (g->start + g->bytes)));
            put(" bytes past the end of");
        } else if (a < g->start) {
            put("access ");
            put_num((uintptr_t)(g->start - a));
            put(" bytes before the start of");
        } else {
            put("write at byte ");
            put_num((uintptr_t)(a - g->start));
            put(" of the read-only");
        }
        put(" the ");
        put_num(g->bytes);
        put("-byte buffer allocated at ");
        put(g->file);
        put(":");
        put_num((uintptr_t)g->line);
        put("\n");
        void *frames[24];
        backtrace_symbols_fd(frames, backtrace(frames, 24), 2);
        break;
    }
    /* SA_RESETHAND restored the default action: returning re-runs the access,
     * which now kills the test with this signal. */
    (void)sig;
}

static void init_once(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    void *frame; /* loads the unwinder now, not in the fault handler */
    (void)backtrace(&frame, 1);
    const char *mode = getenv("VT_GUARD");
    below = mode && strcmp(mode, "before") == 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;

/* --- a cache of freed mappings ----------------------------------------------------
 * Tests allocate and free buffers per case; an munmap (and the TLB shootdown
 * it sends to the CPUs running vnn's OpenMP threads) per buffer made some
 * suites 40% slower. A freed mapping (data pages writable, guard page still
 * PROT_NONE) is kept for the next buffer of the same mapping size. */

#define CACHE_SLOTS 64
#define CACHE_BYTES ((size_t)256 << 20)

static struct { unsigned char *base; size_t maplen; } cache[CACHE_SLOTS];
static size_t cached_bytes;

/* The smallest cached mapping of at least `need` bytes (and not much more,
 * as the whole of it is refilled with canaries), its size in *maplen.
 * Called with the lock held. */
static unsigned char *cache_take(size_t need, size_t *maplen)
{
    int best = -1;
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (cache[i].base && cache[i].maplen >= need && cache[i].maplen <= 2 * need + 4 * page &&
            (best < 0 || cache[i].maplen < cache[best].maplen))
            best = i;
    if (best < 0)
        return NULL;
    unsigned char *b = cache[best].base;
    *maplen = cache[best].maplen;
    cached_bytes -= *maplen;
    cache[best].base = NULL;
    return b;
}

/* Called with the lock held; 0 if it is too large to keep (the caller
 * unmaps it). With every slot taken, one (in turn) is unmapped for it. */
static int cache_put(unsigned char *base, size_t maplen)
{
    static int next_evict;
    if (maplen > CACHE_BYTES / 4)
        return 0;
    int slot = -1;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; i++)
        if (!cache[i].base)
            slot = i;
    while (slot < 0 || cached_bytes + maplen > CACHE_BYTES) {
        int v = next_evict++ % CACHE_SLOTS;
        if (!cache[v].base)
            continue;
        munmap(cache[v].base, cache[v].maplen);
        cached_bytes -= cache[v].maplen;
        cache[v].base = NULL;
        slot = slot < 0 ? v : slot;
    }
    cache[slot].base = base;
    cache[slot].maplen = maplen;
    cached_bytes += maplen;
    return 1;
}

/* --- allocation ---------------------------------------------------------------- */

static struct gbuf *find(const void *p)
{
    const unsigned char *a = p;
    for (int i = 0; i < n_slots; i++)
        if (bufs[i].base && a >= bufs[i].start && a <= bufs[i].start + bufs[i].bytes)
            return &bufs[i];
    return NULL;
}

void *vt_alloc_guarded(size_t bytes, size_t align, const char *file, int line)
{
    pthread_once(&once, init_once);
    if (align == 0 || (align & (align - 1)) || align > page)
        vt_fail(file, line, "vt_alloc_guarded: bad alignment %zu", align);
    size_t span = (bytes + align - 1) / align * align; /* the buffer and its tail slack */
    if (span < bytes || span > SIZE_MAX - 2 * page)
        vt_fail(file, line, "vt_alloc_guarded: %zu bytes is too large", bytes);
    size_t data = (span + 64 + page - 1) / page * page; /* at least 64 canary bytes */
    size_t maplen = data + page;
    pthread_mutex_lock(&lock);
    unsigned char *base = cache_take(maplen, &maplen);
    pthread_mutex_unlock(&lock);
    data = maplen - page;
    if (!base) {
        base = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        VT_CHECK(base != MAP_FAILED, "%s:%d: out of memory mapping %zu bytes", file, line,
                 maplen);
        unsigned char *guard = below ? base : base + data;
        VT_CHECK(mprotect(guard, page, PROT_NONE) == 0, "mprotect of a guard page failed");
    }
    unsigned char *start = below ? base + page : base + data - span;
    memset(below ? start : base, CANARY, data);
    pthread_mutex_lock(&lock);
    int slot = 0;
    while (slot < n_slots && bufs[slot].base)
        slot++;
    if (slot == MAX_BUFS) {
        pthread_mutex_unlock(&lock);
        munmap(base, maplen);
        vt_fail(file, line, "more than %d guarded buffers alive", MAX_BUFS);
    }
    bufs[slot] = (struct gbuf){base, maplen, start, bytes, span, file, line, 0};
    if (slot == n_slots)
        n_slots++;
    pthread_mutex_unlock(&lock);
    return start;
}

float *vt_alloc_floats_at(size_t n, const char *file, int line)
{
    if (n > SIZE_MAX / sizeof(float))
        vt_fail(file, line, "vt_alloc_floats: %zu floats is too many", n);
    float *p = vt_alloc_guarded(n * sizeof(float), sizeof(float), file, line);
    vt_fill_nan(p, n);
    return p;
}

static struct gbuf *must_find(const void *p, const char *what)
{
    pthread_mutex_lock(&lock);
    struct gbuf *g = find(p);
    pthread_mutex_unlock(&lock);
    if (!g)
        vt_fail(__FILE__, __LINE__, "%s: %p is not a guarded buffer", what, p);
    return g;
}

static void protect(struct gbuf *g, int prot)
{
    unsigned char *data = below ? g->base + page : g->base;
    VT_CHECK(mprotect(data, g->maplen - page, prot) == 0, "mprotect failed");
    g->readonly = !(prot & PROT_WRITE);
}

void vt_readonly(const void *p)
{
    if (p)
        protect(must_find(p, "vt_readonly"), PROT_READ);
}

void vt_writable(const void *p)
{
    if (p)
        protect(must_find(p, "vt_writable"), PROT_READ | PROT_WRITE);
}

static const unsigned char *scan(const unsigned char *lo, const unsigned char *hi)
{
    for (const unsigned char *c = lo; c < hi; c++)
        if (*c != CANARY)
            return c;
    return NULL;
}

/* The first canary byte that changed, or NULL. */
static const unsigned char *spoiled(const struct gbuf *g)
{
    if (below)
        return scan(g->start + g->bytes, g->base + g->maplen);
    const unsigned char *c = scan(g->base, g->start);
    return c ? c : scan(g->start + g->bytes, g->start + g->span);
}

int vt_guard_ok(const void *p, char *msg, size_t size)
{
    pthread_mutex_lock(&lock);
    struct gbuf *g = find(p);
    pthread_mutex_unlock(&lock);
    if (!g)
        return 1; /* not from the harness: nothing to check */
    const unsigned char *c = spoiled(g);
    if (!c)
        return 1;
    if (msg)
        snprintf(msg, size, "wrote %s the %zu-byte buffer allocated at %s:%d (%td bytes away)",
                 c < g->start ? "before the start of" : "past the end of", g->bytes, g->file,
                 g->line, c < g->start ? g->start - c : c - (g->start + g->bytes) + 1);
    return 0;
}

void vt_guard_check_at(const void *p, const char *what, const char *file, int line)
{
    char msg[300];
    if (p && !vt_guard_ok(p, msg, sizeof msg))
        vt_fail(file, line, "%s: %s", what, msg);
}

void vt_free(void *p)
{
    if (!p)
        return;
    char msg[300];
    int ok = vt_guard_ok(p, msg, sizeof msg);
    pthread_mutex_lock(&lock);
    struct gbuf *g = find(p);
    struct gbuf copy = g ? *g : (struct gbuf){0};
    if (g)
        g->base = NULL;
    pthread_mutex_unlock(&lock);
    if (!g)
        vt_fail(__FILE__, __LINE__, "vt_free: %p is not a guarded buffer", p);
    if (copy.readonly)
        protect(&copy, PROT_READ | PROT_WRITE);
    pthread_mutex_lock(&lock);
    int kept = cache_put(copy.base, copy.maplen);
    pthread_mutex_unlock(&lock);
    if (!kept)
        munmap(copy.base, copy.maplen);
    if (!ok)
        vt_fail(copy.file, copy.line, "found when freed: %s", msg);
}
