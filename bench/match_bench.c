/* match_bench.c: benchmark of the matching solver on realistic instances (base, stress), with
 * glpsol solving the same LP beside it. Prints a table; never asserts on time.
 *
 * usage: match_bench [--states PATH] [--instance base|stress|all] [--runs N] [--seed N]
 *                    [--no-glpk] [--glpk-stress] [--glpk-timeout SEC]
 * glpsol runs on base by default (about a second); on stress it takes tens of minutes, so only
 * with --glpk-stress. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bench_time.h"
#include "match.h"
#include "match_gen.h"

struct options {
    const char *states;
    const char *instance;
    int runs;
    unsigned long long seed;
    bool seed_set;
    bool glpk;        /* glpsol on base */
    bool glpk_stress; /* glpsol on stress too */
    int glpk_timeout;
};

static long maxrss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void usage(void)
{
    fprintf(stderr, "usage: match_bench [--states PATH] [--instance base|stress|all] [--runs N] "
                    "[--seed N] [--no-glpk] [--glpk-stress] [--glpk-timeout SEC]\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){"data/un_member_states.tsv", "all", 5, 0, false, true, false, 3600};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--no-glpk") == 0) {
            o->glpk = o->glpk_stress = false;
            continue;
        }
        if (strcmp(a, "--glpk-stress") == 0) {
            o->glpk = o->glpk_stress = true;
            continue;
        }
        if (v == NULL)
            goto bad;
        if (strcmp(a, "--states") == 0)
            o->states = v;
        else if (strcmp(a, "--instance") == 0)
            o->instance = v;
        else if (strcmp(a, "--runs") == 0)
            o->runs = atoi(v);
        else if (strcmp(a, "--glpk-timeout") == 0)
            o->glpk_timeout = atoi(v);
        else if (strcmp(a, "--seed") == 0) {
            o->seed = strtoull(v, NULL, 0);
            o->seed_set = true;
        } else
            goto bad;
        i++;
    }
    if (o->runs >= 1 && o->glpk_timeout >= 1
        && (strcmp(o->instance, "base") == 0 || strcmp(o->instance, "stress") == 0
            || strcmp(o->instance, "all") == 0))
        return 0;
bad:
    usage();
    return -1;
}

/* One instance: generate, time the arc list alone (the baseline), solve `runs` times, then
 * glpsol once; prints the row. */
static int bench_one(const char *name, struct match_gen_params params, bool glpk,
                     const struct options *opt, const struct match_gen_state *states,
                     size_t n_states)
{
    int rc = -1;
    struct err e = {0};
    struct match_gen *g = NULL;
    struct match_arcs *arcs = NULL;
    struct match_plan *plan = NULL;
    double *solve_ms = calloc((size_t)opt->runs, sizeof *solve_ms);
    double arcs_best = 1e300;
    char dir[] = "/tmp/match_bench.XXXXXX";
    bool have_dir = false;
    if (solve_ms == NULL)
        abort();
    if (opt->seed_set)
        params.seed = opt->seed;

    double t = bench_now_ms();
    if (match_gen_new(&params, states, n_states, match_gen_donors, match_gen_n_donors, &g, &e)
        != 0)
        goto done;
    double gen_ms = bench_now_ms() - t;
    const struct match_input *in = match_gen_input(g);

    for (int i = 0; i < opt->runs; i++) {
        match_arcs_free(arcs);
        t = bench_now_ms();
        if (match_arcs_new(in, &arcs, &e) != 0)
            goto done;
        t = bench_now_ms() - t;
        arcs_best = t < arcs_best ? t : arcs_best;
    }
    for (int i = 0; i < opt->runs; i++) {
        match_plan_free(plan);
        t = bench_now_ms();
        if (match_solve(in, &plan, &e) != 0)
            goto done;
        solve_ms[i] = bench_now_ms() - t;
    }
    qsort(solve_ms, (size_t)opt->runs, sizeof *solve_ms, bench_cmp_double);

    int64_t demand = 0, met = 0;
    for (size_t r = 0; r < in->n_requests; r++)
        demand += in->requests[r].remaining;
    for (size_t i = 0; i < plan->n_assignments; i++)
        met += plan->assignments[i].quantity;

    char glpk_ms[32] = "-", glpk_obj[32] = "-", equal[16] = "-";
    if (glpk) {
        struct match_glpsol ref;
        if (mkdtemp(dir) == NULL) {
            err_set(&e, ERR_INTERNAL, "could not create a directory for glpsol");
            goto done;
        }
        have_dir = true;
        if (match_gen_glpsol(in, arcs, dir, opt->glpk_timeout, &ref, &e) != 0)
            goto done;
        snprintf(glpk_ms, sizeof glpk_ms, "%.0f", ref.ms);
        if (ref.optimal) {
            snprintf(glpk_obj, sizeof glpk_obj, "%lld", (long long)ref.objective);
            snprintf(equal, sizeof equal, "%s", ref.objective == plan->objective ? "yes" : "NO");
        } else {
            snprintf(glpk_obj, sizeof glpk_obj, "time limit");
        }
    }

    printf("%-7s %7zu %8zu %9zu %8.1f %9.1f %9.1f %8zu %8.1f %17lld %9s %17s %5s\n", name,
           in->n_offers, in->n_requests, plan->stats.arcs, arcs_best, solve_ms[0],
           solve_ms[opt->runs / 2], plan->stats.pivots,
           (double)plan->stats.peak_bytes / (1024.0 * 1024.0), (long long)plan->objective,
           glpk_ms, glpk_obj, equal);
    printf("        generated in %.0f ms; %zu assignments meet %lld of %lld units asked (%.1f%%); "
           "%zu requests unmet; process peak RSS %.1f MiB\n",
           gen_ms, plan->n_assignments, (long long)met, (long long)demand,
           demand > 0 ? 100.0 * (double)met / (double)demand : 0.0, plan->n_unmet,
           (double)maxrss_kib() / 1024.0);
    fflush(stdout);
    rc = 0;
done:
    if (rc != 0)
        fprintf(stderr, "match_bench: %s: %s\n", name, e.msg);
    if (have_dir)
        rmdir(dir);
    match_plan_free(plan);
    match_arcs_free(arcs);
    match_gen_free(g);
    free(solve_ms);
    return rc;
}

int main(int argc, char **argv)
{
    struct options opt;
    struct err e = {0};
    struct match_gen_state *states = NULL;
    size_t n_states = 0;
    int rc = 1;
    if (parse_options(argc, argv, &opt) != 0)
        return 2;
    /* The groups file sits beside the States' (data/), and LDC status is today's. */
    char groups[4096], today[16];
    const char *slash = strrchr(opt.states, '/');
    snprintf(groups, sizeof groups, "%.*scountry_groups.tsv",
             slash ? (int)(slash - opt.states + 1) : 0, opt.states);
    time_t now = time(NULL);
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
    if (match_gen_states_load(opt.states, groups, today, &states, &n_states, &e) != 0) {
        fprintf(stderr, "match_bench: %s\n", e.msg);
        return 1;
    }
    printf("matching solver benchmark: %zu States, %zu donors, %d runs per instance, glpsol %s\n",
           n_states, match_gen_n_donors, opt.runs,
           !opt.glpk ? "skipped (--no-glpk)"
           : opt.glpk_stress ? "on both (time limit --glpk-timeout)"
                             : "on base only (--glpk-stress for stress too)");
    printf("times in ms; arcs = compatible pairs; 'arcs ms' = building that list alone (best), "
           "the baseline;\nsolve = validate + arcs + network simplex + plan (best, median); "
           "MiB = the solver's own peak working memory;\nobjective in micro-units of benefit; "
           "glpsol = the same LP through glpsol (wall time, reading included)\n\n");
    printf("%-7s %7s %8s %9s %8s %9s %9s %8s %8s %17s %9s %17s %5s\n", "instance", "offers",
           "requests", "arcs", "arcs ms", "solve ms", "median", "pivots", "MiB", "objective",
           "glpsol ms", "glpsol objective", "equal");
    bool all = strcmp(opt.instance, "all") == 0;
    if ((all || strcmp(opt.instance, "base") == 0)
        && bench_one("base", match_gen_base, opt.glpk, &opt, states, n_states) != 0)
        goto done;
    if ((all || strcmp(opt.instance, "stress") == 0)
        && bench_one("stress", match_gen_stress, opt.glpk_stress, &opt, states, n_states) != 0)
        goto done;
    rc = 0;
done:
    free(states);
    return rc;
}
