/* test_metrics.c: unit tests of the metrics registry: the text exposition format, cumulative
 * histogram buckets, label escaping, counters updated from many threads, NULL safety. No I/O
 * except the process collector reading /proc/self. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metrics.h"

static char *render(struct metrics *m)
{
    struct metrics_text t = {0};
    metrics_render(m, &t);
    return t.data;
}

static void test_counter_renders_help_type_and_labelled_samples(void **state)
{
    (void)state;
    struct metrics *m = metrics_new();
    struct metric_family *f =
        metrics_family(m, METRIC_COUNTER, "unic_calls_total", "calls served", "method,code", NULL, 0);
    const char *ok[] = {"/a.B/C", "OK"}, *bad[] = {"/a.B/C", "NOT_FOUND"};
    metrics_inc(metrics_series(f, ok), 2);
    metrics_inc(metrics_series(f, ok), 1);
    metrics_inc(metrics_series(f, bad), 1);
    char *text = render(m);
    assert_non_null(strstr(text, "# HELP unic_calls_total calls served\n"
                                 "# TYPE unic_calls_total counter\n"
                                 "unic_calls_total{method=\"/a.B/C\",code=\"OK\"} 3\n"
                                 "unic_calls_total{method=\"/a.B/C\",code=\"NOT_FOUND\"} 1\n"));
    assert_non_null(strstr(text, "# TYPE process_cpu_seconds_total counter\n"));
    assert_non_null(strstr(text, "\nprocess_resident_memory_bytes "));
    free(text);
    metrics_free(m);
}

static void test_histogram_buckets_are_cumulative_with_sum_and_count(void **state)
{
    (void)state;
    struct metrics *m = metrics_new();
    static const double bounds[] = {0.01, 0.1, 1};
    struct metric_family *f =
        metrics_family(m, METRIC_HISTOGRAM, "lat_seconds", "latency", NULL, bounds, 3);
    struct metric_series *s = metrics_series0(f);
    metrics_observe(s, 0.005); /* first bucket */
    metrics_observe(s, 0.01);  /* le is inclusive: still the first */
    metrics_observe(s, 0.5);
    metrics_observe(s, 3);     /* only +Inf */
    char *text = render(m);
    assert_non_null(strstr(text, "# TYPE lat_seconds histogram\n"
                                 "lat_seconds_bucket{le=\"0.01\"} 2\n"
                                 "lat_seconds_bucket{le=\"0.1\"} 2\n"
                                 "lat_seconds_bucket{le=\"1\"} 3\n"
                                 "lat_seconds_bucket{le=\"+Inf\"} 4\n"
                                 "lat_seconds_sum 3.515000\n"
                                 "lat_seconds_count 4\n"));
    assert_int_equal(metrics_value(s), 4);
    free(text);
    metrics_free(m);
}

static void test_label_values_and_help_are_escaped(void **state)
{
    (void)state;
    struct metrics *m = metrics_new();
    struct metric_family *f = metrics_family(m, METRIC_GAUGE, "g", "a \\ b\nc", "v", NULL, 0);
    metrics_gauge_set(metrics_series1(f, "q\"uote\\back\nline"), -7);
    char *text = render(m);
    assert_non_null(strstr(text, "# HELP g a \\\\ b\\nc\n"));
    assert_non_null(strstr(text, "g{v=\"q\\\"uote\\\\back\\nline\"} -7\n"));
    free(text);
    metrics_free(m);
}

static void test_same_name_returns_the_first_family(void **state)
{
    (void)state;
    struct metrics *m = metrics_new();
    struct metric_family *a = metrics_family(m, METRIC_COUNTER, "x_total", "x", NULL, NULL, 0);
    struct metric_family *b = metrics_family(m, METRIC_COUNTER, "x_total", "x", NULL, NULL, 0);
    assert_ptr_equal(a, b);
    assert_ptr_equal(metrics_series0(a), metrics_series0(b));
    metrics_free(m);
}

static double forty_two(void *arg)
{
    (void)arg;
    return 42;
}

static void test_callback_gauge_is_computed_at_scrape(void **state)
{
    (void)state;
    struct metrics *m = metrics_new();
    metrics_gauge_callback(m, "pool_size", "pool", forty_two, NULL);
    char *text = render(m);
    assert_non_null(strstr(text, "# TYPE pool_size gauge\npool_size 42\n"));
    free(text);
    metrics_free(m);
}

enum { THREADS = 8, PER_THREAD = 100000 };

static void *bump(void *arg)
{
    struct metric_series *s = arg;
    for (int i = 0; i < PER_THREAD; i++)
        metrics_inc(s, 1);
    return NULL;
}

static void test_counts_from_many_threads_add_up(void **state)
{
    (void)state;
    struct metrics *m = metrics_new();
    struct metric_series *s =
        metrics_series0(metrics_family(m, METRIC_COUNTER, "n_total", "n", NULL, NULL, 0));
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, bump, s);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(metrics_value(s), (int64_t)THREADS * PER_THREAD);
    metrics_free(m);
}

static void test_everything_is_a_no_op_without_a_registry(void **state)
{
    (void)state;
    struct metric_family *f = metrics_family(NULL, METRIC_COUNTER, "a_total", "a", NULL, NULL, 0);
    assert_null(f);
    assert_null(metrics_series0(f));
    metrics_inc(NULL, 1);
    metrics_observe(NULL, 1);
    metrics_gauge_add(NULL, 1);
    assert_int_equal(metrics_value(NULL), 0);
    metrics_free(NULL);
    metrics_http_stop(NULL);
}

static void test_bad_listen_address_is_named(void **state)
{
    (void)state;
    struct err e;
    struct metrics *m = metrics_new();
    assert_null(metrics_http_start(m, "nocolon", &e));
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(e.msg, "\"nocolon\""));
    metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_renders_help_type_and_labelled_samples),
        cmocka_unit_test(test_histogram_buckets_are_cumulative_with_sum_and_count),
        cmocka_unit_test(test_label_values_and_help_are_escaped),
        cmocka_unit_test(test_same_name_returns_the_first_family),
        cmocka_unit_test(test_callback_gauge_is_computed_at_scrape),
        cmocka_unit_test(test_counts_from_many_threads_add_up),
        cmocka_unit_test(test_everything_is_a_no_op_without_a_registry),
        cmocka_unit_test(test_bad_listen_address_is_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
