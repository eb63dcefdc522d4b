/* access.c: who may read and write an assessment, and the assessment id that makes the write
 * decision possible before any lookup. A State's answers are its own (A/RES/64/211: voluntary). */
#include <stdio.h>
#include <string.h>

#include "assessment.h"
#include "text.h"

static const char *const visibility_names[] = {NULL, "PRIVATE", "UNIC", "PUBLIC"};
static const char *const status_names[] = {NULL, "DRAFT", "SUBMITTED"};

bool questionnaire_id_shape(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 64 || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

void assessment_id_format(char *buf, size_t size, const char *state, int cycle, const char *qid)
{
    snprintf(buf, size, "%s-%04d-%s", state, cycle, qid);
}

bool assessment_id_parse(const char *id, char state[4], int *cycle, char *qid, size_t qid_size)
{
    size_t n = strlen(id);
    if (n < 3 + 1 + 4 + 1 + 2 || n > ASSESSMENT_ID_MAX || id[3] != '-' || id[8] != '-')
        return false;
    char code[4] = {id[0], id[1], id[2], '\0'};
    if (!text_state_code_shape(code))
        return false;
    int year = 0;
    for (int i = 4; i < 8; i++) {
        if (id[i] < '0' || id[i] > '9')
            return false;
        year = year * 10 + (id[i] - '0');
    }
    if (year < CYCLE_FIRST || !questionnaire_id_shape(id + 9) || strlen(id + 9) >= qid_size)
        return false;
    memcpy(state, code, 4);
    *cycle = year;
    snprintf(qid, qid_size, "%s", id + 9);
    return true;
}

bool access_may_write(const struct principal *p, const char *state_code)
{
    return p->role == ROLE_STATE && strcmp(p->state, state_code) == 0;
}

bool access_may_read(const struct principal *p, const char *state_code, int visibility)
{
    if (p->role == ROLE_STATE && strcmp(p->state, state_code) == 0)
        return true;
    switch (visibility) {
    case UNIC__COMMON__V1__VISIBILITY__PUBLIC:
        return p->role != ROLE_NONE;
    case UNIC__COMMON__V1__VISIBILITY__UNIC:
        return p->role == ROLE_OPERATOR;
    default: /* PRIVATE, and anything unknown: the State only */
        return false;
    }
}

bool access_reads_reports(const struct principal *p, const char *qid)
{
    return p->role == ROLE_OPERATOR && strcmp(qid, ACCESS_REPORT_QUESTIONNAIRE) == 0;
}

bool access_may_read_revision(const struct principal *p, const char *state_code, const char *qid,
                              int visibility, int status)
{
    return access_may_read(p, state_code, visibility) ||
           (status == UNIC__RESPONSES__V1__ASSESSMENT_STATUS__SUBMITTED &&
            access_reads_reports(p, qid));
}

const char *access_report_questionnaire(const struct principal *p)
{
    return p->role == ROLE_OPERATOR ? ACCESS_REPORT_QUESTIONNAIRE : "";
}

const char *access_visible_array(const struct principal *p)
{
    switch (p->role) {
    case ROLE_OPERATOR: return "{UNIC,PUBLIC}";
    case ROLE_STATE:
    case ROLE_SERVICE: return "{PUBLIC}";
    default: return "{}";
    }
}

const char *visibility_name(int v)
{
    return v >= 1 && v <= 3 ? visibility_names[v] : NULL;
}

int visibility_parse(const char *name)
{
    for (int v = 1; v <= 3; v++)
        if (strcmp(name, visibility_names[v]) == 0)
            return v;
    return 0;
}

const char *status_name(int s)
{
    return s >= 1 && s <= 2 ? status_names[s] : NULL;
}

int status_parse(const char *name)
{
    for (int s = 1; s <= 2; s++)
        if (strcmp(name, status_names[s]) == 0)
            return s;
    return 0;
}
