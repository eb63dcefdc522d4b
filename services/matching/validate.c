/* validate.c: the matching service's checks of what a caller sends (validate.h): every field
 * of an offer, a request or a filter, each failure INVALID_ARGUMENT naming the field and what
 * is allowed. The handlers (service.c) call these before anything else. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "page_token.h"
#include "text.h"
#include "validate.h"

int check_text(const char *field, const char *s, bool required, size_t max_chars,
                      bool free_text, struct err *e)
{
    size_t chars = 0;
    if (!text_valid(s, free_text, &chars))
        return err_field(e, field,
                         "not valid UTF-8 or holds control characters");
    if (required && chars == 0)
        return err_field(e, field, "required");
    if (chars > max_chars)
        return err_field(e, field, "%zu characters, at most %zu",
                         chars, max_chars);
    return 0;
}

int check_id(const char *field, const char *s, struct err *e)
{
    if (s[0] == '\0')
        return err_field(e, field, "required");
    if (!uuid_shape(s))
        return err_field(e, field, "not an id this service issued");
    return 0;
}

int check_etag(const char *field, const char *s, struct err *e)
{
    if (s[0] == '\0')
        return err_field(e, field, "required (read the item first)");
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 9 || s[n] != '\0')
        return err_field(e, field, "not an etag this service issued");
    return 0;
}

int check_kind(const char *field, int kind, struct err *e)
{
    if (match_kind_name(kind) == NULL)
        return err_field(e, field,
                         "unknown kind %d (EXPERTISE, FUNDS, EQUIPMENT or TRAINING)", kind);
    return 0;
}

int check_quantity(const char *field, int64_t v, struct err *e)
{
    if (v <= 0 || v > MATCH_QUANTITY_MAX)
        return err_field(e, field, "%" PRId64 " is not in 1..%" PRId64, v, MATCH_QUANTITY_MAX);
    return 0;
}

int check_date(const char *field, const char *s, struct err *e)
{
    if (s[0] && (!text_valid(s, false, NULL) || !text_date_valid(s)))
        return err_field(e, field, "not a YYYY-MM-DD date");
    return 0;
}

int check_state(const struct refdata *ref, const char *field, const char *code,
                       const struct ref_state **out, struct err *e)
{
    const struct ref_state *s = NULL;
    if (!text_valid(code, false, NULL) || !text_state_code_shape(code) ||
        (s = refdata_state(ref, code)) == NULL)
        return err_field(e, field, "\"%s\" is not a UN Member State code",
                         text_valid(code, false, NULL) ? code : "?");
    if (out)
        *out = s;
    return 0;
}

int check_topic(const struct refdata *ref, const char *field, const char *topic,
                       struct err *e)
{
    if (check_text(field, topic, true, 64, false, e) < 0)
        return -1;
    if (!refdata_topic_known(ref, topic))
        return err_field(e, field, "unknown topic \"%s\"", topic);
    return 0;
}

/* A list of topics (`field`): at most TOPICS_MAX, none twice, each one the catalog knows. */
static int check_topics(const struct refdata *ref, const char *field, char *const *v, size_t n,
                        struct err *e)
{
    if (check_list(field, v, n, TOPICS_MAX, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s[%zu]", field, i);
        if (check_topic(ref, name, v[i], e) < 0)
            return -1;
    }
    return 0;
}

/* A language tag: "en", "fr", "pt-BR", "zh-Hans" (BCP 47 shape, at most 35 characters). */
static bool language_shape(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz");
    if (n < 2 || n > 3)
        return false;
    for (s += n; *s; s += n) {
        if (*s++ != '-')
            return false;
        n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (n < 1 || n > 8)
            return false;
    }
    return true;
}

/* The common rules of a list field: at most `max` entries, none twice. */
int check_list(const char *field, char *const *v, size_t n, size_t max, struct err *e)
{
    if (n > max)
        return err_field(e, field, "%zu entries, at most %zu", n,
                         max);
    for (size_t i = 0; i < n; i++) {
        if (!text_valid(v[i], false, NULL) || v[i][0] == '\0')
            return err_field_at(e, field, i, NULL,
                                "empty, not valid UTF-8 or holds control characters");
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[i], v[j]) == 0)
                return err_field(e, field, "\"%s\" is listed twice", v[i]);
    }
    return 0;
}

