"""test_due: deadlines met in the State's own time zone, with a fixed clock (UNIC_FIXED_CLOCK,
common/text.h). The United States set their zone to Pacific/Honolulu (UTC-10); their 2025
report is submitted at 23:00 local time on 31 December, 09:00 on 1 January 2026 in UTC, and is
MET, not MET_LATE. ListDue, with the scoring service's clock fixed on either side of the deadline,
counts days left and shows overdue in each State's zone: at 09:30 UTC on 1 January, Kenya
(UTC+3) is a day late while Honolulu's 31 December is not over. Also: a State sets only its own
zone, and a reachability round shows on the calendar until confirmed."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/catalog/v1/directory.proto",
                   "unic/responses/v1/responses.proto", "unic/scoring/v1/scoring.proto",
                   "unic/matching/v1/matching.proto")
from unic.catalog.v1 import catalog_pb2, catalog_pb2_grpc, directory_pb2, directory_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2, responses_pb2_grpc  # noqa: E402
from unic.scoring.v1 import scoring_pb2 as spb, scoring_pb2_grpc  # noqa: E402

SUBMITTED_AT = "2026-01-01T09:00:00Z"  # 23:00 on 31 December 2025 in Honolulu


class DueTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("due")
        cls.stack.start("catalog")
        cls.stack.start("responses", {"UNIC_FIXED_CLOCK": SUBMITTED_AT})
        cls.stack.start("matching")
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.usa = lib.metadata(cls.stack.key("STATE", "USA"))
        cls.ken = lib.metadata(cls.stack.key("STATE", "KEN"))
        cat = grpc.insecure_channel(cls.stack.addr("catalog"))
        cls.catalog = catalog_pb2_grpc.CatalogServiceStub(cat)
        cls.directory = directory_pb2_grpc.DirectoryServiceStub(cat)
        cls.responses = responses_pb2_grpc.ResponseServiceStub(grpc.insecure_channel(cls.stack.addr("responses")))

    @classmethod
    def tearDownClass(cls):
        codes = [cls.stack.stop(s) for s in list(cls.stack.procs)]
        cls.stack.close()
        assert all(c == 0 for c in codes), "exit codes %s" % codes

    def scoring_at(self, when):
        """The scoring service, restarted with its clock fixed at `when` (UTC)."""
        if "scoring" in self.stack.procs:
            self.assertEqual(self.stack.stop("scoring"), 0)
        self.stack.start("scoring", {"UNIC_FIXED_CLOCK": when})
        return scoring_pb2_grpc.ScoringServiceStub(grpc.insecure_channel(self.stack.addr("scoring")))

    def due(self, scoring, md, state=""):
        r = scoring.ListDue(spb.ListDueRequest(state_code=state), metadata=md)
        return r, {i.ref: i for i in r.items}

    def test_1_a_state_sets_its_own_zone_only(self):
        st = self.catalog.SetStateTimeZone(catalog_pb2.SetStateTimeZoneRequest(time_zone="Pacific/Honolulu"),
                                           metadata=self.usa)
        self.assertEqual((st.code, st.time_zone, st.capital_time_zone),
                         ("USA", "Pacific/Honolulu", "America/New_York"))
        with self.assertRaises(grpc.RpcError) as cm:
            self.catalog.SetStateTimeZone(catalog_pb2.SetStateTimeZoneRequest(
                state_code="USA", time_zone="UTC"), metadata=self.ken)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        with self.assertRaises(grpc.RpcError) as cm:
            self.catalog.SetStateTimeZone(catalog_pb2.SetStateTimeZoneRequest(time_zone="Mars/Base"),
                                          metadata=self.ken)
        self.assertTrue(cm.exception.details().startswith("time_zone:"), cm.exception.details())

    def test_2_before_the_deadline(self):
        scoring = self.scoring_at("2025-12-20T12:00:00Z")
        r, items = self.due(scoring, self.usa)
        self.assertEqual((r.time_zone, r.today), ("Pacific/Honolulu", "2025-12-20"))
        report = items["para8-report-2025"]
        self.assertEqual((report.kind, report.due_date, report.days_left, report.overdue),
                         (spb.ANNUAL_REPORT, "2025-12-31", 11, False))
        self.assertTrue(items["para4a"].overdue)  # no checklist: the 2015 duties are late
        with self.assertRaises(grpc.RpcError) as cm:
            scoring.ListDue(spb.ListDueRequest(state_code="USA"), metadata=self.ken)
        self.assertEqual(cm.exception.code(), grpc.StatusCode.PERMISSION_DENIED)
        # Kenya has begun its 2025 self-assessment (a draft): it owes the 2025 report from then on.
        self.responses.CreateAssessment(responses_pb2.CreateAssessmentRequest(
            state_code="KEN", cycle=2025, questionnaire_id="cip-self-assessment"), metadata=self.ken)
        _, ken = self.due(scoring, self.op, "KEN")
        self.assertEqual(ken["para8-report-2025"].days_left, 11)

    def test_3_submitted_at_23h_on_31_december_in_honolulu_is_met(self):
        a = self.responses.CreateAssessment(responses_pb2.CreateAssessmentRequest(
            state_code="USA", cycle=2025, questionnaire_id="cip-self-assessment"), metadata=self.usa)
        sub = self.responses.SubmitAssessment(responses_pb2.SubmitAssessmentRequest(
            assessment_id=a.id, etag=a.etag), metadata=self.usa)
        self.assertTrue(sub.submitted_at.startswith("2026-01-01T09:00:00"), sub.submitted_at)
        scoring = self.scoring_at("2026-01-01T09:30:00Z")  # 23:30 in Honolulu, 12:30 in Nairobi
        report = scoring.GetComplianceReport(spb.GetComplianceReportRequest(state_code="USA"),
                                             metadata=self.usa)
        self.assertEqual((report.time_zone, report.as_of), ("Pacific/Honolulu", "2025-12-31"))
        items = {i.item_id: i for i in report.items}
        self.assertEqual(items["para8-report-2025"].status, spb.MET)
        self.assertEqual(items["para8-report-2025"].date, "2025-12-31")
        _, usa = self.due(scoring, self.usa)
        self.assertNotIn("para8-report-2025", usa)  # met: no longer due
        r, ken = self.due(scoring, self.ken)
        self.assertEqual(r.today, "2026-01-01")
        self.assertEqual((ken["para8-report-2025"].days_left, ken["para8-report-2025"].overdue), (-1, True))
        self.assertEqual(ken["para8-report-2026"].days_left, 364)

    def test_4_after_the_deadline_in_utc(self):
        scoring = self.scoring_at("2026-01-02T12:00:00Z")
        # Each State reads its own (its assessments are PRIVATE: UNIC would not see its cycles).
        report = scoring.GetComplianceReport(spb.GetComplianceReportRequest(state_code="USA"),
                                             metadata=self.usa)
        items = {i.item_id: i for i in report.items}
        self.assertEqual(items["para8-report-2025"].status, spb.MET)  # still: dated in Honolulu
        report = scoring.GetComplianceReport(spb.GetComplianceReportRequest(state_code="KEN"),
                                             metadata=self.ken)
        items = {i.item_id: i for i in report.items}
        self.assertEqual(items["para8-report-2025"].status, spb.OVERDUE)
        _, ken = self.due(scoring, self.ken)
        self.assertEqual(ken["para8-report-2026"].due_date, "2026-12-31")

    def test_5_a_round_is_due_until_confirmed(self):
        poc = directory_pb2.PointOfContact(unit="US-CERT", email="report@cert.example.gov")
        self.directory.PutDirectoryEntry(directory_pb2.PutDirectoryEntryRequest(point_of_contact=poc),
                                         metadata=self.usa)
        rnd = self.directory.StartReachabilityRound(directory_pb2.StartReachabilityRoundRequest(
            window_days=7), metadata=self.op)
        scoring = self.scoring_at("2026-01-02T12:00:00Z")
        _, items = self.due(scoring, self.usa)
        item = items[str(rnd.id)]
        self.assertEqual(item.kind, spb.REACHABILITY_CONFIRMATION)
        self.assertNotEqual(item.due_date, "")
        self.directory.ConfirmReachability(directory_pb2.ConfirmReachabilityRequest(round_id=rnd.id),
                                           metadata=self.usa)
        _, items = self.due(scoring, self.usa)
        self.assertNotIn(str(rnd.id), items)


if __name__ == "__main__":
    unittest.main(verbosity=2)
