/* directory_check.c: the rules of a directory entry (directory.h), pure so that they are
 * unit-tested (tests/unit/test_directory_check.c): every field bounded, clean text, dates real,
 * addresses and numbers of the shapes the directory promises its readers. */
#include <stdio.h>
#include <string.h>

#include "directory.h"
#include "text.h"
#include "tz.h"

enum { SHORT_MAX = 200, TITLE_MAX = 120 };

bool directory_email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strchr(at + 1, '.') != NULL && strpbrk(s, " <>()\",;") == NULL && strlen(s) <= 254;
}

bool directory_phone_valid(const char *s)
{
    size_t n = strlen(s), digits = 0;
    if (n < 8 || n > 32 || s[0] != '+')
        return false;
    for (size_t i = 1; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] != ' ' && s[i] != '-')
            return false;
    }
    return digits >= 7 && digits <= 15;
}

bool directory_language_valid(const char *s)
{
    size_t primary = strspn(s, "abcdefghijklmnopqrstuvwxyz");
    if (primary < 2 || primary > 3)
        return false;
    for (const char *p = s + primary; *p;) {
        if (*p != '-')
            return false;
        size_t sub = strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (sub < 1 || sub > 8)
            return false;
        p += 1 + sub;
    }
    return true;
}

int catalog_text_check(const char *field, const char *v, size_t max, bool required, bool free_text,
                       struct err *e)
{
    if (required && *v == '\0')
        return err_field(e, field, "is required");
    if (strlen(v) > max)
        return err_field(e, field, "longer than %zu bytes", max);
    if (!text_valid(v, free_text, NULL))
        return err_field(e, field, "not valid UTF-8 without control characters%s",
                         free_text ? " (newline and tab allowed)" : "");
    return 0;
}

static int check_text(const char *field, const char *v, size_t max, bool required, struct err *e)
{
    return catalog_text_check(field, v, max, required, false, e);
}

static int check_date(const char *field, const char *v, struct err *e)
{
    if (*v && !text_date_valid(v))
        return err_field(e, field, "must be a date YYYY-MM-DD or empty, got \"%.16s\"", v);
    return 0;
}

static int check_poc(const PointOfContact *p, struct err *e)
{
    if (check_text("point_of_contact.unit", p->unit, SHORT_MAX, true, e) < 0 ||
        check_text("point_of_contact.email", p->email, SHORT_MAX, true, e) < 0 ||
        check_text("point_of_contact.phone", p->phone, SHORT_MAX, false, e) < 0 ||
        check_text("point_of_contact.secure_channel", p->secure_channel, SHORT_MAX, false, e) < 0 ||
        check_text("point_of_contact.hours", p->hours, SHORT_MAX, false, e) < 0 ||
        check_date("point_of_contact.established_on", p->established_on, e) < 0)
        return -1;
    if (!directory_email_valid(p->email))
        return err_field(e, "point_of_contact.email", "\"%s\" is not an address such as cirt@example.org",
                         p->email);
    if (*p->phone && !directory_phone_valid(p->phone))
        return err_field(e, "point_of_contact.phone", "must be international, such as \"+229 21 30 00 00\"");
    if (*p->hours_time_zone && !tz_name_valid(p->hours_time_zone))
        return err_field(e, "point_of_contact.hours_time_zone",
                         "must be an IANA time zone such as \"Africa/Porto-Novo\", or empty for the State's");
    if (p->n_role_titles > DIRECTORY_LIST_MAX)
        return err_field(e, "point_of_contact.role_titles", "at most %d", DIRECTORY_LIST_MAX);
    for (size_t i = 0; i < p->n_role_titles; i++) {
        char field[64];
        snprintf(field, sizeof field, "point_of_contact.role_titles[%zu]", i);
        if (check_text(field, p->role_titles[i], TITLE_MAX, true, e) < 0)
            return -1;
    }
    if (p->n_languages > DIRECTORY_LIST_MAX)
        return err_field(e, "point_of_contact.languages", "at most %d", DIRECTORY_LIST_MAX);
    for (size_t i = 0; i < p->n_languages; i++) {
        char field[64];
        snprintf(field, sizeof field, "point_of_contact.languages[%zu]", i);
        if (!directory_language_valid(p->languages[i]))
            return err_field(e, field, "\"%.16s\" is not a language tag such as \"fr\" or \"pt-BR\"",
                             p->languages[i]);
    }
    return 0;
}

static int check_cert(const Cert *c, size_t i, struct err *e)
{
    char f[4][40];
    static const char *const names[4] = {"name", "accreditation_date", "website", "contact"};
    for (int k = 0; k < 4; k++)
        snprintf(f[k], sizeof f[k], "certs[%zu].%s", i, names[k]);
    if (check_text(f[0], c->name, SHORT_MAX, true, e) < 0 || check_date(f[1], c->accreditation_date, e) < 0 ||
        check_text(f[2], c->website, SHORT_MAX, false, e) < 0 || check_text(f[3], c->contact, SHORT_MAX, false, e) < 0)
        return -1;
    if (*c->accreditation_date && !c->first_member)
        return err_field(e, f[1], "only a FIRST member is accredited by FIRST: set first_member, or leave the date empty");
    if (*c->website && !text_http_uri_valid(c->website))
        return err_field(e, f[2], "must be an http:// or https:// address");
    if (*c->contact && !directory_email_valid(c->contact))
        return err_field(e, f[3], "\"%s\" is not an address such as cert@example.org", c->contact);
    return 0;
}

int directory_entry_check(const PointOfContact *poc, Cert *const *certs, size_t n_certs,
                          struct err *e)
{
    if (poc == NULL)
        return err_field(e, "point_of_contact", "is required");
    if (check_poc(poc, e) < 0)
        return -1;
    if (n_certs > DIRECTORY_CERTS_MAX)
        return err_field(e, "certs", "at most %d", DIRECTORY_CERTS_MAX);
    for (size_t i = 0; i < n_certs; i++)
        if (check_cert(certs[i], i, e) < 0)
            return -1;
    return 0;
}
