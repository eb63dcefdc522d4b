/* simplex.c: the plan of maximum total benefit by a primal network simplex, over the compatible
 * arcs model.c lists. See match.h for the model and ownership.
 *
 * How a solve runs:
 *   1. validate, and rank offers and requests by id: everything after works on ranks, which is
 *      what makes the plan independent of the caller's order;
 *   2. index usable offers by (kind, topic) and list the compatible arcs request by request;
 *   3. build a network: each offer is a supply node, each request a node with an arc of capacity
 *      "remaining" to a root, each offer also has a free bypass arc to the root (capacity need
 *      not be used), and pair arcs offer -> request cost -benefit. A minimum-cost flow of it is a
 *      maximum-benefit plan. The bypass arcs also give the first spanning tree for free;
 *   4. run the network simplex (block-search pivots, Cunningham's strongly feasible trees, the
 *      tree kept as parent / thread / subtree-size arrays, as in LEMON's implementation);
 *   5. read flows on pair arcs back into assignments, in (request id, offer id) order.
 * Time goes to the pivots: each one scans a block of about sqrt(arcs) arcs for the most negative
 * reduced cost, then walks the cycle, re-hangs a subtree and shifts its potentials. Measured by
 * bench/match_bench.c: about 80% pivots and 20% building the arcs on the stress instance (2.8M
 * arcs), about half and half on the base one (30k arcs). */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match_internal.h"
#include "mem.h"
#include "text.h"

/* Flows never exceed one capacity or quantity, so they fit int32 as well. */
_Static_assert(MATCH_QUANTITY_MAX <= INT32_MAX, "quantities must fit int32");

/* ---- network simplex ------------------------------------------------------------------------
 * Primal network simplex on a spanning-tree basis, following the design of LEMON's
 * NetworkSimplex (Kiraly and Kovacs, "Efficient implementations of minimum-cost flow
 * algorithms", 2012): block-search pivots, the tree as parent, thread (preorder) and subtree
 * sizes, and the leaving-arc rule that keeps the tree strongly feasible, so degenerate pivots
 * cannot cycle. The pivot steps (nsx_find_join to nsx_update_potential) are adapted from LEMON
 * 1.3 (lemon/network_simplex.h, Copyright (C) 2003-2013 Egervary Jeno Kombinatorikus
 * Optimalizalasi Kutatocsoport (EGRES), Boost Software License 1.0).
 *
 * Arcs, in this order: pair arcs offer -> request (cost -benefit, uncapacitated: offer and
 * request arcs bound them), then one bypass arc offer -> root per offer (cost 0, uncapacitated),
 * then one arc request -> root per request (cost 0, capacity = remaining). Offers supply their
 * remaining capacity, the root absorbs it all. The first tree is every offer on its bypass arc
 * carrying its whole supply and every request on its empty root arc: feasible, and strongly so
 * (each node can push flow to the root), with all potentials 0. Every cycle uses some arc
 * backwards (the network has no directed cycle), so no pivot is unbounded. */

enum { STATE_UPPER = -1, STATE_TREE = 0, STATE_LOWER = 1 };
enum { DIR_DOWN = -1, DIR_UP = 1 };
#define CAP_INF INT64_MAX

struct nsx {
    int32_t n_nodes; /* offers, requests, and the root, last */
    int32_t root;
    int32_t n_arcs;
    int32_t first_sink; /* first request -> root arc */
    int32_t *src, *tgt;
    int32_t *cost;
    int32_t *flow;
    int8_t *state;
    int32_t *sink_cap; /* capacity of request -> root arcs, by arc - first_sink */
    /* the spanning tree */
    int32_t *parent, *pred, *thread, *rev_thread, *succ_num, *last_succ;
    int8_t *pred_dir; /* DIR_UP: pred arc goes node -> parent */
    int64_t *pi;
    int32_t *dirty; /* scratch for the tree update */
    /* block search */
    int32_t block, next_arc;
    /* the pivot in progress */
    int32_t in_arc, join, u_in, v_in, u_out;
    int64_t delta;
    size_t pivots;
};

static int64_t nsx_cap(const struct nsx *s, int32_t e)
{
    return e < s->first_sink ? CAP_INF : s->sink_cap[e - s->first_sink];
}

