/* validate.h: the matching service's checks of what a caller sends (validate.c). Each returns 0,
 * or -1 with INVALID_ARGUMENT naming the field and, when few, the values allowed. Checks that
 * need the catalog's reference data take the snapshot (matching.h, struct refdata); nothing here
 * does I/O except check_page, which opens a page token with the call's key. Strings stay the
 * caller's; the `filter_*` outputs point into the request or at static names. */
#ifndef UNIC_MATCHING_VALIDATE_H
#define UNIC_MATCHING_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "matching.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500
#define TITLE_MAX 200          /* characters */
#define DESCRIPTION_MAX 4000
#define TOPICS_MAX 32
#define ELIGIBLE_STATES_MAX 200
#define ELIGIBLE_REGIONS_MAX 64
#define LANGUAGES_MAX 16
#define REQUEST_ID_MAX 128
#define CYCLE_MAX 9999
#define NOTE_MAX 2000          /* notes and reasons of a match's steps, characters */
#define FEEDBACK_MAX 4000

/* Valid UTF-8 without control characters (newline and tab allowed when free_text), required
 * non-empty when `required`, at most max_chars characters. */
int check_text(const char *field, const char *s, bool required, size_t max_chars,
               bool free_text, struct err *e);
/* An id this service issued (a UUID in canonical form). */
int check_id(const char *field, const char *s, struct err *e);
/* An etag this service issued (a row version). */
int check_etag(const char *field, const char *s, struct err *e);
int check_kind(const char *field, int kind, struct err *e);
/* A quantity or capacity: 1..MATCH_QUANTITY_MAX. */
int check_quantity(const char *field, int64_t v, struct err *e);
/* "" or a real YYYY-MM-DD date. */
int check_date(const char *field, const char *s, struct err *e);
/* A UN Member State the catalog knows; its reference data in *out (may be NULL). */
int check_state(const struct refdata *ref, const char *field, const char *code,
                const struct ref_state **out, struct err *e);
int check_topic(const struct refdata *ref, const char *field, const char *topic, struct err *e);
/* At most `max` entries, none empty or twice. */
int check_list(const char *field, char *const *v, size_t n, size_t max, struct err *e);
/* Language tags such as "en", "pt-BR" (BCP 47 shape), at most LANGUAGES_MAX. */
int check_languages(const char *field, char *const *v, size_t n, struct err *e);
/* The fields of an offer a donor writes, for CreateOffer and UpdateOffer; `donor` is the offer's
 * donor State. */
int check_offer(const struct refdata *ref, const Unic__Matching__V1__Offer *o, const char *donor,
                struct err *e);
/* A list of kinds, each known and none twice, as ints in a new arena array *out. */
int check_kinds(struct arena *a, const char *field, const Unic__Common__V1__SupportKind *kinds,
                size_t n, int **out, struct err *e);
/* The topics of a request a State writes: request.topics when given (each known, none twice,
 * request.topic empty or their first), else request.topic alone; into *topics (arena or the
 * request's own array) and *n >= 1. */
int check_request_topics(struct arena *a, const struct refdata *ref,
                         const Unic__Matching__V1__Request *q, char ***topics, size_t *n,
                         struct err *e);
/* The words of a step in a match's life: a note, a reason (required when `reason_required`),
 * and for an operator the State it acts for and why (on_behalf_reason required); a State gives
 * no on_behalf_reason. Free text, at most NOTE_MAX characters each. */
int check_step_words(bool operator, const char *on_behalf_of, const char *on_behalf_reason,
                     const char *reason, bool reason_required, const char *note, struct err *e);
/* An assessment cycle: 1..CYCLE_MAX. */
int check_cycle(int cycle, struct err *e);

/* page_size 0 means the default; the token holds the last row's sequence number, sealed
 * (common/page_token.h) and bound to `filter`, the request's filter fields. */
int check_page(struct call *c, const char *filter, int32_t size, const char *token, int *limit,
               int64_t *after, struct err *e);
/* The store leaves the last row's sequence number as the next token: seal it. */
void seal_next(struct call *c, const char *filter, char **next);

/* Optional filters: *out NULL when unset, the stored name otherwise. */
int filter_state(const char *field, const char *s, const char **out, struct err *e);
int filter_kind(int kind, const char **out, struct err *e);
int filter_topic(const char *s, const char **out, struct err *e);
int filter_status(int status, const char *(*name)(int), const char **out, struct err *e);

#endif
