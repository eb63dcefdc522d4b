/* test_page_tokens.c: the one page-token format in the three services that list: a token turns
 * the page, a forged one, one replayed under another filter and one replayed by another key all
 * get INVALID_ARGUMENT naming page_token, and no token shows the id it continues after. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "rpc_clients.h"

static struct harness H;
static char key_ken[64], key_fra[64];

static int setup(void **state)
{
    (void)state;
    if (harness_init(&H, "page_tokens") < 0 || harness_start(&H, SVC_CATALOG, NULL) < 0 ||
        harness_start(&H, SVC_RESPONSES, NULL) < 0 || harness_start(&H, SVC_MATCHING, NULL) < 0 ||
        harness_key(&H, ROLE_STATE, "KEN", key_ken) < 0 || harness_key(&H, ROLE_STATE, "FRA", key_fra) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    harness_destroy(&H);
    return 0;
}

/* A token with one character changed, as a client tampering with it would make. */
static void forge(const char *token, char *out, size_t size)
{
    snprintf(out, size, "%s", token);
    size_t mid = strlen(out) / 2;
    out[mid] = out[mid] == 'A' ? 'B' : 'A';
}

/* The call (its status `code` and message `msg`) was refused as a bad page_token, and says so. */
static void expect_bad_token(int code, const char *msg)
{
    assert_int_equal(code, ERR_INVALID_ARGUMENT);
    assert_int_equal(strncmp(msg, "page_token: ", 12), 0);
}

static void test_catalog_refuses_forged_and_replayed_tokens(void **state)
{
    (void)state;
    char msg[512];
    Unic__Catalog__V1__ListQuestionnairesRequest req =
        UNIC__CATALOG__V1__LIST_QUESTIONNAIRES_REQUEST__INIT;
    Unic__Catalog__V1__ListQuestionnairesResponse *page = NULL;
    req.page_size = 1;
    assert_int_equal(catalog_list_questionnaires(&H, key_ken, &req, &page, NULL, 0), ERR_OK);
    assert_int_equal(page->n_questionnaires, 1);
    assert_string_not_equal(page->next_page_token, "");
    assert_null(strstr(page->next_page_token, page->questionnaires[0]->id));
    char token[300], forged[300];
    snprintf(token, sizeof token, "%s", page->next_page_token);
    harness_free(page);

    /* The token turns the page for the key it was given to. */
    req.page_token = token;
    assert_int_equal(catalog_list_questionnaires(&H, key_ken, &req, &page, NULL, 0), ERR_OK);
    assert_int_equal(page->n_questionnaires, 1);
    harness_free(page);
    forge(token, forged, sizeof forged);
    req.page_token = forged;
    expect_bad_token(catalog_list_questionnaires(&H, key_ken, &req, NULL, msg, sizeof msg), msg);
    req.page_token = token; /* another key */
    expect_bad_token(catalog_list_questionnaires(&H, key_fra, &req, NULL, msg, sizeof msg), msg);
    req.page_token = "cip-self-assessment"; /* a raw id */
    expect_bad_token(catalog_list_questionnaires(&H, key_ken, &req, NULL, msg, sizeof msg), msg);
}

static void create_assessment(int cycle, const char *qid)
{
    Unic__Responses__V1__CreateAssessmentRequest r = UNIC__RESPONSES__V1__CREATE_ASSESSMENT_REQUEST__INIT;
    char msg[512];
    r.state_code = "KEN";
    r.cycle = cycle;
    r.questionnaire_id = (char *)qid;
    int code = responses_create_assessment(&H, key_ken, &r, NULL, msg, sizeof msg);
    if (code != ERR_OK)
        print_message("CreateAssessment: %d %s\n", code, msg);
    assert_int_equal(code, ERR_OK);
}

