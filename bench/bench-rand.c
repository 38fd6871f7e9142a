#include "bench-rand.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

float vb_rand_pm1(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    uint64_t r = rng_state * 0x2545f4914f6cdd1dull;
    return (float)(r >> 40) * 0x1p-23f - 1.0f;
}

int64_t vb_rand_below(int64_t n)
{
    int64_t v = (int64_t)((vb_rand_pm1() + 1.0f) / 2 * (float)n);
    return v < n ? v : n - 1;
}