static int64_t nsx_reduced(const struct nsx *s, int32_t e)
{
    return s->state[e] * (s->cost[e] + s->pi[s->src[e]] - s->pi[s->tgt[e]]);
}

/* Scans blocks of arcs round-robin from where the last search stopped and takes the most
 * negative reduced cost of the first block that has one. */
static bool nsx_find_entering(struct nsx *s)
{
    int64_t min = 0;
    int32_t e = s->next_arc, cnt = s->block;
    for (int32_t k = 0; k < s->n_arcs; k++) {
        int64_t c = nsx_reduced(s, e);
        if (c < min) {
            min = c;
            s->in_arc = e;
        }
        if (++e == s->n_arcs)
            e = 0;
        if (--cnt == 0) {
            if (min < 0)
                break;
            cnt = s->block;
        }
    }
    s->next_arc = e;
    return min < 0;
}

static void nsx_find_join(struct nsx *s)
{
    int32_t u = s->src[s->in_arc], v = s->tgt[s->in_arc];
    while (u != v) {
        if (s->succ_num[u] < s->succ_num[v])
            u = s->parent[u];
        else
            v = s->parent[v];
    }
    s->join = u;
}

/* Residual capacity of node u's tree arc in the direction dir (DIR_UP: towards the root). */
static int64_t nsx_residual(const struct nsx *s, int32_t u, int dir)
{
    int32_t e = s->pred[u];
    if (s->pred_dir[u] != dir)
        return s->flow[e];
    int64_t c = nsx_cap(s, e);
    return c == CAP_INF ? CAP_INF : c - s->flow[e];
}

/* The blocking arc of the cycle closed by in_arc: the last one met going round the cycle in the
 * direction of flow from the join node, which keeps the tree strongly feasible. Returns false
 * when in_arc itself blocks (it then only changes bound). */
static bool nsx_find_leaving(struct nsx *s)
{
    int32_t first, second;
    if (s->state[s->in_arc] == STATE_LOWER) {
        first = s->src[s->in_arc];
        second = s->tgt[s->in_arc];
    } else {
        first = s->tgt[s->in_arc];
        second = s->src[s->in_arc];
    }
    s->delta = nsx_cap(s, s->in_arc);
    int result = 0;
    /* flow runs down from the join to first: strict, so a later arc wins a tie */
    for (int32_t u = first; u != s->join; u = s->parent[u]) {
        int64_t d = nsx_residual(s, u, DIR_DOWN);
        if (d < s->delta) {
            s->delta = d;
            s->u_out = u;
            result = 1;
        }
    }
    /* then up from second to the join: later arcs are nearer the join */
    for (int32_t u = second; u != s->join; u = s->parent[u]) {
        int64_t d = nsx_residual(s, u, DIR_UP);
        if (d <= s->delta) {
            s->delta = d;
            s->u_out = u;
            result = 2;
        }
    }
    if (result == 1) {
        s->u_in = first;
        s->v_in = second;
    } else {
        s->u_in = second;
        s->v_in = first;
    }
    return result != 0;
}

static void nsx_change_flow(struct nsx *s, bool change)
{
    if (s->delta > 0) {
        int32_t val = (int32_t)(s->state[s->in_arc] * s->delta);
        s->flow[s->in_arc] += val;
        for (int32_t u = s->src[s->in_arc]; u != s->join; u = s->parent[u])
            s->flow[s->pred[u]] -= s->pred_dir[u] * val;
        for (int32_t u = s->tgt[s->in_arc]; u != s->join; u = s->parent[u])
            s->flow[s->pred[u]] += s->pred_dir[u] * val;
    }
    if (change) {
        s->state[s->in_arc] = STATE_TREE;
        int32_t out = s->pred[s->u_out];
        s->state[out] = s->flow[out] == 0 ? STATE_LOWER : STATE_UPPER;
    } else {
        s->state[s->in_arc] = (int8_t)-s->state[s->in_arc];
    }
}

/* Cuts the subtree under the leaving arc (hanging at u_out), re-roots it at u_in and hangs it
 * from v_in by the entering arc, keeping thread, rev_thread, succ_num and last_succ right. The
 * nodes on the path from u_in up to u_out (the stem) reverse their parent links. */
