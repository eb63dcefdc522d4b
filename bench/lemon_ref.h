/* lemon_ref.h: the reference the matching solver is measured against: LEMON's NetworkSimplex
 * (Debian liblemon-dev) solving the same maximum-weight transportation problem as match_solve,
 * on the very arcs match_arcs_new lists. Bench and test only (bench/lemon_ref.cc, C++), built
 * when LEMON's headers are found; the product never needs it.
 *
 * Ownership: the caller owns the input and the arcs; nothing is kept after the call. */
#ifndef UNIC_LEMON_REF_H
#define UNIC_LEMON_REF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "match.h"

#ifdef __cplusplus
extern "C" {
#endif

struct lemon_ref_result {
    int64_t objective; /* sum of flow x unit benefit over the offer -> request arcs, in int64 */
    double run_ms;     /* NetworkSimplex::run() alone: the graph and its maps are built before */
    double build_ms;   /* building the graph and the maps, for the reader */
    size_t nodes;      /* of the LEMON graph: source, sink, offers and requests with an arc */
    size_t arcs;       /* of the LEMON graph: the pairs, one per offer and request, the bypass */
};

/* Solves the plan of maximum total benefit for `in` over `arcs` (those of match_arcs_new(in)):
 * source -> offer (capacity: its remaining), offer -> request (cost: -unit benefit), request ->
 * sink (capacity: its remaining), and source -> sink (cost 0) so that no capacity need be used.
 * Fails with ERR_INTERNAL when LEMON reports the problem infeasible or unbounded (it is neither:
 * the bypass carries everything at cost 0, and every capacity is finite). */
int lemon_ref_solve(const struct match_input *in, const struct match_arcs *arcs,
                    struct lemon_ref_result *out, struct err *e);

#ifdef __cplusplus
}
#endif

#endif
