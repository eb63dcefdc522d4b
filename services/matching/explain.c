/* explain.c: the plain-language sentences of a plan: why each match was made, and why a request
 * is left (partly) unmet. Pure; the words follow the rules of model.c. */
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

/* snprintf into a buffer piece by piece, counting the full length even once it is truncated. */
struct text {
    char *buf;
    size_t size;
    size_t len;
};

__attribute__((format(printf, 2, 3))) static void text_add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *at = t->len < t->size ? t->buf + t->len : NULL;
    size_t room = t->len < t->size ? t->size - t->len : 0;
    int n = vsnprintf(at, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n;
}

/* "2.0", "2.5", "2.125": thousandths without trailing zeros, one decimal at least. */
static void text_severity(struct text *t, int64_t milli)
{
    int64_t frac = milli % 1000;
    int width = 3;
    while (width > 1 && frac % 10 == 0) {
        frac /= 10;
        width--;
    }
    text_add(t, "%lld.%0*lld", (long long)(milli / 1000), width, (long long)frac);
}

/* The public numbering is the rule's own (match_internal.h), so one converts by cast. */
_Static_assert((int)ELIGIBLE_ALL == MATCH_ELIGIBLE_ALL && (int)ELIGIBLE_NAMED == MATCH_ELIGIBLE_NAMED &&
                   (int)ELIGIBLE_REGION == MATCH_ELIGIBLE_REGION &&
                   (int)ELIGIBLE_GROUP == MATCH_ELIGIBLE_GROUP,
               "enum eligibility and enum match_eligibility disagree");

void match_grounds(const struct match_input *in, const struct match_assignment *a,
                   const char **languages, struct match_grounds *g)
{
    const struct match_offer *o = &in->offers[a->offer];
    const struct match_request *r = &in->requests[a->request];
    *g = (struct match_grounds){.languages = languages, .severity_milli = r->severity_milli,
                                .ldc = r->ldc};
    if (r->source_question_id != NULL && r->source_question_id[0] != '\0')
        g->question_id = r->source_question_id;
    if (match_languages_known(o, r))
        for (size_t i = 0; i < r->n_languages; i++)
            if (match_strs_contain(o->languages, o->n_languages, r->languages[i]))
                languages[g->n_languages++] = r->languages[i];
    const char *which = NULL;
    enum eligibility how = match_eligible(o, r, &which);
    /* an assignment never has ELIGIBLE_NOT; were one passed, it reads as open to all */
    g->eligibility = how == ELIGIBLE_NOT ? MATCH_ELIGIBLE_ALL : (int)how;
    if (how == ELIGIBLE_REGION || how == ELIGIBLE_GROUP)
        g->eligible_by = which;
}

const char *match_eligibility_name(int eligibility)
{
    switch (eligibility) {
    case MATCH_ELIGIBLE_ALL: return "ALL";
    case MATCH_ELIGIBLE_NAMED: return "NAMED";
    case MATCH_ELIGIBLE_REGION: return "REGION";
    case MATCH_ELIGIBLE_GROUP: return "GROUP";
    default: return NULL;
    }
}

int match_eligibility_from_name(const char *name)
{
    for (int e = MATCH_ELIGIBLE_ALL; e <= MATCH_ELIGIBLE_GROUP; e++)
        if (name != NULL && strcmp(name, match_eligibility_name(e)) == 0)
            return e;
    return 0;
}

int match_explain(const struct match_input *in, const struct match_assignment *a, char *buf,
                  size_t size)
{
    const struct match_offer *o = &in->offers[a->offer];
    const struct match_request *r = &in->requests[a->request];
    struct text t = {buf, size, 0};
    if (size > 0)
        buf[0] = '\0';
    /* the sentence says the grounds, so the two never disagree */
    const char **shared = match_alloc_array(r->n_languages + 1, sizeof *shared);
    struct match_grounds g;
    match_grounds(in, a, shared, &g);

    if (g.question_id != NULL)
        text_add(&t, "%s's gap on %s (severity ", r->recipient_state, g.question_id);
    else
        text_add(&t, "%s's request (severity ", r->recipient_state);
    if (g.severity_milli > 0)
        text_severity(&t, g.severity_milli);
    else
        text_add(&t, "not assessed, counted as 1.0");
    text_add(&t, ") in %s is served by %s: %lld %s %s", match_shared_topic(o, r), o->donor_state,
             (long long)a->quantity, a->quantity == 1 ? match_kind_unit_one(o->kind)
                                                      : match_kind_unit(o->kind),
             match_kind_what(o->kind));

    if (g.n_languages > 0) {
        text_add(&t, " in shared language%s ", g.n_languages > 1 ? "s" : "");
        for (size_t i = 0; i < g.n_languages; i++)
            text_add(&t, "%s%s", i == 0 ? "" : i + 1 == g.n_languages ? " and " : ", ",
                     g.languages[i]);
    } else {
        text_add(&t, " with no language constraint");
    }

    switch (g.eligibility) {
    case MATCH_ELIGIBLE_NAMED:
        text_add(&t, "; %s is named as eligible", r->recipient_state);
        break;
    case MATCH_ELIGIBLE_REGION:
        text_add(&t, "; %s is eligible by region %s", r->recipient_state, g.eligible_by);
        break;
    case MATCH_ELIGIBLE_GROUP:
        text_add(&t, "; %s is eligible as a member of %s on %s", r->recipient_state,
                 g.eligible_by, in->as_of);
        break;
    default:
        text_add(&t, "; the offer is open to all States");
        break;
    }
    if (g.ldc)
        text_add(&t, "; least developed country on %s: priority \u00d71.5 applied", in->as_of);
    text_add(&t, ".");
    free(shared);
    return t.len > INT_MAX ? INT_MAX : (int)t.len;
}

int match_explain_unmet(const struct match_input *in, const struct match_unmet *u, char *buf,
                        size_t size)
{
    const struct match_request *q = &in->requests[u->request];
    const char *name = match_unmet_reason_name(u->reason);
    struct text t = {buf, size, 0};
    if (size > 0)
        buf[0] = '\0';
    if (u->reason == MATCH_UNMET_NO_COMPATIBLE_OFFER) {
        text_add(&t, "%s: no open offer of %s on ", name, match_kind_name(q->kind));
        for (size_t i = 0; i < request_n_topics(q); i++)
            text_add(&t, "%s%s", i == 0 ? "" : " or ", request_topic(q, i));
        text_add(&t,
                 " can serve %s on %s (kind, topic, eligibility, languages and validity must all "
                 "fit)", q->recipient_state, in->as_of);
    } else
        text_add(&t,
                 "%s: %lld %s still needed; the compatible offers' capacity ran out or served "
                 "requests of higher benefit",
                 name ? name : "UNMET", (long long)u->quantity, match_kind_unit(q->kind));
    return t.len > INT_MAX ? INT_MAX : (int)t.len;
}
