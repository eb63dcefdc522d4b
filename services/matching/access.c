/* access.c: the matching service's row-level rules (access.h): who may act for which State,
 * change which row, and see the figures computed from a gap. Pure: no I/O. */
#include <string.h>

#include "access.h"
#include "text.h"

const char *access_viewer(const struct principal *p)
{
    return p->role == ROLE_OPERATOR ? NULL : p->role == ROLE_STATE ? p->state : "";
}

int access_acting_state(const struct principal *p, const char *field, const char *given,
                        const char **out, struct err *e)
{
    if (!text_valid(given, false, NULL))
        return err_field(e, field, "not valid UTF-8");
    if (p->role == ROLE_STATE) {
        if (given[0] && strcmp(given, p->state) != 0)
            return err_set(e, ERR_PERMISSION_DENIED, "%s may act only for itself, not for %s (%s)",
                           p->state, given, field);
        *out = p->state;
        return 0;
    }
    if (given[0] == '\0')
        return err_field(e, field, "required");
    *out = given;
    return 0;
}

bool access_may_change(const char *viewer, const char *owner)
{
    return viewer == NULL || (viewer[0] && strcmp(viewer, owner) == 0);
}

enum gap_view access_gap_figures(bool derived, const char *viewer, const char *state)
{
    if (!derived || (viewer && strcmp(viewer, state) == 0))
        return GAP_SHOWN;
    return viewer == NULL ? GAP_IF_READABLE : GAP_HIDDEN;
}

bool access_match_party(const char *viewer, const char *donor_state, const char *recipient_state,
                        bool *donor, bool *recipient)
{
    *donor = viewer && viewer[0] && strcmp(donor_state, viewer) == 0;
    *recipient = viewer && viewer[0] && strcmp(recipient_state, viewer) == 0;
    return *donor || *recipient;
}

int access_match_side(const char *viewer, const char *on_behalf_of, const char *donor_state,
                      const char *recipient_state, bool *donor, bool *recipient, struct err *e)
{
    *donor = *recipient = false;
    if (viewer == NULL) {
        if (on_behalf_of[0] == '\0')
            return err_field(e, "on_behalf_of",
                             "required for an operator: the donor %s or the "
                             "recipient %s", donor_state, recipient_state);
        if (!access_match_party(on_behalf_of, donor_state, recipient_state, donor, recipient))
            return err_field(e, "on_behalf_of",
                             "%s is neither the donor %s nor the recipient %s",
                             on_behalf_of, donor_state, recipient_state);
        return 0;
    }
    if (viewer[0] == '\0')
        return err_set(e, ERR_PERMISSION_DENIED, "a service key takes no step in a match");
    if (on_behalf_of[0] && strcmp(on_behalf_of, viewer) != 0)
        return err_set(e, ERR_PERMISSION_DENIED, "%s may act only for itself, not for %s "
                       "(on_behalf_of)", viewer, on_behalf_of);
    if (!access_match_party(viewer, donor_state, recipient_state, donor, recipient))
        return err_set(e, ERR_PERMISSION_DENIED, "%s is not a party to this match", viewer);
    return 0;
}

bool access_match_visible(const char *viewer, const char *donor_state, const char *recipient_state,
                          const char *status)
{
    if (viewer == NULL || strcmp(viewer, recipient_state) == 0)
        return true;
    return viewer[0] && strcmp(viewer, donor_state) == 0 && strcmp(status, "PROPOSED") != 0 &&
           strcmp(status, "SUPERSEDED") != 0;
}

int access_plan_scope(const char *viewer, char *const *scope, size_t n_scope, char **self,
                      char *const **out, size_t *n_out, struct err *e)
{
    if (viewer == NULL) {
        *out = scope;
        *n_out = n_scope;
        return 0;
    }
    if (viewer[0] == '\0' || n_scope > 1 || (n_scope == 1 && strcmp(scope[0], viewer) != 0))
        return err_set(e, ERR_PERMISSION_DENIED,
                       "%s may propose matches only for its own requests (state_codes)",
                       viewer[0] ? viewer : "a service key");
    *self = (char *)viewer;
    *out = self;
    *n_out = 1;
    return 0;
}
