"""test_reports_python: the documents and files of issue 13, through the real services, read back
with tools not written by us: the scorecard and compliance reports read by pdftotext and drawn by
pdftoppm (poppler-utils), the SVG checked by xmllint, the XLSX export filled in by openpyxl and
imported back, and the open data of a cycle, which must hold PUBLIC scorecards only."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402
import openpyxl  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/responses/v1/responses.proto",
                   "unic/scoring/v1/scoring.proto")
from unic.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402
from unic.common.v1 import common_pb2  # noqa: E402
from unic.responses.v1 import responses_pb2 as rpb, responses_pb2_grpc  # noqa: E402
from unic.scoring.v1 import scoring_pb2 as spb, scoring_pb2_grpc  # noqa: E402

QUESTIONS = ["q%d" % i for i in range(1, 19)]  # cip-self-assessment v1
TMP = tempfile.mkdtemp(prefix="unic-reports-")


def words(text):
    """Text with every run of white space as one space, as pdftotext may break lines anywhere."""
    return " ".join(text.split())


LAM_ALEF = re.compile("\u0644([\u0627\u0623\u0625\u0622])")


def arabic_skeleton(text):
    """Arabic text without what pdftotext adds: spaces inside words and directional marks."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and c not in "\u202a\u202b\u202c\u202d\u202e")


def arabic_as_extracted(text):
    """Source text as pdftotext gives it back: pdftotext extracts a lam-alef ligature (one glyph)
    as its alef then its lam, so the source's lam-alef pairs are turned the same way. Every other
    letter is compared as it is, in order."""
    return LAM_ALEF.sub("\\1\u0644", arabic_skeleton(text))


def pdftotext(data, name):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], check=True,
                          capture_output=True).stdout.decode("utf-8")


def page1_dark_share(data, name):
    """Share of page 1's pixels that are not near white, drawn by pdftoppm as a grey PGM."""
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-gray", path, path],
                   check=True)
    pgm = [p for p in os.listdir(TMP) if p.startswith(name + "-") and p.endswith(".pgm")][0]
    with open(os.path.join(TMP, pgm), "rb") as f:
        raw = f.read()
    header = raw.split(b"\n", 3)  # P5, width height, maxval, pixels
    width, height = map(int, header[1].split())
    pixels = header[3][:width * height]
    return sum(1 for p in pixels if p < 200) / float(width * height)


class ReportsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("reports_python")
        for service in ("catalog", "responses", "scoring"):
            cls.stack.start(service)
        cls.stack.start_gateway()
        cls.keys = {code: lib.metadata(cls.stack.key("STATE", code))
                    for code in ("KEN", "FRA", "DEU", "SWE")}
        cls.operator = lib.metadata(cls.stack.operator_key)
        cls.responses = responses_pb2_grpc.ResponseServiceStub(
            grpc.insecure_channel(cls.stack.addr("responses")))
        cls.scoring = scoring_pb2_grpc.ScoringServiceStub(
            grpc.insecure_channel(cls.stack.addr("scoring")))
        cls.catalog = catalog_pb2_grpc.CatalogServiceStub(
            grpc.insecure_channel(cls.stack.addr("catalog")))
        # KEN: 2024 and 2025 submitted (2025 PUBLIC, with gaps), FRA 2025 PRIVATE, DEU 2025 UNIC.
        cls.ken24 = cls.assessment("KEN", 2024, [2] * 18, submit=True)
        cls.ken25 = cls.assessment("KEN", 2025, [3, 4, 2, 5, 1, 1, 1, 3, 3, 2, 2, 2, 3, 3, 3, 3, 3, 0],
                                   submit=True, visibility=common_pb2.PUBLIC, targets={"q5": 4})
        cls.fra25 = cls.assessment("FRA", 2025, [4] * 18, submit=True)
        cls.deu25 = cls.assessment("DEU", 2025, [5] * 18, submit=True, visibility=common_pb2.UNIC)
        cls.swe25 = cls.assessment("SWE", 2025, [1] * 18, submit=True, visibility=common_pb2.PUBLIC)

    @classmethod
    def tearDownClass(cls):
        for service in ("gateway", "scoring", "responses", "catalog"):
            code = cls.stack.stop(service)
            assert code == 0, "%s exited %d" % (service, code)
        cls.stack.close()
        if not os.environ.get("UNIC_KEEP_DOCUMENTS"):  # set it to look at what was rendered
            shutil.rmtree(TMP)

    @classmethod
    def assessment(cls, state, cycle, levels, submit=False, visibility=None, targets=None,
                   questionnaire="cip-self-assessment"):
        md = cls.keys[state]
        a = cls.responses.CreateAssessment(rpb.CreateAssessmentRequest(
            state_code=state, cycle=cycle, questionnaire_id=questionnaire), timeout=10, metadata=md)
        if levels:
            answers = []
            for q, level in zip(QUESTIONS, levels):
                ans = rpb.Answer(question_id=q, level=level)
                if targets and q in targets:
                    ans.target_level = targets[q]
                answers.append(ans)
            answers[0].evidence.add(uri="https://example.org/%s-strategy.pdf" % state,
                                    title="National strategy")
            a = cls.responses.SaveAnswers(rpb.SaveAnswersRequest(
                assessment_id=a.id, etag=a.etag, answers=answers), timeout=10, metadata=md)
        if submit:
            a = cls.responses.SubmitAssessment(rpb.SubmitAssessmentRequest(
                assessment_id=a.id, etag=a.etag), timeout=10, metadata=md)
        if visibility:
            a = cls.responses.SetVisibility(rpb.SetVisibilityRequest(
                assessment_id=a.id, etag=a.etag, visibility=visibility), timeout=10, metadata=md)
        return a

    def expect(self, code, call, request, md):
        with self.assertRaises(grpc.RpcError) as ctx:
            call(request, timeout=20, metadata=md)
        self.assertEqual(ctx.exception.code(), code, ctx.exception.details())
        return ctx.exception.details()

    # ---- the scorecard ----

    def test_scorecard_pdf_in_english_french_arabic_says_what_the_scorecard_says(self):
        md = self.keys["KEN"]
        card = self.scoring.GetScorecard(spb.GetScorecardRequest(state_code="KEN", cycle=2025),
                                         timeout=20, metadata=md)
        self.assertTrue(card.gaps, "the fixture has gaps")
        name = [s.name for s in self.catalog.ListStates(catalog_pb2.ListStatesRequest(),
                                                          timeout=10, metadata=md).states
                if s.code == "KEN"][0]
        for locale in ("en", "fr", "ar"):
            doc = self.scoring.RenderScorecard(spb.RenderScorecardRequest(
                state_code="KEN", cycle=2025, locale=locale, format=spb.PDF),
                timeout=30, metadata=md)
            self.assertEqual(doc.content_type, "application/pdf")
            self.assertEqual(doc.filename, "KEN-2025-scorecard-%s.pdf" % locale)
            text = words(pdftotext(doc.bytes, "card-%s.pdf" % locale))
            self.assertIn(name, text, locale)
            self.assertIn("%.2f" % card.overall_index, text, locale)
            # The section titles as the catalog serves them in this locale.
            q = self.catalog.GetQuestionnaire(catalog_pb2.GetQuestionnaireRequest(
                questionnaire_id="cip-self-assessment", version=1, locale=locale),
                timeout=10, metadata=md)
            for section in q.sections:
                if locale == "ar":
                    self.assertIn(arabic_as_extracted(section.title), arabic_skeleton(text),
                                  section.title)
                else:
                    self.assertIn(words(section.title), text, "%s: %s" % (locale, section.title))
            for gap in card.gaps:
                self.assertRegex(text, r"\b%s\b" % gap.question_id, locale)
            self.assertGreater(page1_dark_share(doc.bytes, "card-%s.pdf" % locale), 0.01, locale)
        self.assertIn("Tableau de bord des capacités de cybersécurité",
                      words(pdftotext(self.scoring.RenderScorecard(spb.RenderScorecardRequest(
                          state_code="KEN", cycle=2025, locale="fr"), timeout=30,
                          metadata=md).bytes, "card-fr2.pdf")))

    def test_scorecard_svg_is_valid_xml_with_seven_axes(self):
        doc = self.scoring.RenderScorecard(spb.RenderScorecardRequest(
            assessment_id=self.ken25.id, locale="ar", format=spb.SVG), timeout=30,
            metadata=self.keys["KEN"])
        self.assertEqual(doc.content_type, "image/svg+xml")
        path = os.path.join(TMP, "card.svg")
        with open(path, "wb") as f:
            f.write(doc.bytes)
        subprocess.run(["xmllint", "--noout", path], check=True)
        count = subprocess.run(
            ["xmllint", "--xpath", "count(//*[local-name()='line'][@class='axis'])", path],
            check=True, capture_output=True).stdout.decode().strip()
        self.assertEqual(count, "7")

    def test_scorecard_is_rendered_for_those_who_may_read_it_only(self):
        req = spb.RenderScorecardRequest(state_code="FRA", cycle=2025)  # PRIVATE
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.scoring.RenderScorecard, req,
                    self.keys["KEN"])
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.scoring.RenderScorecard, req,
                    self.operator)
        self.assertTrue(self.scoring.RenderScorecard(req, timeout=30, metadata=self.keys["FRA"]).bytes)
        # PUBLIC: anyone with a key.
        self.assertTrue(self.scoring.RenderScorecard(spb.RenderScorecardRequest(
            state_code="KEN", cycle=2025), timeout=30, metadata=self.keys["FRA"]).bytes)
        details = self.expect(grpc.StatusCode.INVALID_ARGUMENT, self.scoring.RenderScorecard,
                              spb.RenderScorecardRequest(state_code="KEN", cycle=2025,
                                                         locale="de"), self.keys["KEN"])
        self.assertIn("ar, zh, en, fr, ru, es", details)

    def test_readme_curl_downloads_the_scorecard_pdf_through_the_gateway(self):
        """The README's command, as written, but for this test's gateway address and key file."""
        readme = open(os.path.join(lib.SOURCE, "README.md"), encoding="utf-8").read()
        block = readme.split("A State's scorecard as a PDF file, with one curl", 1)[1]
        command = "\n".join(line[4:] for line in block.split("\n\n", 2)[1].split("\n"))
        self.assertIn("curl -G", command)
        command = command.replace("http://127.0.0.1:8080", self.stack.gateway_url())
        work = os.path.join(TMP, "readme")
        os.makedirs(os.path.join(work, ".local", "stack"))
        with open(os.path.join(work, ".local", "stack", "bootstrap.key"), "w") as f:
            f.write(self.stack.operator_key + "\n")
        subprocess.run(["bash", "-c", command], cwd=work, check=True)
        with open(os.path.join(work, "KEN-2025-scorecard-fr.pdf"), "rb") as f:
            data = f.read()
        self.assertEqual(data[:5], b"%PDF-")
        self.assertIn("Tableau de bord des capacités de cybersécurité",
                      words(pdftotext(data, "readme-fr.pdf")))
        # A reply that is no file is not downloaded; a write is never a GET.
        bad = subprocess.run(
            ["curl", "-sG", "-o", "/dev/null", "-w", "%{http_code}", "-H",
             "Authorization: Bearer " + self.stack.operator_key, "--data-urlencode",
             "encoding=json", "--data-urlencode", "download=1", "--data-urlencode",
             'message={"stateCode": "KEN", "cycle": 2025}',
             self.stack.gateway_url() + "/unic.scoring.v1.ScoringService/GetScorecard"],
            capture_output=True, check=True).stdout.decode()
        self.assertEqual(bad, "400")

    # ---- the compliance report ----

    def test_compliance_report_statuses_equal_get_compliance_report(self):
        md = self.keys["KEN"]
        form = self.responses.CreateAssessment(rpb.CreateAssessmentRequest(
            state_code="KEN", cycle=2025, questionnaire_id="unic-compliance"), timeout=10,
            metadata=md)
        answers = [
            rpb.Answer(question_id="para4a", yes=True, date="2015-06-01",
                       narrative="A national cybersecurity authority was designated by decree."),
            rpb.Answer(question_id="para4b", yes=False),
            rpb.Answer(question_id="para5a", yes=True, date="2019-03-01"),
            rpb.Answer(question_id="para6-cert", yes=True, date="2016-02-01"),
            rpb.Answer(question_id="para8-report", yes=True, date="2025-12-15"),
        ]
        # Every duty needs an answer before the checklist can be submitted.
        answers += [rpb.Answer(question_id=q, yes=False)
                    for q in ("para5b", "para5c", "para5d", "para5e", "para6-poc",
                              "para9-assistance")]
        answers[0].evidence.add(uri="https://example.go.ke/decree.pdf", title="Decree")
        form = self.responses.SaveAnswers(rpb.SaveAnswersRequest(
            assessment_id=form.id, etag=form.etag, answers=answers), timeout=10, metadata=md)
        self.responses.SubmitAssessment(rpb.SubmitAssessmentRequest(
            assessment_id=form.id, etag=form.etag), timeout=10, metadata=md)
        as_of = "2026-06-30"
        report = self.scoring.GetComplianceReport(spb.GetComplianceReportRequest(
            state_code="KEN", as_of=as_of), timeout=20, metadata=md)
        names = {spb.MET: "Met", spb.MET_LATE: "Met late", spb.OPEN: "Open",
                 spb.OVERDUE: "Overdue", spb.UNKNOWN: "Unknown",
                 spb.NOT_APPLICABLE: "Not applicable"}
        want = [(item.paragraph, names[item.status]) for item in report.items]
        self.assertGreater(len(set(s for _, s in want)), 1, "the fixture mixes statuses")
        doc = self.scoring.RenderComplianceReport(spb.RenderComplianceReportRequest(
            state_code="KEN", as_of=as_of, locale="en"), timeout=30, metadata=md)
        self.assertEqual(doc.filename, "KEN-2026-compliance-report-en.pdf")
        text = pdftotext(doc.bytes, "compliance-en.pdf")
        got = re.findall(r"Paragraph (\S+) — (Met late|Met|Open|Overdue|Unknown|Not applicable)",
                         text)
        self.assertEqual(got, want)
        flat = words(text)
        self.assertIn("Report of Kenya on its compliance with resolution #1, 2026", flat)
        self.assertIn("Status as of 2026-06-30", flat)
        self.assertIn("https://example.go.ke/decree.pdf", flat)
        self.assertIn("designated by decree", flat)
        fr = words(pdftotext(self.scoring.RenderComplianceReport(
            spb.RenderComplianceReportRequest(state_code="KEN", as_of=as_of, locale="fr"),
            timeout=30, metadata=md).bytes, "compliance-fr.pdf"))
        self.assertIn("Rapport de Kenya sur le respect de la résolution n° 1, 2026", fr)
        ar = self.scoring.RenderComplianceReport(spb.RenderComplianceReportRequest(
            state_code="KEN", as_of=as_of, locale="ar"), timeout=30, metadata=md)
        self.assertGreater(page1_dark_share(ar.bytes, "compliance-ar.pdf"), 0.01)
        ar_text = pdftotext(ar.bytes, "compliance-ar2.pdf")
        ar_flat = arabic_skeleton(ar_text)
        for phrase in ("عن امتثالها للقرار رقم", "الحالة في", "الفقرة", "الموعد النهائي"):
            self.assertIn(arabic_as_extracted(phrase), ar_flat, phrase)
        self.assertIn("Kenya", ar_text)
        # The State's English narrative keeps its direction in the Arabic report.
        self.assertIn("A national cybersecurity authority was designated by decree.", ar_text)
        self.assertIn("https://example.go.ke/decree.pdf", ar_text)
        self.assertIn("2026-06-30", ar_text)

    # ---- exchange files ----

    def test_xlsx_filled_in_by_openpyxl_imports_back_with_dry_run_and_bad_cells(self):
        md = self.keys["KEN"]
        draft = self.assessment("KEN", 2026, None)
        out = self.responses.ExportAssessment(rpb.ExportAssessmentRequest(
            assessment_id=draft.id, format=rpb.XLSX, locale="fr"), timeout=20, metadata=md)
        self.assertEqual(out.etag, draft.etag)
        self.assertTrue(out.filename.endswith(".xlsx"))
        path = os.path.join(TMP, "export.xlsx")
        with open(path, "wb") as f:
            f.write(out.bytes)

        # The delegation's work, offline: every level and a target, as a person would type them
        # or pick them from the drop-down.
        wb = openpyxl.load_workbook(path)
        self.assertEqual(wb.sheetnames[0], "About")
        filled = {}
        for ws in wb.worksheets[1:]:
            header = [c.value for c in ws[1]]
            self.assertEqual(header[:10], ["question_id", "section", "number", "question", "level",
                                           "target", "yes", "date", "narrative", "evidence"])
            self.assertTrue(ws.protection.sheet)
            self.assertTrue(ws.data_validations.dataValidation, ws.title)
            for row in range(2, ws.max_row + 1):
                qid = ws.cell(row=row, column=1).value
                level = (int(qid[1:]) * 7) % 6
                if level % 2:
                    ws.cell(row=row, column=5).value = level  # typed as a number
                else:
                    ws.cell(row=row, column=5).value = "%d Choisi dans la liste" % level
                filled[qid] = level
        ws = wb.worksheets[1]
        ws.cell(row=2, column=6).value = 5
        ws.cell(row=2, column=9).value = "Stratégie adoptée en 2022, révisée en 2024."
        ws.cell(row=2, column=10).value = "https://example.go.ke/strategie.pdf Stratégie nationale"
        filled_path = os.path.join(TMP, "filled.xlsx")
        wb.save(filled_path)
        with open(filled_path, "rb") as f:
            content = f.read()
        self.assertEqual(len(filled), 18)

        # A dry run lists the changes and writes nothing.
        dry = self.responses.ImportAnswers(rpb.ImportAnswersRequest(
            assessment_id=draft.id, format=rpb.XLSX, content=content, etag=draft.etag,
            validate_only=True), timeout=20, metadata=md)
        self.assertTrue(dry.valid, [e.message for e in dry.errors])
        self.assertFalse(dry.written)
        self.assertEqual(len(dry.changes), 18)
        after_dry = self.responses.GetAssessment(rpb.GetAssessmentRequest(
            assessment_id=draft.id), timeout=10, metadata=md)
        self.assertEqual((after_dry.revision, after_dry.etag), (draft.revision, draft.etag))
        self.assertEqual(len(after_dry.answers), 0)

        done = self.responses.ImportAnswers(rpb.ImportAnswersRequest(
            assessment_id=draft.id, format=rpb.XLSX, content=content, etag=draft.etag),
            timeout=20, metadata=md)
        self.assertTrue(done.written)
        now = self.responses.GetAssessment(rpb.GetAssessmentRequest(
            assessment_id=draft.id), timeout=10, metadata=md)
        self.assertEqual(now.revision, draft.revision + 1)
        self.assertEqual({a.question_id: a.level for a in now.answers}, filled)
        first = wb.worksheets[1].cell(row=2, column=1).value
        ans = [a for a in now.answers if a.question_id == first][0]
        self.assertEqual(ans.target_level, 5)
        self.assertEqual(ans.narrative, "Stratégie adoptée en 2022, révisée en 2024.")
        self.assertEqual([(e.uri, e.title) for e in ans.evidence],
                         [("https://example.go.ke/strategie.pdf", "Stratégie nationale")])

        # A broken cell is reported at its address; nothing is written.
        ws = wb.worksheets[2]
        ws.cell(row=2, column=5).value = 9
        ws.cell(row=2, column=8).value = "le 3 mars"
        broken_path = os.path.join(TMP, "broken.xlsx")
        wb.save(broken_path)
        with open(broken_path, "rb") as f:
            broken = f.read()
        check = self.responses.ImportAnswers(rpb.ImportAnswersRequest(
            assessment_id=draft.id, format=rpb.XLSX, content=broken, etag=now.etag,
            validate_only=True), timeout=20, metadata=md)
        self.assertFalse(check.valid)
        self.assertEqual(check.error_count, 2)
        self.assertEqual([(e.sheet, e.row, e.column) for e in check.errors],
                         [(ws.title, 2, "E"), (ws.title, 2, "H")])
        self.assertIn('level "9" is not a level', check.errors[0].message)
        details = self.expect(grpc.StatusCode.INVALID_ARGUMENT, self.responses.ImportAnswers,
                              rpb.ImportAnswersRequest(assessment_id=draft.id, format=rpb.XLSX,
                                                       content=broken, etag=now.etag), md)
        self.assertIn("'%s'!E2" % ws.title, details)
        still = self.responses.GetAssessment(rpb.GetAssessmentRequest(
            assessment_id=draft.id), timeout=10, metadata=md)
        self.assertEqual(still.revision, now.revision)

        # SaveAnswers' rules: a stale etag is ABORTED, another State is denied.
        self.expect(grpc.StatusCode.ABORTED, self.responses.ImportAnswers,
                    rpb.ImportAnswersRequest(assessment_id=draft.id, format=rpb.XLSX,
                                             content=content, etag=draft.etag), md)
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.responses.ImportAnswers,
                    rpb.ImportAnswersRequest(assessment_id=draft.id, format=rpb.XLSX,
                                             content=content, etag=now.etag), self.keys["FRA"])
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.responses.ExportAssessment,
                    rpb.ExportAssessmentRequest(assessment_id=draft.id), self.keys["FRA"])

    def test_csv_and_json_exports_import_back(self):
        md = self.keys["KEN"]
        draft = self.assessment("KEN", 2027, [1] * 18)
        csv_out = self.responses.ExportAssessment(rpb.ExportAssessmentRequest(
            assessment_id=draft.id, format=rpb.CSV), timeout=20, metadata=md)
        rows = list(csv.DictReader(io.StringIO(csv_out.bytes.decode("utf-8-sig"))))
        self.assertEqual([r["question_id"] for r in rows], QUESTIONS)
        self.assertEqual(rows[0]["evidence"], "https://example.org/KEN-strategy.pdf National strategy")
        rows[3]["level"] = "4"
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
        res = self.responses.ImportAnswers(rpb.ImportAnswersRequest(
            assessment_id=draft.id, format=rpb.CSV, content=buf.getvalue().encode(),
            etag=draft.etag), timeout=20, metadata=md)
        self.assertTrue(res.written)
        self.assertEqual([c.question_id for c in res.changes], ["q4"])
        self.assertEqual((res.changes[0].before.level, res.changes[0].after.level), (1, 4))

        js = json.loads(self.responses.ExportAssessment(rpb.ExportAssessmentRequest(
            assessment_id=draft.id, format=rpb.JSON), timeout=20, metadata=md).bytes)
        self.assertEqual(js["schema"], "unic-assessment-exchange/1")
        self.assertEqual(js["etag"], res.assessment.etag)
        js["answers"][4]["level"] = 5
        res2 = self.responses.ImportAnswers(rpb.ImportAnswersRequest(
            assessment_id=draft.id, format=rpb.JSON, content=json.dumps(js).encode(),
            etag=js["etag"]), timeout=20, metadata=md)
        self.assertEqual([c.question_id for c in res2.changes], ["q5"])
        js["assessment_id"] = "FRA-2027-cip-self-assessment"
        self.expect(grpc.StatusCode.INVALID_ARGUMENT, self.responses.ImportAnswers,
                    rpb.ImportAnswersRequest(assessment_id=draft.id, format=rpb.JSON,
                                             content=json.dumps(js).encode(),
                                             etag=res2.assessment.etag), md)

    # ---- open data ----

    def test_open_data_holds_public_scorecards_only(self):
        for md in (self.operator, self.keys["FRA"], self.keys["DEU"]):
            doc = self.scoring.ExportOpenData(spb.ExportOpenDataRequest(cycle=2025), timeout=30,
                                              metadata=md)
            self.assertEqual(doc.content_type, "text/csv; charset=utf-8")
            rows = list(csv.DictReader(io.StringIO(doc.bytes.decode("utf-8"))))
            self.assertEqual([r["state_code"] for r in rows], ["KEN", "SWE"])
            self.assertNotIn(b"FRA", doc.bytes)  # PRIVATE, even to FRA itself
            self.assertNotIn(b"DEU", doc.bytes)  # UNIC, even to an operator and to DEU
            self.assertEqual(rows[0]["model_version"], "cmm-v1")
            card = self.scoring.GetScorecard(spb.GetScorecardRequest(state_code="KEN", cycle=2025),
                                             timeout=20, metadata=md)
            self.assertEqual(rows[0]["overall_index"], "%.2f" % card.overall_index)
            self.assertEqual(rows[0]["s1"], "%.2f" % card.sections[0].score)
            js = json.loads(self.scoring.ExportOpenData(spb.ExportOpenDataRequest(
                cycle=2025, format=spb.JSON), timeout=30, metadata=md).bytes)
            self.assertEqual([c["state_code"] for c in js["scorecards"]], ["KEN", "SWE"])
            self.assertEqual(js["model_version"], "cmm-v1")


if __name__ == "__main__":
    unittest.main(verbosity=2)