static void nsx_update_tree(struct nsx *s)
{
    int32_t *parent = s->parent, *thread = s->thread, *rev = s->rev_thread;
    int32_t *last_succ = s->last_succ, *succ_num = s->succ_num;
    int32_t u_in = s->u_in, v_in = s->v_in, u_out = s->u_out, join = s->join;
    int32_t old_rev_thread = rev[u_out];
    int32_t old_succ_num = succ_num[u_out];
    int32_t old_last_succ = last_succ[u_out];
    int32_t v_out = parent[u_out];
    int8_t in_dir = u_in == s->src[s->in_arc] ? DIR_UP : DIR_DOWN;

    if (u_in == u_out) {
        parent[u_in] = v_in;
        s->pred[u_in] = s->in_arc;
        s->pred_dir[u_in] = in_dir;
        /* move the subtree's thread segment to right after v_in */
        if (thread[v_in] != u_out) {
            int32_t after = thread[old_last_succ];
            thread[old_rev_thread] = after;
            rev[after] = old_rev_thread;
            after = thread[v_in];
            thread[v_in] = u_out;
            rev[u_out] = v_in;
            thread[old_last_succ] = after;
            rev[after] = old_last_succ;
        }
    } else {
        /* when the subtree directly follows v_in in the thread, join == v_out */
        int32_t thread_continue = old_rev_thread == v_in ? thread[old_last_succ] : thread[v_in];
        int32_t stem = u_in, par_stem = v_in;
        int32_t last = last_succ[u_in];
        int32_t after = thread[last];
        size_t n_dirty = 0;
        thread[v_in] = u_in;
        s->dirty[n_dirty++] = v_in;
        while (stem != u_out) {
            /* the next stem node follows the current stem's subtree in the new thread */
            int32_t next_stem = parent[stem];
            thread[last] = next_stem;
            s->dirty[n_dirty++] = last;
            /* cut the stem's subtree out of its old place */
            int32_t before = rev[stem];
            thread[before] = after;
            rev[after] = before;
            parent[stem] = par_stem;
            par_stem = stem;
            stem = next_stem;
            /* the part of next stem's subtree still to link is what precedes par_stem, unless
             * par_stem's subtree ended it */
            last = last_succ[stem] == last_succ[par_stem] ? rev[par_stem] : last_succ[stem];
            after = thread[last];
        }
        parent[u_out] = par_stem;
        thread[last] = thread_continue;
        rev[thread_continue] = last;
        last_succ[u_out] = last;
        if (old_rev_thread != v_in) {
            thread[old_rev_thread] = after;
            rev[after] = old_rev_thread;
        }
        for (size_t i = 0; i < n_dirty; i++)
            rev[thread[s->dirty[i]]] = s->dirty[i];
        /* stem nodes from u_out down to u_in take their old child's arc, reversed */
        int32_t tmp_sc = 0, tmp_ls = last_succ[u_out];
        for (int32_t u = u_out, p = parent[u]; u != u_in; u = p, p = parent[u]) {
            s->pred[u] = s->pred[p];
            s->pred_dir[u] = (int8_t)-s->pred_dir[p];
            tmp_sc += succ_num[u] - succ_num[p];
            succ_num[u] = tmp_sc;
            last_succ[p] = tmp_ls;
        }
        s->pred[u_in] = s->in_arc;
        s->pred_dir[u_in] = in_dir;
        succ_num[u_in] = old_succ_num;
    }

    /* last successors of v_in's ancestors that ended at v_in now end in the moved subtree */
    int32_t up_limit_out = last_succ[join] == v_in ? join : -1;
    int32_t last_succ_out = last_succ[u_out];
    for (int32_t u = v_in; u != -1 && last_succ[u] == v_in; u = parent[u])
        last_succ[u] = last_succ_out;
    /* and those of v_out's ancestors that ended in the subtree end before it now */
    if (join != old_rev_thread && v_in != old_rev_thread) {
        for (int32_t u = v_out; u != up_limit_out && last_succ[u] == old_last_succ;
             u = parent[u])
            last_succ[u] = old_rev_thread;
    } else if (last_succ_out != old_last_succ) {
        for (int32_t u = v_out; u != up_limit_out && last_succ[u] == old_last_succ;
             u = parent[u])
            last_succ[u] = last_succ_out;
    }
    for (int32_t u = v_in; u != join; u = parent[u])
        succ_num[u] += old_succ_num;
    for (int32_t u = v_out; u != join; u = parent[u])
        succ_num[u] -= old_succ_num;
}

