/* access.h: the matching service's row-level rules (ownership and visibility), pure: each takes
 * who is asking and what the row says, and decides. The dispatcher has already checked the
 * caller's role against the method table (service.c); these rules are what needs the row.
 *
 * Who is asking, as a `viewer`: NULL for an OPERATOR (sees and may touch everything), the
 * calling State's alpha-3 code for a STATE, "" for a SERVICE key (sees what any key sees, owns
 * nothing). Nothing here allocates or keeps a pointer. */
#ifndef UNIC_MATCHING_ACCESS_H
#define UNIC_MATCHING_ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"
#include "err.h"

/* The viewer of a principal, as above; the string is the principal's own. */
const char *access_viewer(const struct principal *p);

/* The State a caller acts for when a body field (`field`, value `given`) may name one: a STATE
 * acts only for itself (`given` empty means itself; another State is PERMISSION_DENIED), an
 * OPERATOR must name one (INVALID_ARGUMENT when empty), and `given` must be valid UTF-8. */
int access_acting_state(const struct principal *p, const char *field, const char *given,
                        const char **out, struct err *e);

/* Whether `viewer` may change a row (offer, request) of State `owner`: operators any, a State
 * its own, a service key none. */
bool access_may_change(const char *viewer, const char *owner);

/* Whatever is computed from a gap (the gap's question, cycle and severity; the quantity,
 * remaining and priority derived from it, since quantity = ceil(severity x unit) gives the
 * severity back; a match's quantity, benefit and explanation; an unmet request's remaining and
 * the words of its reason) is shown only to whom may read the assessment the gap came from: the
 * requesting State `state` always, never donors or service keys (they read a PUBLIC
 * assessment's gaps from scoring, not from a request), and an operator only when the State lets
 * it read that assessment, which responses decides and the caller asks (GAP_IF_READABLE:
 * store_gap_figures_visible). A request not derived from a gap shows everything to all. */
enum gap_view { GAP_HIDDEN, GAP_SHOWN, GAP_IF_READABLE };
enum gap_view access_gap_figures(bool derived, const char *viewer, const char *state);

/* The parties of a match `viewer` is: *donor and *recipient (both when a State matched
 * itself, which validation prevents but the rule does not assume). False when neither. */
bool access_match_party(const char *viewer, const char *donor_state, const char *recipient_state,
                        bool *donor, bool *recipient);

/* Which side of a match `viewer` takes a step for: a State for itself (`on_behalf_of` empty or
 * its own code; PERMISSION_DENIED when it is neither party), an operator for the party it names
 * in `on_behalf_of` (INVALID_ARGUMENT naming the field when it names neither State; it must say
 * why, checked by the caller). *donor and *recipient say which (both only if a State were both).
 * A service key takes no step. */
int access_match_side(const char *viewer, const char *on_behalf_of, const char *donor_state,
                      const char *recipient_state, bool *donor, bool *recipient, struct err *e);

/* Whether `viewer` sees match of `donor_state` to `recipient_state` in `status` (a name): its
 * recipient always, its donor once the plan is committed (not PROPOSED or SUPERSEDED),
 * operators always. */
bool access_match_visible(const char *viewer, const char *donor_state, const char *recipient_state,
                          const char *status);

/* Which recipient States a plan proposed by `viewer` may cover: an operator any (`scope` as
 * given, empty = all), a State only itself (an empty scope becomes itself; any other State is
 * PERMISSION_DENIED). *out is `scope` or `self` (one slot the caller provides). */
int access_plan_scope(const char *viewer, char *const *scope, size_t n_scope, char **self,
                      char *const **out, size_t *n_out, struct err *e);

#endif
