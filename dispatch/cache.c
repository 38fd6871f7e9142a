/* Cache sizes for blocking: the OS's view first (sysfs lists each cache
 * with its level and type), CPUID when sysfs is absent (containers, some
 * VMs), then bounds per level. */
#include "dispatch/cache.h"

#include <stdio.h>
#include <string.h>
#include <threads.h>

/* "48K", "1024K", "32M" -> bytes; 0 if unreadable. */
static size_t read_size_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    unsigned long v = 0;
    char unit = 0;
    int n = fscanf(f, "%lu%c", &v, &unit);
    fclose(f);
    if (n < 1 || v > (1ul << 30))
        return 0;
    size_t bytes = v;
    if (n == 2 && (unit == 'K' || unit == 'k'))
        bytes <<= 10;
    else if (n == 2 && (unit == 'M' || unit == 'm'))
        bytes <<= 20;
    return bytes;
}

static int read_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int ok = fgets(buf, (int)size, f) != NULL;
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
    return ok;
}

static void detect_sysfs(struct vnn_cache_sizes *c)
{
    for (int i = 0; i < 16; i++) {
        char path[96], level[16], type[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (!read_line(path, level, sizeof level))
            break;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        if (!read_line(path, type, sizeof type) || strcmp(type, "Instruction") == 0)
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        size_t bytes = read_size_file(path);
        if (strcmp(level, "1") == 0)
            c->l1d = bytes;
        else if (strcmp(level, "2") == 0)
            c->l2 = bytes;
        else if (strcmp(level, "3") == 0)
            c->l3 = bytes;
    }
    if (c->l1d || c->l2)
        c->source = "sysfs";
}

void vnn_cache_detect(struct vnn_cache_sizes *c)
{
    *c = (struct vnn_cache_sizes){.source = "none"};
    detect_sysfs(c);
    if (c->l1d || c->l2)
        return;
    vnn_cache_detect_cpuid(c);
}

static size_t bounded(size_t v, size_t lo, size_t hi, size_t def, const char *name,
                      char *note, size_t note_size, size_t *used)
{
    if (v >= lo && v <= hi)
        return v;
    if (note && *used < note_size) {
        int n;
        if (v == 0)
            n = snprintf(note + *used, note_size - *used, "%s%s not reported", *used ? "; " : "",
                         name);
        else
            n = snprintf(note + *used, note_size - *used, "%s%s %zu KiB ignored: outside "
                         "%zu..%zu KiB", *used ? "; " : "", name, v >> 10, lo >> 10, hi >> 10);
        if (n > 0)
            *used += (size_t)n < note_size - *used ? (size_t)n : note_size - *used - 1;
    }
    return def;
}

void vnn_cache_sanitize(const struct vnn_cache_sizes *r, struct vnn_cache_sizes *u, char *note,
                        size_t note_size)
{
    size_t len = 0;
    if (note && note_size)
        note[0] = '\0';
    u->source = r->source;
    u->l1d = bounded(r->l1d, VNN_L1D_MIN, VNN_L1D_MAX, VNN_L1D_DEFAULT, "L1D", note, note_size,
                     &len);
    u->l2 = bounded(r->l2, VNN_L2_MIN, VNN_L2_MAX, VNN_L2_DEFAULT, "L2", note, note_size, &len);
    /* No default L3: blocks that follow it stay at their tuned size. */
    u->l3 = bounded(r->l3, VNN_L3_MIN, VNN_L3_MAX, 0, "L3", note, note_size, &len);
}

static once_flag once = ONCE_FLAG_INIT;
static struct vnn_cache_sizes reported, used;
static char note[192];

static void init(void)
{
    vnn_cache_detect(&reported);
    vnn_cache_sanitize(&reported, &used, note, sizeof note);
}

const struct vnn_cache_sizes *vnn_caches(void)
{
    call_once(&once, init);
    return &used;
}

const struct vnn_cache_sizes *vnn_caches_reported(void)
{
    call_once(&once, init);
    return &reported;
}

const char *vnn_caches_note(void)
{
    call_once(&once, init);
    return note;
}
