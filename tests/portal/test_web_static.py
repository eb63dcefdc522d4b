"""test_web_static: the portal's files as files, no browser needed: every interface string in the
six official languages (the same keys, the same {placeholders}), every key the code asks for
present, one stylesheet that lays Arabic out right to left by logical properties only, and
nothing the Content-Security-Policy forbids (inline script or style, other origins)."""
import glob
import json
import os
import re
import unittest

SOURCE = os.environ.get("UNIC_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
WEB = os.path.join(SOURCE, "web")
LANGS = ["ar", "zh", "en", "fr", "ru", "es"]
PLACEHOLDER = re.compile(r"\{([a-z0-9]+)\}")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def messages():
    return {lang: json.loads(read(os.path.join(WEB, "messages", lang + ".json"))) for lang in LANGS}


def scripts():
    return {p: read(p) for p in glob.glob(os.path.join(WEB, "js", "**", "*.js"), recursive=True)}


class Messages(unittest.TestCase):
    def test_every_language_has_every_key(self):
        msgs = messages()
        keys = set().union(*(m.keys() for m in msgs.values()))
        for lang, m in msgs.items():
            self.assertEqual(sorted(keys - m.keys()), [], "keys missing in messages/%s.json" % lang)

    def test_placeholders_are_the_same_in_every_language(self):
        msgs = messages()
        for key, text in msgs["en"].items():
            want = sorted(PLACEHOLDER.findall(text))
            for lang in LANGS:
                self.assertEqual(sorted(PLACEHOLDER.findall(msgs[lang][key])), want, "%s in %s" % (key, lang))

    def test_texts_are_translated(self):
        # Empty only where English is empty too (the unit of an unknown kind of support).
        msgs = messages()
        for lang in LANGS:
            for key, text in msgs[lang].items():
                self.assertTrue(text.strip() or not msgs["en"][key], "%s is empty in %s" % (key, lang))

    def test_every_key_the_code_names_exists(self):
        en = messages()["en"]
        used = set()
        for path, text in scripts().items():
            used |= set(re.findall(r"\bt\('([a-zA-Z0-9_.]*[a-zA-Z0-9_])'", text))
            used |= set(re.findall(r"'(nav\.[a-z]+)'", text))  # the router's menu labels
        self.assertGreater(len(used), 100)
        self.assertEqual(sorted(used - en.keys()), [])

    def test_a_missing_key_would_be_caught(self):
        # The completeness check above compares key sets: drop one key and it must differ.
        msgs = messages()
        fr = dict(msgs["fr"])
        fr.pop("signin.title")
        self.assertNotEqual(set(fr), set(msgs["en"]))

    def test_every_compliance_note_code_has_its_message(self):
        # The codes the scoring service gives its notes (services/scoring/compliance.c's table, the
        # directory's in card.c): the portal says each in the reader's language ("cnote.<code>").
        scoring = os.path.join(SOURCE, "services", "scoring")
        codes = set(re.findall(r'\{\s*"([a-z][a-z0-9-]*)",\s*"', read(os.path.join(scoring, "compliance.c"))))
        codes |= set(re.findall(r'"(directory-[a-z]+)", \{', read(os.path.join(scoring, "card.c"))))
        self.assertGreater(len(codes), 25)
        en = messages()["en"]
        self.assertEqual(sorted(c for c in codes if "cnote." + c not in en), [])
        # and each message has a placeholder per argument the directory's notes carry
        self.assertIn("{1}", en["cnote.directory-designated"])

    def test_every_audit_summary_code_has_its_message(self):
        # The codes of the audit log's summaries (common/audit.c's table, with their English
        # forms): the keys screen says each in the reader's language ("audit.<code>"), every
        # argument of the English form in every language, and names no code the table lacks.
        table = re.findall(r'\{"([a-z][a-z0-9-]*)",\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\}',
                           read(os.path.join(SOURCE, "common", "audit.c")))
        forms = {code: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', text)) for code, text in table}
        self.assertGreater(len(forms), 30)
        self.assertIn("{6}", forms["membership-recorded"])
        args = lambda s: sorted(set(re.findall(r"\{(\d+)\}", s)))
        for lang, msgs in messages().items():
            missing = [c for c in forms if "audit." + c not in msgs]
            self.assertEqual(missing, [], lang)
            wrong = [c for c in forms if args(msgs["audit." + c]) != args(forms[c])]
            self.assertEqual(wrong, [], lang)
            for side in ("DONOR", "RECIPIENT", "BOTH"):
                self.assertIn("audit.side." + side, msgs)
        keys_js = read(os.path.join(WEB, "js", "views", "keys.js"))
        block = re.search(r"const AUDIT_ARGS = \{(.*?)\n\};", keys_js, re.S).group(1)
        named = set(re.findall(r"'([a-z]+(?:-[a-z]+)+)': ", block))
        self.assertGreater(len(named), 15)
        self.assertEqual(sorted(named - set(forms)), [])
        # the matching service builds its item codes as "<what>-<done>"
        for what, done in (("offer", "created"), ("offer", "updated"), ("offer", "withdrawn"),
                           ("request", "created"), ("request", "withdrawn")):
            self.assertIn(what + "-" + done, forms)

    def test_every_impact_reason_code_has_its_message(self):
        # Why an impact case is not measured (services/matching/impact.c's why_coded calls): the
        # impact screen says it in the reader's language ("imp.why.<code>").
        codes = set(re.findall(r'why_coded\(a, c, "([a-z-]+)"', read(os.path.join(SOURCE, "services", "matching", "impact.c"))))
        self.assertEqual(len(codes), 3)
        for lang, msgs in messages().items():
            self.assertEqual(sorted(c for c in codes if "imp.why." + c not in msgs), [], lang)
            self.assertIn("{1}", msgs["imp.why.unanswered"])

    def test_every_due_title_topic_and_region_has_its_name(self):
        # The codes of the due list's titles (services/scoring/due.c), the catalog's topic ids
        # (services/catalog/sql/002_topics.sql) and the M49 regions of the Member States
        # (data/un_member_states.tsv): each has its words in every language, so that no sentence
        # of the portal carries an English name or a bare id.
        # (the dashboard says a reachability round in the kind's own words, without its title)
        due = set(re.findall(r'"([a-z]+(?:-[a-z]+)*)", (?:&|NULL, 0|in->matches)',
                             read(os.path.join(SOURCE, "services", "scoring", "due.c")))) - {"reachability"}
        self.assertEqual(due, {"compliance-duty", "annual-report", "match-answer"})
        topics = set(re.findall(r"^    \('([a-z-]+)', \d+,", read(os.path.join(SOURCE, "services", "catalog", "sql",
                                                                          "002_topics.sql")), re.M))
        self.assertEqual(len(topics), 12)
        rows = [line.split("\t") for line in read(os.path.join(SOURCE, "data", "un_member_states.tsv")).splitlines()[1:]]
        regions = {r for row in rows for r in row[3:6] if r}
        self.assertGreater(len(regions), 25)
        slug = lambda s: re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
        for lang, msgs in messages().items():
            self.assertEqual(sorted(c for c in due if "due.title." + c not in msgs), [], lang)
            self.assertEqual(sorted(x for x in topics if "topic." + x not in msgs), [], lang)
            self.assertEqual(sorted(r for r in regions if "region." + slug(r) not in msgs), [], lang)
            self.assertIn("{4}", msgs["due.title.match-answer"])

    def test_every_quantity_has_each_plural_form(self):
        # views/match.js's unit(): "qty.<kind>.<form>" for the form Intl.PluralRules gives the
        # number, whichever of the six it is, in every language; each with the number in it.
        for lang, msgs in messages().items():
            for kind in ("EXPERTISE", "FUNDS", "EQUIPMENT", "TRAINING"):
                for form in ("zero", "one", "two", "few", "many", "other"):
                    self.assertIn("{n}", msgs.get("qty.%s.%s" % (kind, form), ""), (lang, kind, form))
        self.assertNotEqual(messages()["ru"]["qty.TRAINING.one"], messages()["ru"]["qty.TRAINING.many"])
        self.assertEqual(len({messages()["ar"]["qty.TRAINING." + f] for f in ("one", "two", "few", "many")}), 4)

    def test_enum_families_are_complete(self):
        # Values the server sends and the code turns into keys ('enum.' + kind + '.' + value).
        en = messages()["en"]
        families = {
            "status": ["DRAFT", "SUBMITTED"], "visibility": ["PRIVATE", "UNIC", "PUBLIC"],
            "kind": ["EXPERTISE", "FUNDS", "EQUIPMENT", "TRAINING"],
            "outcome": ["DELIVERED", "RETRY", "DEAD"],
            "compliance": ["MET", "MET_LATE", "OPEN", "OVERDUE", "UNKNOWN", "NOT_APPLICABLE"],
            "match": ["PROPOSED", "OFFERED", "ACCEPTED", "DECLINED", "SUPERSEDED", "IN_DELIVERY", "DELIVERED", "COMPLETED",
                      "CANCELLED"],
            "offer": ["OFFER_OPEN", "OFFER_WITHDRAWN", "OFFER_EXHAUSTED"],
            "request": ["REQUEST_OPEN", "REQUEST_WITHDRAWN", "REQUEST_FULFILLED"],
            "plan": ["PLAN_PROPOSED", "PLAN_COMMITTED"],
        }
        for family, values in families.items():
            for v in values + ["UNSPECIFIED"]:
                self.assertIn("enum.%s.%s" % (family, v), en)
        # The steps of a match's life (views/match.js names their keys from the step).
        for prefix in ("match.step", "match.dlg", "match.go", "match.intro"):
            for step in ["ACCEPT", "DECLINE", "IN_DELIVERY", "DELIVERED", "COMPLETED", "CANCELLED"]:
                self.assertIn("%s.%s" % (prefix, step), en)
        for code in ["invalid_argument", "not_found", "already_exists", "permission_denied", "failed_precondition",
                     "aborted", "unauthenticated", "unavailable", "resource_exhausted", "deadline_exceeded",
                     "internal", "unimplemented"]:
            self.assertIn("error." + code, en)


class Layout(unittest.TestCase):
    def test_stylesheet_uses_logical_properties_only(self):
        css = re.sub(r"/\*.*?\*/", "", read(os.path.join(WEB, "app.css")), flags=re.S)
        physical = re.findall(r"(?:margin|padding|border)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:|"
                              r"text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)", css)
        self.assertEqual(physical, [])

    def test_html_has_no_inline_script_or_style(self):
        for path in glob.glob(os.path.join(WEB, "**", "*.html"), recursive=True):
            html = read(path)
            for tag in re.findall(r"<script\b[^>]*>", html):
                self.assertRegex(tag, r'\bsrc="/', path)
                self.assertIn('type="module"', tag, path)
            self.assertNotRegex(html, r"<style\b|\sstyle=|\son[a-z]+=", path)
            self.assertNotRegex(html, r'(?:src|href)="(?:https?:)?//', path)

    def test_scripts_build_the_page_without_html_strings(self):
        for path, text in scripts().items():
            self.assertNotRegex(text, r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function",
                                path)
            self.assertNotRegex(text, r"setAttribute\('style'|from '(?:https?:)?//|import\('(?:https?:)?//", path)

    def test_the_key_is_never_put_in_local_storage_or_a_url(self):
        api = read(os.path.join(WEB, "js", "api.js"))
        self.assertIn("sessionStorage.setItem(KEY_SLOT", api)
        for path, text in scripts().items():
            self.assertNotRegex(text, r"localStorage\.setItem\((?!SLOT)", path)


if __name__ == "__main__":
    unittest.main(verbosity=2)
