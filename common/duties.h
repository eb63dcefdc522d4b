/* duties.h: which duties of Resolution #1 (68th session) bind which State, the one place the
 * catalog, responses and scoring look it up (data/sources/resolution-1-68th-session.md).
 * Paragraph 9 binds "each State with mature or highly developed ICT security capabilities" to
 * assist developing countries: a least developed country is not such a State, so it is neither
 * asked nor required to answer it, and its report shows it NOT_APPLICABLE and says why. */
#ifndef UNIC_DUTIES_H
#define UNIC_DUTIES_H

#include <stdbool.h>
#include <string.h>

/* Paragraph 6's two duties, which the points-of-contact and CERT directory (DirectoryService,
 * docs/directory.md) shows met when a State has recorded its entry: a national point of contact,
 * and a CERT accredited by FIRST, both by 31 December 2014. */
#define DUTY_PARA6_POC "para6-poc"
#define DUTY_PARA6_CERT "para6-cert"

/* Whether compliance question (or item) `id`, named "para<N>..." for its paragraph, binds a
 * State that is (ldc) or is not a least developed country. */
static inline bool duty_binds(const char *id, bool ldc)
{
    bool para9 = strncmp(id, "para9", 5) == 0 && !(id[5] >= '0' && id[5] <= '9');
    return !(ldc && para9);
}

#endif
