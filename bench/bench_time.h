/* bench_time.h: what every bench program times and sorts with: a monotonic clock in fractional
 * milliseconds (common/text.h's clock_mono_ms is whole milliseconds, too coarse for one call)
 * and the order of doubles for qsort. Header-only, no state, nothing to free. */
#ifndef UNIC_BENCH_TIME_H
#define UNIC_BENCH_TIME_H

#include <time.h>

static inline double bench_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif
