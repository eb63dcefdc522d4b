/* propose_bench.c: the whole ProposeMatches call at the benchmark's stress size (issue 10 item 4),
 * timed end to end over gRPC against a running unic-matching, beside LEMON's NetworkSimplex
 * solving the same network in this process (bench/lemon_ref.cc, when built with LEMON). Prints
 * each round, then the medians as a RATIO line and the objectives; never asserts on time.
 *
 *   propose_bench --db-url CONNINFO --matching ADDR --key OPERATOR_KEY --reset
 *                 [--instance stress|base] [--rounds N] [--states data/un_member_states.tsv]
 *
 * It EMPTIES the matching tables of the database it is given (--reset says you mean it: a bench
 * database only), then loads the generated instance (bench/match_gen.c) into matching.offers and
 * matching.requests with two INSERT ... SELECT FROM unnest statements. A bulk load, not the
 * CreateOffer and CreateRequest RPCs: 31,000 single-row calls, each its own transaction, audit
 * row and quota check, would take minutes of a 2-core machine for rows that only need to exist;
 * the call being measured still reads them from PostgreSQL itself, as it always does.
 *
 * One ProposeMatches first, untimed (the service's first call loads the catalog's reference data,
 * prepares its statements and sets the new rows' hint bits), then `rounds` rounds, each LEMON's
 * run() and the call, in turns (the call first in every other round). The call is made as the
 * operator with no state_codes: every open offer and request, the plan the platform computes for
 * everyone. An operator's plans count against no quota (services/matching/store_common.c), so
 * UNIC_QUOTA_PLANS_PER_HOUR need not be raised.
 *
 * THE SAME NETWORK. LEMON's network is built here from the generated instance with match_arcs_new
 * (model.c, the code the service solves with), and the service builds its own from the rows it
 * reads back. They are the same network because:
 *   - the tables hold exactly the rows loaded here (emptied first; offers_seen and requests_seen
 *     of every plan are checked against the instance's counts);
 *   - every field the model reads is stored as generated: kind, topics, capacity, donor, eligible
 *     States and regions, languages, validity; recipient, region, sub-region, priority, severity,
 *     question, quantity, languages. Ids are not (the tables' keys are uuids): the compatible
 *     pairs and their benefits do not depend on ids, only which of several optimal plans is
 *     returned does, never the optimum;
 *   - what the service recomputes on the plan date (ProposeMatches' refdata_date_requests: LDC
 *     status, groups, intermediate region) cannot move an arc: the generator's LDC flags come from
 *     the same data/country_groups.tsv the catalog serves, read for the same as_of; generated
 *     offers name no group and no intermediate region;
 *   - and it is checked, every round: the arcs the service counted (matching.plans.arcs, its
 *     solver's match_stats.arcs) equal match_arcs_new's count here, and the plan's objective (and
 *     the sum of its matches' benefit) equal LEMON's, to the micro-unit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "db_values.h"
#include "log.h"
#include "bench_time.h"
#include "match.h"
#include "match_gen.h"
#include "mem.h"
#include "rpc.h"
#include "unic/matching/v1/matching.pb-c.h"
#ifdef UNIC_HAVE_LEMON
#include "lemon_ref.h"
#endif

#define ROUNDS_MAX 15

struct options {
    const char *db_url, *matching, *key, *states, *instance;
    int rounds;
    bool reset;
};

static double median(const double *v, int n)
{
    double s[ROUNDS_MAX];
    memcpy(s, v, (size_t)n * sizeof *v);
    qsort(s, (size_t)n, sizeof *s, bench_cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---- the bulk load ---- */

static const char SQL_RESET[] =
    "TRUNCATE matching.offers, matching.requests, matching.plans CASCADE";
static const char SQL_LOAD_OFFERS[] =
    "INSERT INTO matching.offers (donor_state, kind, topics, capacity, remaining, eligible_states,"
    " eligible_regions, languages, valid_from, valid_until, title, created_by)"
    " SELECT d.donor, d.kind, string_to_array(d.topics, chr(31)), d.cap, d.cap,"
    " string_to_array(d.states, chr(31)), string_to_array(d.regions, chr(31)),"
    " string_to_array(d.langs, chr(31)), nullif(d.vf, '')::date, nullif(d.vu, '')::date, d.title,"
    " 'propose_bench'"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],"
    " $7::text[], $8::text[], $9::text[], $10::text[])"
    " AS d(donor, kind, topics, cap, states, regions, langs, vf, vu, title)";
/* Generated requests come from gaps: a question and a cycle, one request per (question, topic,
 * kind) as requests_derived_per_topic (004_requests_per_gap.sql) allows. */
static const char SQL_LOAD_REQUESTS[] =
    "INSERT INTO matching.requests (state_code, kind, topic, topics, quantity, remaining, priority,"
    " source_question_id, source_cycle, gap_severity_milli, ldc, region, sub_region, languages,"
    " per_gap, created_by)"
    " SELECT d.state, d.kind, (string_to_array(d.topics, chr(31)))[1],"
    " string_to_array(d.topics, chr(31)), d.qty, d.qty, d.priority, d.question,"
    " CASE WHEN d.question = '' THEN 0 ELSE 2025 END, d.severity, d.ldc, d.region, d.sub_region,"
    " string_to_array(d.langs, chr(31)), false, 'propose_bench'"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::text[],"
    " $7::bigint[], $8::boolean[], $9::text[], $10::text[], $11::text[])"
    " AS d(state, kind, topics, qty, priority, question, severity, ldc, region, sub_region, langs)";
static const char SQL_ANALYZE[] = "ANALYZE matching.offers, matching.requests";
static const char SQL_PLAN[] =
    "SELECT p.objective, p.offers_seen, p.requests_seen, p.arcs,"
    " (SELECT coalesce(sum(m.benefit), 0) FROM matching.matches m WHERE m.plan_id = p.id) AS total,"
    " (SELECT count(*) FROM matching.matches m WHERE m.plan_id = p.id) AS matches"
    " FROM matching.plans p WHERE p.id = $1::uuid";

static const char *const_or_empty(const char *s)
{
    return s ? s : "";
}

static int load_instance(struct db *db, const struct match_input *in, struct err *e)
{
    struct arena a;
    arena_init(&a);
    int rc = -1;
    size_t n = in->n_offers, m = in->n_requests;
    char **donor = ARENA_ARRAY(&a, char *, n + 1), **kind = ARENA_ARRAY(&a, char *, n + 1),
         **topics = ARENA_ARRAY(&a, char *, n + 1), **states = ARENA_ARRAY(&a, char *, n + 1),
         **regions = ARENA_ARRAY(&a, char *, n + 1), **langs = ARENA_ARRAY(&a, char *, n + 1),
         **vf = ARENA_ARRAY(&a, char *, n + 1), **vu = ARENA_ARRAY(&a, char *, n + 1),
         **title = ARENA_ARRAY(&a, char *, n + 1);
    int64_t *cap = ARENA_ARRAY(&a, int64_t, n + 1);
    for (size_t i = 0; i < n; i++) {
        const struct match_offer *o = &in->offers[i];
        if (o->n_eligible_groups > 0) { /* see THE SAME NETWORK above */
            err_set(e, ERR_INVALID_ARGUMENT, "offer %s names groups: not loaded", o->id);
            goto done;
        }
        donor[i] = (char *)o->donor_state;
        kind[i] = (char *)match_kind_name(o->kind);
        topics[i] = db_list_join(&a, o->topics, o->n_topics);
        states[i] = db_list_join(&a, o->eligible_states, o->n_eligible_states);
        regions[i] = db_list_join(&a, o->eligible_regions, o->n_eligible_regions);
        langs[i] = db_list_join(&a, o->languages, o->n_languages);
        vf[i] = (char *)const_or_empty(o->valid_from);
        vu[i] = (char *)const_or_empty(o->valid_until);
        title[i] = (char *)o->id;
        cap[i] = o->remaining;
    }
    const char *op[] = {db_text_array(&a, donor, n), db_text_array(&a, kind, n),
                        db_text_array(&a, topics, n), db_int64_array(&a, cap, n),
                        db_text_array(&a, states, n), db_text_array(&a, regions, n),
                        db_text_array(&a, langs, n), db_text_array(&a, vf, n),
                        db_text_array(&a, vu, n), db_text_array(&a, title, n)};

    char **rstate = ARENA_ARRAY(&a, char *, m + 1), **rkind = ARENA_ARRAY(&a, char *, m + 1),
         **rtopics = ARENA_ARRAY(&a, char *, m + 1), **question = ARENA_ARRAY(&a, char *, m + 1),
         **ldc = ARENA_ARRAY(&a, char *, m + 1), **region = ARENA_ARRAY(&a, char *, m + 1),
         **sub_region = ARENA_ARRAY(&a, char *, m + 1), **rlangs = ARENA_ARRAY(&a, char *, m + 1);
    int64_t *qty = ARENA_ARRAY(&a, int64_t, m + 1), *severity = ARENA_ARRAY(&a, int64_t, m + 1);
    int *priority = ARENA_ARRAY(&a, int, m + 1);
    for (size_t i = 0; i < m; i++) {
        const struct match_request *r = &in->requests[i];
        size_t nt = request_n_topics(r);
        const char **ts = ARENA_ARRAY(&a, const char *, nt + 1);
        for (size_t t = 0; t < nt; t++)
            ts[t] = request_topic(r, t);
        rstate[i] = (char *)r->recipient_state;
        rkind[i] = (char *)match_kind_name(r->kind);
        rtopics[i] = db_list_join(&a, ts, nt);
        qty[i] = r->remaining;
        priority[i] = r->priority;
        question[i] = (char *)const_or_empty(r->source_question_id);
        severity[i] = r->severity_milli;
        ldc[i] = r->ldc ? "true" : "false";
        region[i] = (char *)const_or_empty(r->region);
        sub_region[i] = (char *)const_or_empty(r->sub_region);
        rlangs[i] = db_list_join(&a, r->languages, r->n_languages);
    }
    const char *rp[] = {db_text_array(&a, rstate, m), db_text_array(&a, rkind, m),
                        db_text_array(&a, rtopics, m), db_int64_array(&a, qty, m),
                        db_int_array(&a, priority, m), db_text_array(&a, question, m),
                        db_int64_array(&a, severity, m), db_text_array(&a, ldc, m),
                        db_text_array(&a, region, m), db_text_array(&a, sub_region, m),
                        db_text_array(&a, rlangs, m)};
    long offers = 0, requests = 0;
    if (db_begin(db, e) < 0)
        goto done;
    if (db_command(db, e, SQL_RESET, 0, NULL, NULL) < 0 ||
        db_command(db, e, SQL_LOAD_OFFERS, 10, op, &offers) < 0 ||
        db_command(db, e, SQL_LOAD_REQUESTS, 11, rp, &requests) < 0 || db_commit(db, e) < 0) {
        db_rollback(db);
        goto done;
    }
    if (db_command(db, e, SQL_ANALYZE, 0, NULL, NULL) < 0)
        goto done;
    if ((size_t)offers != n || (size_t)requests != m) {
        err_set(e, ERR_INTERNAL, "loaded %ld offers and %ld requests of %zu and %zu", offers,
                requests, n, m);
        goto done;
    }
    rc = 0;
done:
    arena_destroy(&a);
    return rc;
}

/* ---- one ProposeMatches, and what it stored ---- */

struct stored_plan {
    int64_t objective, total; /* matching.plans.objective; the sum of its matches' benefit */
    long offers_seen, requests_seen, arcs, matches;
};

static int propose(struct rpc_client *client, const char *authz, struct db *db,
                   struct stored_plan *out, double *ms, struct err *e)
{
    Unic__Matching__V1__ProposeMatchesRequest req = UNIC__MATCHING__V1__PROPOSE_MATCHES_REQUEST__INIT;
    req.as_of = (char *)match_gen_stress.as_of; /* base and stress share it */
    ProtobufCMessage *reply = NULL;
    double t = bench_now_ms();
    if (rpc_call(client, (struct rpc_caller){authz, 0, NULL},
                 &unic__matching__v1__matching_service__descriptor, "ProposeMatches", &req.base,
                 NULL, &reply, e) < 0)
        return -1;
    *ms = bench_now_ms() - t;
    const Unic__Matching__V1__MatchPlan *plan = (const void *)reply;
    const char *params[] = {plan->id};
    PGresult *r = db_query_one(db, e, SQL_PLAN, 1, params, "plan", plan->id);
    int rc = -1;
    if (r != NULL) {
        *out = (struct stored_plan){db_get_int64(r, 0, "objective"), db_get_int64(r, 0, "total"),
                                    db_get_int(r, 0, "offers_seen"),
                                    db_get_int(r, 0, "requests_seen"), db_get_int64(r, 0, "arcs"),
                                    db_get_int64(r, 0, "matches")};
        if ((size_t)out->matches != plan->n_matches)
            err_set(e, ERR_INTERNAL, "the reply has %zu matches, the plan stored %ld",
                    plan->n_matches, out->matches);
        else
            rc = 0;
    }
    PQclear(r);
    protobuf_c_message_free_unpacked(reply, NULL);
    return rc;
}

/* ---- main ---- */

static void usage(void)
{
    fprintf(stderr, "usage: propose_bench --db-url CONNINFO --matching ADDR --key OPERATOR_KEY "
                    "--reset [--instance stress|base] [--rounds N] [--states PATH]\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){NULL, NULL, NULL, "data/un_member_states.tsv", "stress", 3, false};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--reset") == 0) {
            o->reset = true;
            continue;
        }
        if (v == NULL)
            goto bad;
        if (strcmp(a, "--db-url") == 0)
            o->db_url = v;
        else if (strcmp(a, "--matching") == 0)
            o->matching = v;
        else if (strcmp(a, "--key") == 0)
            o->key = v;
        else if (strcmp(a, "--states") == 0)
            o->states = v;
        else if (strcmp(a, "--instance") == 0)
            o->instance = v;
        else if (strcmp(a, "--rounds") == 0)
            o->rounds = atoi(v);
        else
            goto bad;
        i++;
    }
    if (o->db_url && o->matching && o->key && o->rounds >= 1 && o->rounds <= ROUNDS_MAX &&
        (strcmp(o->instance, "stress") == 0 || strcmp(o->instance, "base") == 0))
        return 0;
bad:
    usage();
    return -1;
}