int check_languages(const char *field, char *const *v, size_t n, struct err *e)
{
    if (check_list(field, v, n, LANGUAGES_MAX, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i]) > 35 || !language_shape(v[i]))
            return err_field_at(e, field, i, NULL,
                                "\"%s\" is not a language tag such as \"en\"", v[i]);
    return 0;
}

/* The fields of an offer a donor writes, for CreateOffer and UpdateOffer; `donor` is the offer's
 * donor State. */
int check_offer(const struct refdata *ref, const Unic__Matching__V1__Offer *o,
                       const char *donor, struct err *e)
{
    if (check_state(ref, "offer.donor_state", donor, NULL, e) < 0 ||
        check_kind("offer.kind", o->kind, e) < 0)
        return -1;
    if (o->n_topics == 0)
        return err_field(e, "offer.topics", "at least one topic required");
    if (check_topics(ref, "offer.topics", o->topics, o->n_topics, e) < 0)
        return -1;
    if (check_quantity("offer.capacity", o->capacity, e) < 0 ||
        check_list("offer.eligible_states", o->eligible_states, o->n_eligible_states,
                   ELIGIBLE_STATES_MAX, e) < 0)
        return -1;
    for (size_t i = 0; i < o->n_eligible_states; i++) {
        char field[48];
        snprintf(field, sizeof field, "offer.eligible_states[%zu]", i);
        if (check_state(ref, field, o->eligible_states[i], NULL, e) < 0)
            return -1;
        if (strcmp(o->eligible_states[i], donor) == 0)
            return err_field(e, field,
                             "the donor %s cannot be eligible for its own offer",
                             donor);
    }
    if (check_list("offer.eligible_regions", o->eligible_regions, o->n_eligible_regions,
                   ELIGIBLE_REGIONS_MAX, e) < 0)
        return -1;
    for (size_t i = 0; i < o->n_eligible_regions; i++)
        if (!refdata_region_known(ref, o->eligible_regions[i])) {
            /* all 29 M49 names (regions, sub-regions, intermediate regions) just fit a status */
            char field[48], names[440];
            snprintf(field, sizeof field, "offer.eligible_regions[%zu]", i);
            refdata_region_names(ref, names, sizeof names);
            return err_field(e, field, "must be one of: %s", names);
        }
    if (check_list("offer.eligible_groups", o->eligible_groups, o->n_eligible_groups,
                   country_groups_count, e) < 0)
        return -1;
    for (size_t i = 0; i < o->n_eligible_groups; i++) {
        char field[48];
        snprintf(field, sizeof field, "offer.eligible_groups[%zu]", i);
        if (country_group_check(field, o->eligible_groups[i], e) < 0)
            return -1;
    }
    if (check_languages("offer.languages", o->languages, o->n_languages, e) < 0 ||
        check_date("offer.valid_from", o->valid_from, e) < 0 ||
        check_date("offer.valid_until", o->valid_until, e) < 0)
        return -1;
    if (o->valid_from[0] && o->valid_until[0] && strcmp(o->valid_until, o->valid_from) < 0)
        return err_field(e, "offer.valid_until", "%s is before valid_from %s",
                         o->valid_until, o->valid_from);
    if (check_text("offer.title", o->title, true, TITLE_MAX, false, e) < 0 ||
        check_text("offer.description", o->description, false, DESCRIPTION_MAX, true, e) < 0)
        return -1;
    return 0;
}

/* page_size 0 means the default; the token holds the last row's sequence number, sealed
 * (common/page_token.h) and bound to `filter`, the request's filter fields. */
int check_page(struct call *c, const char *filter, int32_t size, const char *token,
                      int *limit, int64_t *after, struct err *e)
{
    const char *position;
    if (size < 0 || size > PAGE_MAX)
        return err_field(e, "page_size", "%d is not in 0..%d", size,
                         PAGE_MAX);
    *limit = size == 0 ? PAGE_DEFAULT : size;
    if (page_token_position(c, filter, token, &position, e) < 0)
        return -1;
    /* A position opened from a token is one this service sealed: a sequence number. */
    *after = position[0] ? strtoll(position, NULL, 10) : 0;
    return 0;
}

