/* render_bench: the scorecard PDF's rendering time (services/scoring/render.c), per document, at
 * concurrency 1 and 16 (threads rendering at once), in English, Arabic and Chinese. Prints a
 * table; never asserts on time. The document is the size of a real one: seven sections, every
 * gap of cip-self-assessment with its question text, five cycles of trend and some evidence. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_time.h"
#include "render.h"

#define DOCS_PER_THREAD 8

static const char *const titles[7] = {
    "Taking stock of cybersecurity needs and strategies", "Stakeholder roles and responsibilities",
    "Policy processes and participation", "Public-private cooperation",
    "Incident management and recovery", "Legal frameworks",
    "Developing a global culture of cybersecurity"};

static struct render_section sections[7];
static struct render_gap gaps[18];
static char gap_ids[18][8];
static const struct render_point trend[] = {
    {2021, 21.43}, {2022, 27.14}, {2023, 31.43}, {2024, 36.43}, {2025, 38.57}};
static const struct render_evidence evidence[] = {
    {"q1", "National cybersecurity strategy 2022-2027", "https://example.org/strategy.pdf"},
    {"q10", "National CERT establishment decree", "https://example.org/cert-decree.pdf"},
    {"q13", "Computer Misuse and Cybercrimes Act", "https://example.org/cybercrimes-act.pdf"},
};

static struct render_scorecard card(const char *locale)
{
    for (int i = 0; i < 7; i++)
        sections[i] = (struct render_section){"s", i + 1, titles[i], 10.0 * i + 5, i % 4, true,
                                              8.0 * i};
    for (int i = 0; i < 18; i++) {
        snprintf(gap_ids[i], sizeof gap_ids[i], "q%d", i + 1);
        gaps[i] = (struct render_gap){gap_ids[i], i + 1,
                                      "Identify the key stakeholders with a role in cybersecurity "
                                      "and their responsibilities, including government agencies, "
                                      "critical infrastructure operators and the private sector.",
                                      i % 3, 3 + i % 3, (double)(3 - i % 3)};
    }
    return (struct render_scorecard){
        .locale = locale, .state_name = "Kenya", .state_code = "KEN", .cycle = 2025,
        .previous_cycle = 2024, .questionnaire_id = "cip-self-assessment",
        .questionnaire_version = 1, .model_version = "cmm-v1", .index = 38.57, .stage = 1,
        .completeness = 1, .sections = sections, .n_sections = 7, .gaps = gaps, .n_gaps = 18,
        .trend = trend, .n_trend = 5, .evidence = evidence, .n_evidence = 3,
        .visibility = RENDER_PUBLIC, .generated_on = "2026-12-01", .revision = 9};
}

struct worker {
    pthread_t thread;
    const struct render_scorecard *in;
    double ms[DOCS_PER_THREAD];
    size_t pages;
    int failed;
};

static size_t count_pages(const struct bytes *b)
{
    size_t n = 0;
    const char *needle = "/Type /Page "; /* cairo writes "/Type /Page % 1" */
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= b->len; i++)
        n += memcmp(b->data + i, needle, k) == 0;
    return n;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < DOCS_PER_THREAD; i++) {
        struct bytes b;
        struct err e;
        bytes_init(&b);
        double t0 = bench_now_ms();
        if (render_scorecard(w->in, RENDER_PDF, &b, &e) < 0)
            w->failed = 1;
        w->ms[i] = bench_now_ms() - t0;
        w->pages = count_pages(&b);
        bytes_destroy(&b);
    }
    return NULL;
}

int main(void)
{
    const char *locales[] = {"en", "ar", "zh"};
    const int concurrency[] = {1, 16};
    printf("%-7s %5s %6s %6s %14s %14s %9s\n", "locale", "conc", "docs", "pages",
           "median ms/doc", "ms/page", "docs/s");
    for (size_t l = 0; l < 3; l++) {
        struct render_scorecard in = card(locales[l]);
        struct worker warm = {.in = &in};
        run(&warm); /* fonts loaded and caches filled before timing */
        for (size_t c = 0; c < 2; c++) {
            int n = concurrency[c];
            struct worker *w = calloc((size_t)n, sizeof *w);
            double t0 = bench_now_ms();
            for (int i = 0; i < n; i++) {
                w[i].in = &in;
                pthread_create(&w[i].thread, NULL, run, &w[i]);
            }
            for (int i = 0; i < n; i++)
                pthread_join(w[i].thread, NULL);
            double wall = bench_now_ms() - t0;
            size_t docs = (size_t)n * DOCS_PER_THREAD;
            double *all = malloc(docs * sizeof *all);
            int failed = 0;
            for (int i = 0; i < n; i++) {
                memcpy(all + (size_t)i * DOCS_PER_THREAD, w[i].ms, sizeof w[i].ms);
                failed |= w[i].failed;
            }
            qsort(all, docs, sizeof *all, bench_cmp_double);
            double median = (all[docs / 2] + all[(docs - 1) / 2]) / 2;
            printf("%-7s %5d %6zu %6zu %14.1f %14.1f %9.1f%s\n", locales[l], n, docs, w[0].pages,
                   median, median / (double)(w[0].pages ? w[0].pages : 1),
                   (double)docs / (wall / 1e3), failed ? "  (render failed)" : "");
            free(all);
            free(w);
        }
    }
    return 0;
}