/* Shifts the moved subtree's potentials so that the entering arc's reduced cost is 0. */
static void nsx_update_potential(struct nsx *s)
{
    int64_t sigma = s->pi[s->v_in] - s->pi[s->u_in]
                  - s->pred_dir[s->u_in] * (int64_t)s->cost[s->in_arc];
    int32_t end = s->thread[s->last_succ[s->u_in]];
    for (int32_t u = s->u_in; u != end; u = s->thread[u])
        s->pi[u] += sigma;
}

static void nsx_run(struct nsx *s)
{
    while (nsx_find_entering(s)) {
        s->pivots++;
        nsx_find_join(s);
        bool change = nsx_find_leaving(s);
        nsx_change_flow(s, change);
        if (change) {
            nsx_update_tree(s);
            nsx_update_potential(s);
        }
    }
}
/* ---- solve ---------------------------------------------------------------------------------- */

/* *acc += a * b for a, b >= 0; false when it would overflow int64. */
static bool add_product(int64_t *acc, int64_t a, int64_t b)
{
    if (a != 0 && b > (INT64_MAX - *acc) / a)
        return false;
    *acc += a * b;
    return true;
}

/* The largest possible objective is below both sum(remaining x best unit benefit) over requests
 * and over offers; one of the two must fit int64 for the solve to be exact. */
static bool objective_fits(const struct match_input *in, const struct order *ord,
                           const struct arclist *a, struct mem *m)
{
    int64_t *best = match_mem_alloc(m, in->n_offers, sizeof *best);
    memset(best, 0, in->n_offers * sizeof *best);
    int64_t by_requests = 0, by_offers = 0;
    bool fits_requests = true, fits_offers = true;
    for (size_t k = 0; k < in->n_requests; k++) {
        int64_t top = 0;
        for (size_t i = a->first[k]; i < a->first[k + 1]; i++) {
            if (a->benefit[i] > top)
                top = a->benefit[i];
            if (a->benefit[i] > best[a->offer[i]])
                best[a->offer[i]] = a->benefit[i];
        }
        fits_requests = fits_requests
                     && add_product(&by_requests, in->requests[ord->request[k]].remaining, top);
    }
    for (size_t k = 0; k < in->n_offers && fits_offers; k++)
        fits_offers = add_product(&by_offers, in->offers[ord->offer[k]].remaining, best[k]);
    match_mem_free(m, best);
    return fits_requests || fits_offers;
}

/* Lays out the network and the first tree. Offers with arcs are nodes 0.. in rank order
 * (node_of_offer maps a rank to its node or -1), requests with arcs follow, the root is last.
 * The network takes over the arc list's arrays: offer ranks become source nodes and benefits
 * become costs in place, so that the pair arcs, which drive memory, are stored once. */
