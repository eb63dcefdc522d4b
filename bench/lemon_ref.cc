// lemon_ref.cc: the matching problem solved by LEMON's NetworkSimplex (Debian liblemon-dev), the
// reference of bench/propose_bench.c and tests/unit/test_match_lemon.c (contract in lemon_ref.h).
#include <chrono>
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

extern "C" {
#include "lemon_ref.h"
}

namespace {

double ms_since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

extern "C" int lemon_ref_solve(const struct match_input *in, const struct match_arcs *arcs,
                               struct lemon_ref_result *out, struct err *e)
{
    using Graph = lemon::SmartDigraph;
    using Simplex = lemon::NetworkSimplex<Graph, int64_t, int64_t>;
    *out = lemon_ref_result{};
    auto t0 = std::chrono::steady_clock::now();

    // The nodes match_solve works on: offers and requests with at least one compatible pair.
    Graph g;
    std::vector<int> offer_node(in->n_offers, -1), request_node(in->n_requests, -1);
    Graph::Node source = g.addNode(), sink = g.addNode();
    for (size_t i = 0; i < arcs->n; i++) {
        const struct match_arc &a = arcs->v[i];
        if (offer_node[a.offer] < 0)
            offer_node[a.offer] = Graph::id(g.addNode());
        if (request_node[a.request] < 0)
            request_node[a.request] = Graph::id(g.addNode());
    }
    // SmartDigraph numbers arcs in the order they are added: pairs first, so flow(pair i) is
    // arc i; then one arc from the source per offer, one to the sink per request, the bypass.
    Graph::ArcMap<int64_t> upper(g), cost(g);
    g.reserveArc(static_cast<int>(arcs->n + in->n_offers + in->n_requests + 1));
    for (size_t i = 0; i < arcs->n; i++) {
        const struct match_arc &a = arcs->v[i];
        Graph::Arc arc = g.addArc(g.nodeFromId(offer_node[a.offer]),
                                  g.nodeFromId(request_node[a.request]));
        int64_t cap = in->offers[a.offer].remaining, need = in->requests[a.request].remaining;
        upper.set(arc, cap < need ? cap : need);
        cost.set(arc, -a.unit_benefit);
    }
    int64_t total = 0;
    for (size_t o = 0; o < in->n_offers; o++)
        if (offer_node[o] >= 0) {
            Graph::Arc arc = g.addArc(source, g.nodeFromId(offer_node[o]));
            upper.set(arc, in->offers[o].remaining);
            cost.set(arc, 0);
            total += in->offers[o].remaining;
        }
    for (size_t r = 0; r < in->n_requests; r++)
        if (request_node[r] >= 0) {
            Graph::Arc arc = g.addArc(g.nodeFromId(request_node[r]), sink);
            upper.set(arc, in->requests[r].remaining);
            cost.set(arc, 0);
        }
    Graph::Arc bypass = g.addArc(source, sink);
    upper.set(bypass, total);
    cost.set(bypass, 0);

    Simplex ns(g);
    ns.upperMap(upper).costMap(cost).stSupply(source, sink, total);
    out->build_ms = ms_since(t0);
    out->nodes = static_cast<size_t>(lemon::countNodes(g));
    out->arcs = static_cast<size_t>(lemon::countArcs(g));

    t0 = std::chrono::steady_clock::now();
    Simplex::ProblemType status = ns.run();
    out->run_ms = ms_since(t0);
    if (status != Simplex::OPTIMAL)
        return err_set(e, ERR_INTERNAL, "LEMON's network simplex found the matching %s",
                       status == Simplex::INFEASIBLE ? "infeasible" : "unbounded");

    // The objective recomputed from the flows, in integers: LEMON's totalCost is in the same
    // type, but summing the benefit ourselves also checks the flows themselves.
    int64_t objective = 0;
    for (size_t i = 0; i < arcs->n; i++)
        objective += ns.flow(g.arcFromId(static_cast<int>(i))) * arcs->v[i].unit_benefit;
    if (objective != -ns.totalCost())
        return err_set(e, ERR_INTERNAL, "LEMON's flows sum to %lld, its total cost says %lld",
                       static_cast<long long>(objective), static_cast<long long>(-ns.totalCost()));
    out->objective = objective;
    return 0;
}
