/* groups.c: the UN country groups and membership on a date (see groups.h). Dates are compared
 * as "YYYY-MM-DD" strings, which order as the dates do (common/text.h). */
#include "groups.h"

#include <string.h>

#include "text.h"

const char *const country_groups[] = {"LDC", "SIDS", "LLDC"};
const size_t country_groups_count = sizeof country_groups / sizeof country_groups[0];

bool country_group_known(const char *id)
{
    for (size_t i = 0; id != NULL && i < country_groups_count; i++)
        if (strcmp(id, country_groups[i]) == 0)
            return true;
    return false;
}

int country_group_check(const char *field, const char *id, struct err *e)
{
    if (country_group_known(id))
        return 0;
    if (id[0] == '\0')
        err_field(e, field, "is required: must be " COUNTRY_GROUPS_VALID);
    else if (!text_valid(id, false, NULL) || strlen(id) > 32)
        err_field(e, field, "is not a UN country group: must be " COUNTRY_GROUPS_VALID);
    else
        err_field(e, field, "\"%s\" is not a UN country group: must be " COUNTRY_GROUPS_VALID, id);
    return err_hint(e, "valid values: LDC, SIDS, LLDC");
}

bool group_period_covers(const char *since, const char *until, const char *date)
{
    if (since != NULL && since[0] != '\0' && strcmp(date, since) < 0)
        return false;
    return until == NULL || until[0] == '\0' || strcmp(date, until) < 0;
}

const Unic__Catalog__V1__GroupMembership *state_membership_on(const Unic__Catalog__V1__State *st,
                                                              const char *group,
                                                              const char *date)
{
    for (size_t i = 0; st != NULL && i < st->n_memberships; i++) {
        const Unic__Catalog__V1__GroupMembership *m = st->memberships[i];
        if (strcmp(m->group, group) == 0 && group_period_covers(m->since, m->until, date))
            return m;
    }
    return NULL;
}

bool state_member_on(const Unic__Catalog__V1__State *st, const char *group, const char *date)
{
    return state_membership_on(st, group, date) != NULL;
}
