/* membership.c: how a recorded change moves a State's membership of a UN country group (membership.h).
 * Periods are half-open, [since, until): until is the day a graduation takes effect. */
#include <string.h>

#include "membership.h"

static const char *const kind_names[] = {
    [UNIC__CATALOG__V1__GROUP_CHANGE_KIND__ADMISSION] = "ADMISSION",
    [UNIC__CATALOG__V1__GROUP_CHANGE_KIND__GRADUATION] = "GRADUATION",
    [UNIC__CATALOG__V1__GROUP_CHANGE_KIND__POSTPONEMENT] = "POSTPONEMENT",
};
enum { KINDS = sizeof kind_names / sizeof kind_names[0] };

const char *group_change_kind_name(Unic__Catalog__V1__GroupChangeKind kind)
{
    return (int)kind > 0 && (int)kind < KINDS ? kind_names[kind] : NULL;
}

Unic__Catalog__V1__GroupChangeKind group_change_kind_parse(const char *name)
{
    for (int k = 1; k < KINDS; k++)
        if (strcmp(kind_names[k], name) == 0)
            return (Unic__Catalog__V1__GroupChangeKind)k;
    return UNIC__CATALOG__V1__GROUP_CHANGE_KIND__GROUP_CHANGE_KIND_UNSPECIFIED;
}

static const char *shown_date(const char *d)
{
    return d[0] ? d : "the earliest date";
}

int group_change_apply(const struct group_period *periods, size_t n,
                       Unic__Catalog__V1__GroupChangeKind kind, const char *effective,
                       const char *state, const char *group, struct group_edit *out,
                       struct err *e)
{
    const struct group_period *last = n > 0 ? &periods[n - 1] : NULL;
    memset(out, 0, sizeof *out);
    switch (kind) {
    case UNIC__CATALOG__V1__GROUP_CHANGE_KIND__ADMISSION:
        for (size_t i = 0; i < n; i++)
            if (periods[i].until[0] == '\0' || strcmp(periods[i].until, effective) > 0)
                return err_set(e, ERR_FAILED_PRECONDITION,
                               "could not admit %s to %s on %s: it is a member from %s %s%s", state,
                               group, effective, shown_date(periods[i].since),
                               periods[i].until[0] ? "until " : "with no end decided",
                               periods[i].until);
        *out = (struct group_edit){true, effective, "", ""};
        return 0;
    case UNIC__CATALOG__V1__GROUP_CHANGE_KIND__GRADUATION:
        if (last == NULL)
            return err_set(e, ERR_FAILED_PRECONDITION,
                           "could not graduate %s from %s: it has never been a member", state, group);
        if (last->until[0] != '\0')
            return err_set(e, ERR_FAILED_PRECONDITION,
                           "could not graduate %s from %s on %s: its graduation is already decided "
                           "for %s; record a POSTPONEMENT to move it", state, group, effective,
                           last->until);
        if (last->since[0] != '\0' && strcmp(effective, last->since) <= 0)
            return err_set(e, ERR_FAILED_PRECONDITION,
                           "could not graduate %s from %s on %s: it became a member only on %s",
                           state, group, effective, last->since);
        *out = (struct group_edit){false, last->since, effective, ""};
        return 0;
    case UNIC__CATALOG__V1__GROUP_CHANGE_KIND__POSTPONEMENT:
        if (last == NULL || last->until[0] == '\0')
            return err_set(e, ERR_FAILED_PRECONDITION,
                           "could not postpone the graduation of %s from %s: %s", state, group,
                           last == NULL ? "it has never been a member" : "none is decided");
        if (effective[0] != '\0' && strcmp(effective, last->until) <= 0)
            return err_set(e, ERR_FAILED_PRECONDITION,
                           "could not postpone the graduation of %s from %s to %s: it is decided "
                           "for %s, and a postponement moves it later", state, group, effective,
                           last->until);
        *out = (struct group_edit){false, last->since, effective, last->until};
        return 0;
    default:
        return err_field(e, "kind", "must be ADMISSION, GRADUATION or POSTPONEMENT");
    }
}
