/* test_directory_check.c: the rules of a directory entry (services/catalog/directory_check.c):
 * a good entry passes, and each bad field is INVALID_ARGUMENT naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "directory.h"

static char *titles[] = {"Head of incident coordination"};
static char *langs[] = {"fr", "en"};

static PointOfContact good_poc(void)
{
    PointOfContact p = UNIC__CATALOG__V1__POINT_OF_CONTACT__INIT;
    p.unit = "ANSSI Benin, bjCSIRT desk";
    p.n_role_titles = 1;
    p.role_titles = titles;
    p.email = "contact@csirt.example.bj";
    p.phone = "+229 21 30 00 00";
    p.secure_channel = "PGP 0123 4567 89AB CDEF";
    p.n_languages = 2;
    p.languages = langs;
    p.hours = "Mon-Fri 08:00-17:30";
    p.hours_time_zone = "Africa/Porto-Novo";
    p.established_on = "2014-06-30";
    return p;
}

static Cert good_cert(void)
{
    Cert c = UNIC__CATALOG__V1__CERT__INIT;
    c.name = "bjCSIRT";
    c.first_member = true;
    c.accreditation_date = "2014-11-20";
    c.website = "https://csirt.example.bj";
    c.contact = "cert@csirt.example.bj";
    return c;
}

/* The field named by a failing check, "" when it passed. */
static const char *failing(const PointOfContact *p, const Cert *c)
{
    static struct err e;
    Cert *certs[1] = {(Cert *)c};
    memset(&e, 0, sizeof e);
    if (directory_entry_check(p, certs, c ? 1 : 0, &e) == 0)
        return "";
    assert_int_equal(e.code, ERR_INVALID_ARGUMENT);
    char *colon = strchr(e.msg, ':');
    assert_non_null(colon);
    *colon = '\0';
    return e.msg;
}

static void test_good_entry_passes(void **state)
{
    (void)state;
    PointOfContact p = good_poc();
    Cert c = good_cert();
    assert_string_equal(failing(&p, &c), "");
    assert_string_equal(failing(&p, NULL), "");
}

static void test_each_bad_field_is_named(void **state)
{
    (void)state;
    PointOfContact p = good_poc();
    Cert c = good_cert();
    assert_string_equal(failing(NULL, NULL), "point_of_contact");
    p.unit = "";
    assert_string_equal(failing(&p, &c), "point_of_contact.unit");
    p = good_poc();
    p.email = "not an address";
    assert_string_equal(failing(&p, &c), "point_of_contact.email");
    p = good_poc();
    p.phone = "21300000";
    assert_string_equal(failing(&p, &c), "point_of_contact.phone");
    p = good_poc();
    p.established_on = "2014-02-30";
    assert_string_equal(failing(&p, &c), "point_of_contact.established_on");
    p = good_poc();
    p.hours_time_zone = "../etc/passwd";
    assert_string_equal(failing(&p, &c), "point_of_contact.hours_time_zone");
    p = good_poc();
    char *bad_lang[] = {"fr", "French"};
    p.languages = bad_lang;
    assert_string_equal(failing(&p, &c), "point_of_contact.languages[1]");
    p = good_poc();
    char *bad_title[] = {"line\x01"};
    p.role_titles = bad_title;
    assert_string_equal(failing(&p, &c), "point_of_contact.role_titles[0]");
}

static void test_cert_rules(void **state)
{
    (void)state;
    PointOfContact p = good_poc();
    Cert c = good_cert();
    c.first_member = false; /* an accreditation date without FIRST membership */
    assert_string_equal(failing(&p, &c), "certs[0].accreditation_date");
    c.accreditation_date = "";
    assert_string_equal(failing(&p, &c), "");
    c.website = "ftp://csirt.example.bj";
    assert_string_equal(failing(&p, &c), "certs[0].website");
    c = good_cert();
    c.name = "";
    assert_string_equal(failing(&p, &c), "certs[0].name");
    c = good_cert();
    c.contact = "cert@";
    assert_string_equal(failing(&p, &c), "certs[0].contact");
}

static void test_shapes(void **state)
{
    (void)state;
    assert_true(directory_language_valid("pt-BR"));
    assert_true(directory_language_valid("zh-Hans-CN"));
    assert_false(directory_language_valid("f"));
    assert_false(directory_language_valid("fr-"));
    assert_true(directory_phone_valid("+22921300000"));
    assert_false(directory_phone_valid("+229 21 3O 00 00"));
    assert_true(directory_email_valid("a.b@example.org"));
    assert_false(directory_email_valid("a@b@example.org"));
    assert_false(directory_email_valid("a@localhost"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_entry_passes),
        cmocka_unit_test(test_each_bad_field_is_named),
        cmocka_unit_test(test_cert_rules),
        cmocka_unit_test(test_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
