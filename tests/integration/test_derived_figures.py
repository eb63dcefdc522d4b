"""test_derived_figures: nothing computed from a gap of a self-assessment its State keeps PRIVATE
reaches an operator, a donor or a service key, through any field of any reply of the matching
service (issue 18, docs/hardening.md); an operator sees the figures while the State lets UNIC
read the assessment, and stops seeing them as soon as the State makes it PRIVATE again (matching
asks responses, as the caller, when it shows them). Through the real binaries over grpcio."""
import datetime
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/responses/v1/responses.proto", "unic/matching/v1/matching.proto")
from unic.common.v1 import common_pb2  # noqa: E402
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2 as rpb, responses_pb2_grpc  # noqa: E402

STATE, DONOR = "BFA", "CHE"  # ids no other test uses: the suite's Redis is shared
# q1 at level 1 against the default target 3: severity 2, so 10 training seats (5 per point) and
# 50 thousand USD (25 per point), priority 2. The donor offers 4 seats: 6 stay unmet, and no
# funds are offered, so the funds request is unmet whole.
SEVERITY = 2
SEATS, FUNDS_K = 5 * SEVERITY, 25 * SEVERITY
OFFERED = 4
SECOND = 2  # a second offer, left open: every new proposal matches it


class DerivedFiguresTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("derived_figures")
        for service in lib.SERVICES:
            cls.stack.start(service)
        cls.responses = responses_pb2_grpc.ResponseServiceStub(cls.stack.channel("responses"))
        cls.matching = matching_pb2_grpc.MatchingServiceStub(cls.stack.channel("matching"))
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.state = lib.metadata(cls.stack.key("STATE", STATE))
        cls.donor = lib.metadata(cls.stack.key("STATE", DONOR))
        cls.service = lib.metadata(cls.stack.key("SERVICE"))
        cls.cycle = datetime.date.today().year
        a = cls.responses.CreateAssessment(rpb.CreateAssessmentRequest(
            state_code=STATE, cycle=cls.cycle, questionnaire_id="cip-self-assessment"),
            metadata=cls.state)
        a = cls.responses.SaveAnswers(rpb.SaveAnswersRequest(
            assessment_id=a.id, etag=a.etag, answers=[rpb.Answer(question_id="q1", level=1)]),
            metadata=cls.state)
        cls.assessment = a.id
        assert a.visibility == common_pb2.PRIVATE, a.visibility  # the default
        derived = cls.matching.DeriveRequests(mpb.DeriveRequestsRequest(
            cycle=cls.cycle, kinds=[common_pb2.TRAINING, common_pb2.FUNDS]), metadata=cls.state)
        assert len(derived.requests) == 2, derived
        cls.requests = {q.kind: q for q in derived.requests}
        topic = cls.requests[common_pb2.TRAINING].topics[0]
        cls.matching.CreateOffer(mpb.CreateOfferRequest(offer=mpb.Offer(
            kind=common_pb2.TRAINING, topics=[topic], capacity=OFFERED, title="Seats")),
            metadata=cls.donor)
        plan = cls.matching.ProposeMatches(mpb.ProposeMatchesRequest(state_codes=[STATE]),
                                           metadata=cls.state)
        assert len(plan.matches) == 1 and len(plan.unmet) == 2, plan
        cls.matching.CommitMatchPlan(mpb.CommitMatchPlanRequest(plan_id=plan.id), metadata=cls.op)
        cls.matching.CreateOffer(mpb.CreateOfferRequest(offer=mpb.Offer(
            kind=common_pb2.TRAINING, topics=[topic], capacity=SECOND, title="More seats")),
            metadata=cls.donor)

    @classmethod
    def tearDownClass(cls):
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        assert all(c == 0 for c in codes.values()), codes

    def set_visibility(self, visibility):
        a = self.responses.GetAssessment(rpb.GetAssessmentRequest(assessment_id=self.assessment),
                                         metadata=self.state)
        self.responses.SetVisibility(rpb.SetVisibilityRequest(
            assessment_id=self.assessment, etag=a.etag, visibility=visibility), metadata=self.state)

    def views(self, md):
        """Every reply of the matching service that carries a figure of the gap, as `md` sees it:
        the requests (one by one and listed), the matches (listed, one by one, in a plan), the
        plan's objective and unmet requests (a new proposal, by an operator or the State)."""
        out = {"requests": [], "matches": [], "plans": [], "unmet": []}
        for q in self.requests.values():
            out["requests"].append(self.matching.GetRequest(mpb.GetRequestRequest(request_id=q.id),
                                                            metadata=md))
        out["requests"] += self.matching.ListRequests(mpb.ListRequestsRequest(state_code=STATE),
                                                      metadata=md).requests
        if md is not self.service:
            listed = self.matching.ListMatches(mpb.ListMatchesRequest(), metadata=md).matches
            out["matches"] += listed
            for m in listed:
                out["matches"].append(self.matching.GetMatch(mpb.GetMatchRequest(match_id=m.id),
                                                             metadata=md))
        if md in (self.op, self.state):
            plan = self.matching.ProposeMatches(mpb.ProposeMatchesRequest(state_codes=[STATE]),
                                                metadata=md)
            out["plans"].append(plan)
            out["matches"] += plan.matches
            out["unmet"] += plan.unmet
        return out

    def assert_hidden(self, views, who):
        for q in views["requests"]:
            self.assertEqual((q.quantity, q.remaining, q.priority, q.gap_severity,
                              q.source_question_id, q.source_cycle), (0, 0, 0, 0.0, "", 0), who)
        for m in views["matches"]:
            self.assertEqual((m.quantity, m.benefit, m.delivered_quantity), (0, 0.0, 0), who)
            self.assertIsNone(re.search(r"\d", m.explanation), (who, m.explanation))
            # the grounds say only that the words are the coarsened sentence's: no question, no
            # severity, nothing the plan computed from them (languages, eligibility, priority)
            self.assertEqual([f.name for f, _ in m.grounds.ListFields()], ["coarsened"],
                             (who, m.grounds))
            for ev in m.history:
                self.assertEqual(ev.delivered_quantity, 0, who)
        for p in views["plans"]:
            self.assertEqual(p.objective, 0.0, who)
        for u in views["unmet"]:
            self.assertEqual(u.remaining, 0, who)
            self.assertIsNone(re.search(r"\d", u.reason), (who, u.reason))
            self.assertEqual([f.name for f, _ in u.grounds.ListFields()], ["coarsened", "reason"],
                             (who, u.grounds))
            self.assertEqual(mpb.UnmetReason.Name(u.grounds.reason), u.reason, who)

    def assert_shown(self, views, who, funds_open):
        training, funds = self.requests[common_pb2.TRAINING], self.requests[common_pb2.FUNDS]
        by_id = {q.id: q for q in views["requests"]}
        self.assertEqual((by_id[training.id].quantity, by_id[training.id].remaining),
                         (SEATS, SEATS - OFFERED), who)
        self.assertEqual(by_id[funds.id].quantity, FUNDS_K, who)
        for q in views["requests"]:
            self.assertEqual((q.gap_severity, q.priority, q.source_question_id, q.source_cycle),
                             (float(SEVERITY), SEVERITY, "q1", self.cycle), who)
        self.assertTrue(views["matches"], who)
        for m in views["matches"]:
            self.assertIn(m.quantity, (OFFERED, SECOND), who)  # committed, or proposed since
            self.assertGreater(m.benefit, 0, who)
            self.assertRegex(m.explanation, r"\d", who)
            g = m.grounds
            self.assertTrue(m.HasField("grounds"), who)
            self.assertEqual((g.coarsened, g.question_id, g.severity_milli, list(g.shared_languages),
                              g.eligibility, g.eligible_by, g.ldc_priority),
                             (False, "q1", SEVERITY * 1000, [], mpb.ELIGIBLE_OPEN_TO_ALL, "", True),
                             (who, g))
            self.assertRegex(g.as_of, r"^\d{4}-\d{2}-\d{2}$", who)
        for p in views["plans"]:
            self.assertGreater(p.objective, 0, who)
        if views["plans"]:
            self.assertEqual({u.remaining for u in views["unmet"]},
                             {SEATS - OFFERED - SECOND} | ({FUNDS_K} if funds_open else set()), who)
            for u in views["unmet"]:
                self.assertRegex(u.reason, r"\d", who)
                q = {r.id: r for r in self.requests.values()}[u.request_id]
                self.assertEqual((u.grounds.coarsened, u.grounds.reason, u.grounds.kind,
                                  list(u.grounds.topics), u.grounds.as_of),
                                 (False, mpb.CAPACITY_EXHAUSTED if q.kind == common_pb2.TRAINING
                                  else mpb.NO_COMPATIBLE_OFFER, q.kind, list(q.topics),
                                  views["plans"][0].as_of), (who, u.grounds))
                self.assertTrue(u.reason.startswith(mpb.UnmetReason.Name(u.grounds.reason) + ":"))

    def test_1_a_private_self_assessment_gives_no_figure_to_anyone_but_its_state(self):
        self.assert_shown(self.views(self.state), STATE, True)
        for md, who in ((self.op, "operator"), (self.donor, "donor"), (self.service, "service")):
            self.assert_hidden(self.views(md), who)

    def test_2_made_visible_to_unic_an_operator_sees_them_and_donors_still_do_not(self):
        self.set_visibility(common_pb2.UNIC)
        try:
            self.assert_shown(self.views(self.op), "operator", True)
            for md, who in ((self.donor, "donor"), (self.service, "service")):
                self.assert_hidden(self.views(md), who)
        finally:
            self.set_visibility(common_pb2.PRIVATE)
        # the State's change counts at once: nothing is remembered across calls
        self.assert_hidden(self.views(self.op), "operator, after PRIVATE again")

    def test_3_an_operators_own_write_answers_with_the_figures_hidden(self):
        funds = self.matching.GetRequest(mpb.GetRequestRequest(
            request_id=self.requests[common_pb2.FUNDS].id), metadata=self.state)
        withdrawn = self.matching.WithdrawRequest(mpb.WithdrawRequestRequest(
            request_id=funds.id, etag=funds.etag), metadata=self.op)
        self.assertEqual(withdrawn.status, mpb.REQUEST_WITHDRAWN)
        self.assertEqual((withdrawn.quantity, withdrawn.remaining, withdrawn.gap_severity,
                          withdrawn.source_question_id), (0, 0, 0.0, ""))
        self.set_visibility(common_pb2.UNIC)
        try:
            self.assert_shown(self.views(self.op), "operator", False)
        finally:
            self.set_visibility(common_pb2.PRIVATE)

    def test_4_a_match_planned_before_grounds_were_recorded_has_its_sentence_only(self):
        listed = self.matching.ListMatches(mpb.ListMatchesRequest(state_code=STATE),
                                           metadata=self.state).matches
        self.assertTrue(listed)
        old = listed[0]
        self.assertTrue(old.HasField("grounds"))
        subprocess.run(["psql", self.stack.db_url, "-v", "ON_ERROR_STOP=1", "-qc",
                        "UPDATE matching.matches SET grounds_eligibility = NULL,"
                        " grounds_eligible_by = NULL, grounds_question = NULL,"
                        " grounds_severity_milli = NULL, grounds_languages = NULL,"
                        " grounds_ldc = NULL WHERE id = '%s'" % old.id], check=True,
                       capture_output=True)
        mine = self.matching.GetMatch(mpb.GetMatchRequest(match_id=old.id), metadata=self.state)
        self.assertFalse(mine.HasField("grounds"))
        self.assertEqual(mine.explanation, old.explanation)
        # the coarsened words need nothing recorded: a donor is told they are those
        theirs = self.matching.GetMatch(mpb.GetMatchRequest(match_id=old.id), metadata=self.donor)
        self.assertEqual([f.name for f, _ in theirs.grounds.ListFields()], ["coarsened"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