static void nsx_init(struct nsx *s, const struct match_input *in, const struct order *ord,
                     struct arclist *a, const int32_t *node_of_offer, int32_t n_offer_nodes,
                     int32_t n_request_nodes, struct mem *m)
{
    int32_t m_pairs = (int32_t)a->n;
    s->n_nodes = n_offer_nodes + n_request_nodes + 1;
    s->root = s->n_nodes - 1;
    s->first_sink = m_pairs + n_offer_nodes;
    s->n_arcs = s->first_sink + n_request_nodes;
    s->src = match_mem_resize(m, a->offer, (size_t)s->n_arcs, sizeof *s->src);
    s->cost = match_mem_resize(m, a->benefit, (size_t)s->n_arcs, sizeof *s->cost);
    a->offer = a->benefit = NULL;
    s->tgt = match_mem_alloc(m, (size_t)s->n_arcs, sizeof *s->tgt);
    s->flow = match_mem_alloc(m, (size_t)s->n_arcs, sizeof *s->flow);
    s->state = match_mem_alloc(m, (size_t)s->n_arcs, sizeof *s->state);
    s->sink_cap = match_mem_alloc(m, (size_t)n_request_nodes, sizeof *s->sink_cap);
    size_t nn = (size_t)s->n_nodes;
    s->parent = match_mem_alloc(m, nn, sizeof *s->parent);
    s->pred = match_mem_alloc(m, nn, sizeof *s->pred);
    s->thread = match_mem_alloc(m, nn, sizeof *s->thread);
    s->rev_thread = match_mem_alloc(m, nn, sizeof *s->rev_thread);
    s->succ_num = match_mem_alloc(m, nn, sizeof *s->succ_num);
    s->last_succ = match_mem_alloc(m, nn, sizeof *s->last_succ);
    s->pred_dir = match_mem_alloc(m, nn, sizeof *s->pred_dir);
    s->pi = match_mem_alloc(m, nn, sizeof *s->pi);
    s->dirty = match_mem_alloc(m, nn, sizeof *s->dirty);

    int32_t rnode = n_offer_nodes;
    for (size_t k = 0; k < in->n_requests; k++) {
        if (a->first[k] == a->first[k + 1])
            continue;
        for (size_t i = a->first[k]; i < a->first[k + 1]; i++) {
            s->src[i] = node_of_offer[s->src[i]];
            s->tgt[i] = rnode;
            s->cost[i] = -s->cost[i];
            s->flow[i] = 0;
            s->state[i] = STATE_LOWER;
        }
        int32_t e = s->first_sink + (rnode - n_offer_nodes);
        s->src[e] = rnode;
        s->tgt[e] = s->root;
        s->sink_cap[rnode - n_offer_nodes] =
            (int32_t)in->requests[ord->request[k]].remaining;
        s->pred[rnode] = e;
        s->flow[e] = 0;
        rnode++;
    }
    for (size_t k = 0; k < in->n_offers; k++) {
        int32_t u = node_of_offer[k];
        if (u < 0)
            continue;
        int32_t e = m_pairs + u;
        s->src[e] = u;
        s->tgt[e] = s->root;
        s->flow[e] = (int32_t)in->offers[ord->offer[k]].remaining;
        s->pred[u] = e;
    }
    for (int32_t e = m_pairs; e < s->n_arcs; e++) {
        s->cost[e] = 0;
        s->state[e] = STATE_TREE;
    }
    /* the star: every node hangs from the root, the thread visits them in number order */
    for (int32_t u = 0; u < s->root; u++) {
        s->parent[u] = s->root;
        s->pred_dir[u] = DIR_UP;
        s->thread[u] = u + 1;
        s->rev_thread[u + 1] = u;
        s->succ_num[u] = 1;
        s->last_succ[u] = u;
        s->pi[u] = 0;
    }
    s->parent[s->root] = -1;
    s->pred[s->root] = -1;
    s->pred_dir[s->root] = DIR_UP;
    s->thread[s->root] = 0;
    s->rev_thread[0] = s->root;
    s->succ_num[s->root] = s->n_nodes;
    s->last_succ[s->root] = s->root - 1;
    s->pi[s->root] = 0;
    /* LEMON's block size: sqrt(arcs), at least 10 */
    s->block = (int32_t)sqrt((double)s->n_arcs);
    if (s->block < 10)
        s->block = 10;
    s->next_arc = 0;
    s->pivots = 0;
}

static void nsx_free(struct nsx *s, struct mem *m)
{
    match_mem_free(m, s->src);
    match_mem_free(m, s->tgt);
    match_mem_free(m, s->cost);
    match_mem_free(m, s->flow);
    match_mem_free(m, s->state);
    match_mem_free(m, s->sink_cap);
    match_mem_free(m, s->parent);
    match_mem_free(m, s->pred);
    match_mem_free(m, s->thread);
    match_mem_free(m, s->rev_thread);
    match_mem_free(m, s->succ_num);
    match_mem_free(m, s->last_succ);
    match_mem_free(m, s->pred_dir);
    match_mem_free(m, s->pi);
    match_mem_free(m, s->dirty);
}

/* Turns the flows on pair arcs into the plan's assignments and unmet needs. Pair arcs are laid out by request rank then offer rank, so the assignments come
 * out sorted by ids. rank_of_node maps an offer node back to its offer rank. */
static void plan_fill(struct match_plan *p, const struct match_input *in, const struct order *ord,
                      const size_t *first, const struct nsx *s, const int32_t *rank_of_node)
{
    size_t n_pairs = first[in->n_requests], n_assigned = 0, n_unmet = 0;
    for (size_t i = 0; i < n_pairs; i++)
        n_assigned += s->flow[i] > 0;
    p->assignments = match_alloc_array(n_assigned, sizeof *p->assignments);
    p->unmet = match_alloc_array(in->n_requests, sizeof *p->unmet);
    p->objective = 0;
    for (size_t k = 0; k < in->n_requests; k++) {
        size_t request = (size_t)ord->request[k];
        int64_t served = 0;
        for (size_t i = first[k]; i < first[k + 1]; i++) {
            if (s->flow[i] == 0)
                continue;
            struct match_assignment *x = &p->assignments[p->n_assignments++];
            x->offer = (size_t)ord->offer[rank_of_node[s->src[i]]];
            x->request = request;
            x->quantity = s->flow[i];
            x->unit_benefit = -(int64_t)s->cost[i];
            x->benefit = x->quantity * x->unit_benefit;
            p->objective += x->benefit;
            served += s->flow[i];
        }
        int64_t open = in->requests[request].remaining - served;
        if (open > 0)
            p->unmet[n_unmet++] = (struct match_unmet){
                request, open,
                first[k] == first[k + 1] ? MATCH_UNMET_NO_COMPATIBLE_OFFER
                                         : MATCH_UNMET_CAPACITY_EXHAUSTED};
    }
    p->n_unmet = n_unmet;
}

int match_solve(const struct match_input *in, struct match_plan **out, struct err *e)
{
    int rc = -1;
    struct mem m = {0, 0};
    struct order ord = {NULL, NULL};
    struct arclist a = {NULL, NULL, NULL, 0};
    struct nsx s = {0};
    int32_t *node_of_offer = NULL, *rank_of_node = NULL;
    *out = NULL;
    if (match_prepare(in, &m, &ord, e) != 0)
        return -1;
    match_arcs_build(in, &ord, &m, &a);
    if (!objective_fits(in, &ord, &a, &m)) {
        err_set(e, ERR_INVALID_ARGUMENT, "could not match %zu offers with %zu requests: the total "
                "benefit could overflow 64 bits (lower the quantities)", in->n_offers,
                in->n_requests);
        goto done;
    }
    node_of_offer = match_mem_alloc(&m, in->n_offers, sizeof *node_of_offer);
    rank_of_node = match_mem_alloc(&m, in->n_offers, sizeof *rank_of_node);
    int32_t n_offer_nodes = 0, n_request_nodes = 0;
    for (size_t k = 0; k < in->n_offers; k++)
        node_of_offer[k] = -1;
    for (size_t i = 0; i < a.n; i++)
        node_of_offer[a.offer[i]] = 0;
    for (size_t k = 0; k < in->n_offers; k++)
        if (node_of_offer[k] == 0) {
            rank_of_node[n_offer_nodes] = (int32_t)k;
            node_of_offer[k] = n_offer_nodes++;
        }
    for (size_t k = 0; k < in->n_requests; k++)
        n_request_nodes += a.first[k] < a.first[k + 1];
    if (a.n > (size_t)(INT32_MAX - n_offer_nodes - n_request_nodes)) {
        err_set(e, ERR_RESOURCE_EXHAUSTED, "could not match %zu offers with %zu requests: %zu "
                "compatible pairs are more than the solver handles", in->n_offers,
                in->n_requests, a.n);
        goto done;
    }
    struct match_plan *p = match_alloc_array(1, sizeof *p);
    memset(p, 0, sizeof *p);
    if (a.n > 0) {
        nsx_init(&s, in, &ord, &a, node_of_offer, n_offer_nodes, n_request_nodes, &m);
        nsx_run(&s);
    }
    plan_fill(p, in, &ord, a.first, &s, rank_of_node);
    p->stats.arcs = a.n;
    p->stats.nodes = (size_t)(n_offer_nodes + n_request_nodes);
    p->stats.pivots = s.pivots;
    p->stats.peak_bytes = m.peak;
    *out = p;
    rc = 0;
done:
    nsx_free(&s, &m);
    match_mem_free(&m, node_of_offer);
    match_mem_free(&m, rank_of_node);
    match_arclist_free(&m, &a);
    match_mem_free(&m, ord.offer);
    match_mem_free(&m, ord.request);
    return rc;
}

void match_plan_free(struct match_plan *plan)
{
    if (plan == NULL)
        return;
    free(plan->assignments);
    free(plan->unmet);
    free(plan);
}