/* The store leaves the last row's sequence number as the next token: seal it. */
void seal_next(struct call *c, const char *filter, char **next)
{
    if ((*next)[0])
        *next = page_token_next(c, filter, *next);
}

/* Optional filters: NULL when unset, the stored name otherwise. */
int filter_state(const char *field, const char *s, const char **out, struct err *e)
{
    *out = NULL;
    if (s[0] == '\0')
        return 0;
    if (!text_valid(s, false, NULL) || !text_state_code_shape(s))
        return err_field(e, field, "not a State code");
    *out = s;
    return 0;
}

int filter_kind(int kind, const char **out, struct err *e)
{
    *out = NULL;
    if (kind == 0)
        return 0;
    if (check_kind("kind", kind, e) < 0)
        return -1;
    *out = match_kind_name(kind);
    return 0;
}

int filter_topic(const char *s, const char **out, struct err *e)
{
    *out = NULL;
    if (s[0] == '\0')
        return 0;
    if (check_text("topic", s, true, 64, false, e) < 0)
        return -1;
    *out = s;
    return 0;
}

int filter_status(int status, const char *(*name)(int), const char **out, struct err *e)
{
    *out = NULL;
    if (status == 0)
        return 0;
    if ((*out = name(status)) == NULL)
        return err_field(e, "status", "unknown value %d", status);
    return 0;
}

int check_cycle(int cycle, struct err *e)
{
    if (cycle <= 0 || cycle > CYCLE_MAX)
        return err_field(e, "cycle", "%d is not in 1..%d", cycle,
                         CYCLE_MAX);
    return 0;
}

int check_kinds(struct arena *a, const char *field, const Unic__Common__V1__SupportKind *kinds,
                size_t n, int **out, struct err *e)
{
    int *given = ARENA_ARRAY(a, int, n + 1);
    for (size_t i = 0; i < n; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s[%zu]", field, i);
        if (check_kind(name, kinds[i], e) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (given[j] == (int)kinds[i])
                return err_field(e, field, "%s is listed twice",
                                 match_kind_name(given[j]));
        given[i] = kinds[i];
    }
    *out = given;
    return 0;
}

int check_request_topics(struct arena *a, const struct refdata *ref,
                         const Unic__Matching__V1__Request *q, char ***topics, size_t *n,
                         struct err *e)
{
    if (q->n_topics == 0) {
        if (check_topic(ref, "request.topic", q->topic, e) < 0)
            return -1;
        *topics = ARENA_ARRAY(a, char *, 1);
        (*topics)[0] = q->topic;
        *n = 1;
        return 0;
    }
    if (check_topics(ref, "request.topics", q->topics, q->n_topics, e) < 0)
        return -1;
    if (q->topic[0] && strcmp(q->topic, q->topics[0]) != 0)
        return err_field(e, "request.topic",
                         "\"%s\" is not request.topics[0] \"%s\" (set "
                         "either, or both alike)", q->topic, q->topics[0]);
    *topics = q->topics;
    *n = q->n_topics;
    return 0;
}

int check_step_words(bool operator, const char *on_behalf_of, const char *on_behalf_reason,
                     const char *reason, bool reason_required, const char *note, struct err *e)
{
    if (check_text("note", note, false, NOTE_MAX, true, e) < 0 ||
        check_text("reason", reason, reason_required, NOTE_MAX, true, e) < 0 ||
        check_text("on_behalf_reason", on_behalf_reason, operator, NOTE_MAX, true, e) < 0)
        return -1;
    if (!text_valid(on_behalf_of, false, NULL) ||
        (on_behalf_of[0] && !text_state_code_shape(on_behalf_of)))
        return err_field(e, "on_behalf_of", "not a State code");
    if (!operator && on_behalf_reason[0])
        return err_field(e, "on_behalf_reason",
                         "only an operator acting for a State gives one");
    return 0;
}