int main(int argc, char **argv)
{
    struct options opt;
    if (parse_options(argc, argv, &opt) != 0)
        return 2;
    if (!opt.reset) {
        fprintf(stderr, "propose_bench: --reset is required: it empties the matching tables\n");
        return 2;
    }
    log_init("propose_bench", LOG_ERROR);
    const struct match_gen_params *params =
        strcmp(opt.instance, "stress") == 0 ? &match_gen_stress : &match_gen_base;
    struct err e = {0};
    struct match_gen_state *states = NULL;
    size_t n_states = 0;
    struct match_gen *g = NULL;
    struct match_arcs *arcs = NULL;
    struct rpc_client *client = NULL;
    struct db db;
    bool have_db = false;
    int rc = 1;

    /* The groups file sits beside the States'; LDC status as of the plan date, as the service
     * computes it. */
    char groups[4096], authz[256];
    const char *slash = strrchr(opt.states, '/');
    snprintf(groups, sizeof groups, "%.*scountry_groups.tsv",
             slash ? (int)(slash - opt.states + 1) : 0, opt.states);
    snprintf(authz, sizeof authz, "Bearer %s", opt.key);
    if (match_gen_states_load(opt.states, groups, params->as_of, &states, &n_states, &e) != 0 ||
        match_gen_new(params, states, n_states, match_gen_donors, match_gen_n_donors, &g, &e) != 0)
        goto done;
    const struct match_input *in = match_gen_input(g);
    double t = bench_now_ms();
    if (match_arcs_new(in, &arcs, &e) != 0)
        goto done;
    double arcs_ms = bench_now_ms() - t;

    if (db_init(&db, opt.db_url, &e) < 0) {
        db_destroy(&db);
        goto done;
    }
    have_db = true;
    t = bench_now_ms();
    if (load_instance(&db, in, &e) < 0)
        goto done;
    printf("propose-matches %s: %zu offers, %zu requests, %zu arcs (match_arcs_new %.0f ms); "
           "loaded into PostgreSQL in %.0f ms; as_of %s\n",
           opt.instance, in->n_offers, in->n_requests, arcs->n, arcs_ms, bench_now_ms() - t,
           params->as_of);
    fflush(stdout);

    client = rpc_client_new(opt.matching, 600000);
    struct stored_plan sp;
    double ours[ROUNDS_MAX], ref[ROUNDS_MAX], ms;
    if (propose(client, authz, &db, &sp, &ms, &e) < 0)
        goto done;
    printf("  warm-up ProposeMatches %.1f ms (not counted)\n", ms);
    int64_t ref_objective = -1;
    bool equal = true;
    for (int i = 0; i < opt.rounds; i++) {
        char ref_figures[160] = "LEMON not built (liblemon-dev absent)";
        ref[i] = 0;
        /* the call first in every other round, so neither side always runs after the other */
        for (int turn = 0; turn < 2; turn++) {
            if (turn == i % 2) {
                if (propose(client, authz, &db, &sp, &ours[i], &e) < 0)
                    goto done;
                continue;
            }
#ifdef UNIC_HAVE_LEMON
            struct lemon_ref_result lr;
            if (lemon_ref_solve(in, arcs, &lr, &e) < 0)
                goto done;
            ref[i] = lr.run_ms;
            ref_objective = lr.objective;
            snprintf(ref_figures, sizeof ref_figures,
                     "LEMON run() %.1f ms (graph %zu nodes %zu arcs built in %.0f ms), objective "
                     "%lld", lr.run_ms, lr.nodes, lr.arcs, lr.build_ms, (long long)lr.objective);
#endif
        }
        bool same = (size_t)sp.offers_seen == in->n_offers &&
                    (size_t)sp.requests_seen == in->n_requests && (size_t)sp.arcs == arcs->n &&
                    sp.total == sp.objective && (ref_objective < 0 || sp.objective == ref_objective);
        equal = equal && same;
        printf("  round %d: %s; ProposeMatches %.1f ms, objective %lld (its %ld matches sum to "
               "%lld), saw %ld offers %ld requests %ld arcs%s\n",
               i + 1, ref_figures, ours[i], (long long)sp.objective, sp.matches,
               (long long)sp.total, sp.offers_seen, sp.requests_seen, sp.arcs,
               same ? "" : "  <- NOT THE SAME");
        fflush(stdout);
    }
    double m_ours = median(ours, opt.rounds);
#ifdef UNIC_HAVE_LEMON
    double m_ref = median(ref, opt.rounds);
    printf("RATIO workload=propose-matches size=%s ours_over_ref=%.2f ref=lemon-network-simplex "
           "(medians of %d: ProposeMatches %.0f ms, LEMON run() %.0f ms)\n",
           opt.instance, m_ours / m_ref, opt.rounds, m_ours, m_ref);
    printf("OBJECTIVE workload=propose-matches size=%s ours=%lld ref=%lld equal=%s\n",
           opt.instance, (long long)sp.objective, (long long)ref_objective, equal ? "yes" : "NO");
#else
    (void)ref;
    printf("propose-matches %s: ProposeMatches median of %d %.0f ms, objective %lld; no RATIO: "
           "LEMON (liblemon-dev) was not found when this was built\n",
           opt.instance, opt.rounds, m_ours, (long long)sp.objective);
#endif
    rc = equal ? 0 : 1;
done:
    if (rc != 0 && e.msg[0])
        fprintf(stderr, "propose_bench: %s\n", e.msg);
    rpc_client_free(client);
    if (have_db)
        db_destroy(&db);
    match_arcs_free(arcs);
    match_gen_free(g);
    free(states);
    return rc;
}
