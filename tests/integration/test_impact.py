"""test_impact: GetImpactReport on a history of three cycles built here through the real binaries
(docs/matching-model.md, "Impact"). Four African States assess themselves in Y-2, Y-1 and Y (Y
this year); their gaps become requests; FRA trains three of them and JPN gives MLI expertise;
every match runs to COMPLETED this year. Every figure expected below is worked out by hand from
the levels in HISTORY. MLI keeps its cycle Y PRIVATE: nothing computed from it reaches anyone but
MLI. Assessments are UNIC (States and operators) except NER's, which are PUBLIC."""
import datetime
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/responses/v1/responses.proto", "unic/matching/v1/matching.proto")
from unic.common.v1 import common_pb2  # noqa: E402
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2 as rpb, responses_pb2_grpc  # noqa: E402

Y = datetime.date.today().year
# Levels by State, cycle offset (0 = Y) and question; the default target is 3.
HISTORY = {
    "KEN": {-2: {"q1": 0}, -1: {"q1": 1, "q3": 2, "q4": 2, "q5": 1}, 0: {"q1": 3, "q3": 2, "q4": 3, "q5": 2}},
    "UGA": {-2: {"q1": 0}, -1: {"q1": 0, "q3": 1}, 0: {"q1": 1, "q3": 1}},
    "NER": {-2: {"q2": 1, "q3": 0}, -1: {"q2": 2}, 0: {"q2": 4, "q3": 1}},
    "MLI": {-2: {"q1": 0}, -1: {"q11": 1}, 0: {"q11": 2}},
}
# The question each State is supported on, from the gaps of which cycle, with which kind.
SUPPORT = {"KEN": ("q1", -1, common_pb2.TRAINING), "UGA": ("q1", -1, common_pb2.TRAINING),
           "NER": ("q2", -2, common_pb2.TRAINING), "MLI": ("q11", -1, common_pb2.EXPERTISE)}


class ImpactTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("impact")
        for service in lib.SERVICES:
            cls.stack.start(service)
        cls.r = responses_pb2_grpc.ResponseServiceStub(cls.stack.channel("responses"))
        cls.m = matching_pb2_grpc.MatchingServiceStub(cls.stack.channel("matching"))
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.md = {s: lib.metadata(cls.stack.key("STATE", s)) for s in ("KEN", "UGA", "NER", "MLI", "FRA", "JPN")}
        for state, cycles in HISTORY.items():
            for offset, levels in cycles.items():
                a = cls.r.CreateAssessment(rpb.CreateAssessmentRequest(
                    state_code=state, cycle=Y + offset, questionnaire_id="cip-self-assessment"),
                    metadata=cls.md[state])
                a = cls.r.SaveAnswers(rpb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, answers=[
                    rpb.Answer(question_id=q, level=v) for q, v in levels.items()]), metadata=cls.md[state])
                visibility = (common_pb2.PUBLIC if state == "NER" else
                              common_pb2.PRIVATE if (state, offset) == ("MLI", 0) else common_pb2.UNIC)
                if visibility != common_pb2.PRIVATE:
                    cls.r.SetVisibility(rpb.SetVisibilityRequest(assessment_id=a.id, etag=a.etag,
                                                                 visibility=visibility), metadata=cls.md[state])
        cls.m.CreateOffer(mpb.CreateOfferRequest(offer=mpb.Offer(
            kind=common_pb2.TRAINING, topics=["strategy", "cip"], capacity=1000, title="CIP school")),
            metadata=cls.md["FRA"])
        cls.m.CreateOffer(mpb.CreateOfferRequest(offer=mpb.Offer(
            kind=common_pb2.EXPERTISE, topics=["incident-response"], capacity=1000, title="CSIRT experts")),
            metadata=cls.md["JPN"])
        # Each State derives its gaps and keeps the one request it is supported on.
        for state, (question, offset, kind) in SUPPORT.items():
            got = cls.m.DeriveRequests(mpb.DeriveRequestsRequest(cycle=Y + offset, kinds=[kind]),
                                       metadata=cls.md[state])
            for q in got.requests:
                if q.source_question_id != question:
                    cls.m.WithdrawRequest(mpb.WithdrawRequestRequest(request_id=q.id, etag=q.etag),
                                          metadata=cls.md[state])
        plan = cls.m.ProposeMatches(mpb.ProposeMatchesRequest(), metadata=cls.op)
        cls.m.CommitMatchPlan(mpb.CommitMatchPlanRequest(plan_id=plan.id), metadata=cls.op)
        assert len(plan.matches) == 4, plan
        for match in plan.matches:
            donor, recipient = cls.md[match.donor_state], cls.md[match.recipient_state]
            cls.m.RespondToMatch(mpb.RespondToMatchRequest(match_id=match.id, accept=True), metadata=donor)
            cls.m.RespondToMatch(mpb.RespondToMatchRequest(match_id=match.id, accept=True), metadata=recipient)
            for status, md, kw in ((mpb.IN_DELIVERY, donor, {}), (mpb.DELIVERED, donor, {}),
                                   (mpb.COMPLETED, recipient, {"rating": 5})):
                etag = cls.m.GetMatch(mpb.GetMatchRequest(match_id=match.id), metadata=cls.op).etag
                cls.m.AdvanceMatch(mpb.AdvanceMatchRequest(match_id=match.id, etag=etag, status=status, **kw),
                                   metadata=md)

    @classmethod
    def tearDownClass(cls):
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        assert all(c == 0 for c in codes.values()), codes

    def report(self, md, state=""):
        r = self.m.GetImpactReport(mpb.GetImpactReportRequest(state_code=state), metadata=md)
        return {c.recipient_state: c for c in r.cases}, {(c.dimension, c.key): c for c in r.cells}

    def test_operators_see_every_readable_change_and_the_comparison(self):
        cases, cells = self.report(self.op)
        self.assertEqual(set(cases), {"KEN", "UGA", "NER", "MLI"})
        # KEN q1: 1 -> 3; UGA q1: 0 -> 1; NER q2 (gap of Y-2): 1 -> 4 in Y, the first cycle from
        # the completion's year on (not Y-1).
        for state, before, after, cycle_before in (("KEN", 1, 3, Y - 1), ("UGA", 0, 1, Y - 1),
                                                   ("NER", 1, 4, Y - 2)):
            c = cases[state]
            self.assertTrue(c.measured, c)
            self.assertEqual((c.cycle_before, c.level_before, c.cycle_after, c.level_after, c.change),
                             (cycle_before, before, Y, after, after - before))
            self.assertEqual(c.donor_state, "FRA")
        self.assertEqual(cases["KEN"].delivered_quantity, 10)  # severity 2 x 5 seats
        self.assertEqual(cases["UGA"].delivered_quantity, 15)  # severity 3 x 5 seats
        # MLI's cycle Y is PRIVATE: not measured, and no level of it anywhere.
        mli = cases["MLI"]
        self.assertFalse(mli.measured)
        self.assertEqual((mli.cycle_after, mli.level_after, mli.change), (0, 0, 0))
        self.assertIn("no assessment you may read", mli.not_measured)
        # FRA: KEN, UGA, NER; 10 + 15 + 10 seats; mean change (2 + 1 + 3) / 3 = 2.
        # Comparison, the same States' unsupported questions over the same cycles: KEN q3 0, q4 +1,
        # q5 +1 (Y-1 -> Y), UGA q3 0, NER q3 +1 (Y-2 -> Y): five, mean 3 / 5 = 0.6.
        fra = cells[("donor", "FRA")]
        self.assertEqual((fra.suppressed, fra.states, fra.matches, fra.quantity_delivered), (False, 3, 3, 35))
        self.assertEqual((fra.change_shown, fra.cases, fra.mean_change), (True, 3, 2.0))
        self.assertEqual((fra.comparison_shown, fra.comparison_cases), (True, 5))
        self.assertAlmostEqual(fra.comparison_mean_change, 0.6)
        self.assertEqual(cells[("kind", "TRAINING")].mean_change, 2.0)
        self.assertEqual(cells[("topic", "strategy")].states, 3)
        # Africa: all four States and 35 + 20 (MLI: severity 2 x 10 expert-days) delivered; the mean
        # is KEN, UGA and NER's alone (with MLI's +1 it would be 1.75).
        africa = cells[("region", "Africa")]
        self.assertEqual((africa.states, africa.matches, africa.quantity_delivered), (4, 4, 55))
        self.assertEqual((africa.cases, africa.mean_change), (3, 2.0))
        # Cells of one State are suppressed: nothing of them is given.
        for key in (("donor", "JPN"), ("kind", "EXPERTISE"), ("topic", "incident-response")):
            cell = cells[key]
            self.assertTrue(cell.suppressed, key)
            self.assertEqual((cell.matches, cell.quantity_delivered, cell.cases, cell.mean_change,
                              cell.comparison_cases), (0, 0, 0, 0.0, 0), key)

    def test_a_state_sees_its_own_private_change_and_no_cell_of_itself_alone(self):
        cases, cells = self.report(self.md["MLI"])
        self.assertEqual(set(cases), {"MLI"})
        c = cases["MLI"]
        self.assertTrue(c.measured)
        self.assertEqual((c.question_id, c.level_before, c.level_after, c.change), ("q11", 1, 2, 1))
        self.assertTrue(all(cell.suppressed for cell in cells.values()))
        with self.assertRaises(grpc.RpcError) as cm:
            self.m.GetImpactReport(mpb.GetImpactReportRequest(state_code="KEN"), metadata=self.md["MLI"])
        self.assertEqual(cm.exception.code(), grpc.StatusCode.PERMISSION_DENIED)

    def test_a_donor_sees_only_what_it_may_read(self):
        cases, cells = self.report(self.md["FRA"])
        self.assertEqual(set(cases), {"KEN", "UGA", "NER"})
        # KEN's and UGA's assessments are for UNIC: FRA learns neither the question nor a level.
        for state in ("KEN", "UGA"):
            self.assertFalse(cases[state].measured)
            self.assertEqual((cases[state].question_id, cases[state].level_before, cases[state].change),
                             ("", 0, 0))
            self.assertEqual(cases[state].delivered_quantity, 0)
        self.assertTrue(cases["NER"].measured)  # NER's are PUBLIC
        self.assertEqual(cases["NER"].change, 3)
        fra = cells[("donor", "FRA")]
        self.assertEqual((fra.suppressed, fra.matches, fra.change_shown, fra.mean_change), (False, 3, False, 0.0))
        # JPN, MLI's donor, reads neither of MLI's cycles that matter.
        cases, _ = self.report(self.md["JPN"])
        self.assertEqual(cases["MLI"].question_id, "")
        self.assertFalse(cases["MLI"].measured)

    def test_an_operator_may_ask_for_one_state(self):
        cases, cells = self.report(self.op, "UGA")
        self.assertEqual(set(cases), {"UGA"})
        self.assertTrue(cells[("donor", "FRA")].suppressed)


if __name__ == "__main__":
    unittest.main(verbosity=2)