static void test_responses_refuses_forged_and_replayed_tokens(void **state)
{
    (void)state;
    char msg[512];
    create_assessment(2023, "cip-self-assessment");
    create_assessment(2024, "cip-self-assessment");
    Unic__Responses__V1__ListAssessmentsRequest req = UNIC__RESPONSES__V1__LIST_ASSESSMENTS_REQUEST__INIT;
    Unic__Responses__V1__ListAssessmentsResponse *page = NULL;
    req.state_code = "KEN";
    req.page_size = 1;
    assert_int_equal(responses_list_assessments(&H, key_ken, &req, &page, NULL, 0), ERR_OK);
    assert_int_equal(page->n_assessments, 1);
    assert_string_not_equal(page->next_page_token, "");
    assert_null(strstr(page->next_page_token, "KEN"));
    char token[300], forged[300];
    snprintf(token, sizeof token, "%s", page->next_page_token);
    harness_free(page);

    req.page_token = token;
    assert_int_equal(responses_list_assessments(&H, key_ken, &req, &page, NULL, 0), ERR_OK);
    assert_int_equal(page->n_assessments, 1);
    harness_free(page);
    forge(token, forged, sizeof forged);
    req.page_token = forged;
    expect_bad_token(responses_list_assessments(&H, key_ken, &req, NULL, msg, sizeof msg), msg);
    req.page_token = token;
    req.cycle = 2024; /* another filter */
    expect_bad_token(responses_list_assessments(&H, key_ken, &req, NULL, msg, sizeof msg), msg);
    req.cycle = 0;
    /* another key */
    expect_bad_token(responses_list_assessments(&H, key_fra, &req, NULL, msg, sizeof msg), msg);
    req.page_token = "KEN-2023-cip-self-assessment"; /* the raw id the old tokens were */
    expect_bad_token(responses_list_assessments(&H, key_ken, &req, NULL, msg, sizeof msg), msg);
}

static void create_offer(void)
{
    static char *topics[] = {"cip"}, *en[] = {"en"};
    Unic__Matching__V1__Offer o = UNIC__MATCHING__V1__OFFER__INIT;
    Unic__Matching__V1__CreateOfferRequest req = UNIC__MATCHING__V1__CREATE_OFFER_REQUEST__INIT;
    char msg[512];
    o.kind = UNIC__COMMON__V1__SUPPORT_KIND__TRAINING;
    o.topics = topics;
    o.n_topics = 1;
    o.capacity = 5;
    o.languages = en;
    o.n_languages = 1;
    o.title = "Training seats";
    req.offer = &o;
    int code = matching_create_offer(&H, key_fra, &req, NULL, msg, sizeof msg);
    if (code != ERR_OK)
        print_message("CreateOffer: %d %s\n", code, msg);
    assert_int_equal(code, ERR_OK);
}

static void test_matching_refuses_forged_and_replayed_tokens(void **state)
{
    (void)state;
    char msg[512];
    create_offer();
    create_offer();
    Unic__Matching__V1__ListOffersRequest req = UNIC__MATCHING__V1__LIST_OFFERS_REQUEST__INIT;
    Unic__Matching__V1__ListOffersResponse *page = NULL;
    req.donor_state = "FRA";
    req.page_size = 1;
    assert_int_equal(matching_list_offers(&H, key_fra, &req, &page, NULL, 0), ERR_OK);
    assert_int_equal(page->n_offers, 1);
    assert_string_not_equal(page->next_page_token, "");
    char token[300], forged[300];
    snprintf(token, sizeof token, "%s", page->next_page_token);
    assert_true(strspn(token, "0123456789") < 3); /* no longer a sequence number */
    harness_free(page);

    req.page_token = token;
    assert_int_equal(matching_list_offers(&H, key_fra, &req, &page, NULL, 0), ERR_OK);
    assert_int_equal(page->n_offers, 1);
    harness_free(page);
    forge(token, forged, sizeof forged);
    req.page_token = forged;
    expect_bad_token(matching_list_offers(&H, key_fra, &req, NULL, msg, sizeof msg), msg);
    req.page_token = token;
    req.donor_state = ""; /* another filter */
    expect_bad_token(matching_list_offers(&H, key_fra, &req, NULL, msg, sizeof msg), msg);
    req.donor_state = "FRA";
    /* another key */
    expect_bad_token(matching_list_offers(&H, key_ken, &req, NULL, msg, sizeof msg), msg);
    req.page_token = "1"; /* a raw sequence number, as the old tokens were */
    expect_bad_token(matching_list_offers(&H, key_fra, &req, NULL, msg, sizeof msg), msg);
    /* A token of another list is no token of this one. */
    Unic__Matching__V1__ListRequestsRequest other = UNIC__MATCHING__V1__LIST_REQUESTS_REQUEST__INIT;
    other.page_token = token;
    expect_bad_token(matching_list_requests(&H, key_fra, &other, NULL, msg, sizeof msg), msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_refuses_forged_and_replayed_tokens),
        cmocka_unit_test(test_responses_refuses_forged_and_replayed_tokens),
        cmocka_unit_test(test_matching_refuses_forged_and_replayed_tokens),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
