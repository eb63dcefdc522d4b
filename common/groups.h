/* groups.h: the UN country groups (LDC, SIDS, LLDC) and the one rule for "State S is a member
 * of group G on date D", shared by the catalog, which serves the memberships with each State,
 * and the services that decide by them (matching's LDC factor and eligibility, the paragraph 9
 * rule of common/duties.h in scoring). Pure; nothing here allocates or owns memory. */
#ifndef UNIC_GROUPS_H
#define UNIC_GROUPS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "unic/catalog/v1/catalog.pb-c.h"

/* The groups, in the order they are listed, and the same as one phrase for messages. */
extern const char *const country_groups[];
extern const size_t country_groups_count;
#define COUNTRY_GROUPS_VALID "LDC, SIDS or LLDC"

/* Whether `id` names one of the groups (exactly, upper case). */
bool country_group_known(const char *id);
/* 0 for a known group; else INVALID_ARGUMENT naming request field `field` (err_field) with the
 * valid values in the message and the hint. */
int country_group_check(const char *field, const char *id, struct err *e);

/* Whether a period covers `date` ("YYYY-MM-DD"): since <= date < until, an empty bound open. */
bool group_period_covers(const char *since, const char *until, const char *date);

/* The period of st's membership of `group` that covers `date`, or NULL when st is not a member
 * of it then. The result points into st. */
const Unic__Catalog__V1__GroupMembership *state_membership_on(const Unic__Catalog__V1__State *st,
                                                              const char *group,
                                                              const char *date);
/* state_membership_on(...) != NULL. */
bool state_member_on(const Unic__Catalog__V1__State *st, const char *group, const char *date);

#endif
