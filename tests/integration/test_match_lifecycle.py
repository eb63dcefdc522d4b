"""test_match_lifecycle: the life of a match after the plan is committed, through the real
binaries over grpcio (docs/matching-model.md, "The life of a match"): a decline with its reason;
ACCEPTED -> IN_DELIVERY -> DELIVERED (short, the rest returned) -> COMPLETED with the recipient's
feedback; a cancellation returning the quantity to the offer and the request; an operator acting
for a State with a recorded reason; every step in the history and the audit log, idempotent and
etag-checked; and every illegal transition refused with FAILED_PRECONDITION."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/matching/v1/matching.proto")
from unic.common.v1 import common_pb2  # noqa: E402
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402

STEPS = [mpb.IN_DELIVERY, mpb.DELIVERED, mpb.COMPLETED, mpb.CANCELLED]
# What AdvanceMatch may do from each status (docs/matching-model.md); everything else is refused.
LEGAL = {mpb.ACCEPTED: {mpb.IN_DELIVERY, mpb.CANCELLED},
         mpb.IN_DELIVERY: {mpb.DELIVERED, mpb.CANCELLED},
         mpb.DELIVERED: {mpb.COMPLETED}}


class MatchLifecycleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("match_lifecycle")
        for service in lib.SERVICES:
            cls.stack.start(service)
        cls.m = matching_pb2_grpc.MatchingServiceStub(cls.stack.channel("matching"))
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.fra = lib.metadata(cls.stack.key("STATE", "FRA"))  # the donor
        cls.ken = lib.metadata(cls.stack.key("STATE", "KEN"))  # the recipient
        cls.jpn = lib.metadata(cls.stack.key("STATE", "JPN"))  # neither
        cls.offer = cls.m.CreateOffer(mpb.CreateOfferRequest(offer=mpb.Offer(
            kind=common_pb2.TRAINING, topics=["cip"], capacity=100, title="CIP course")), metadata=cls.fra)
        # Four requests of KEN, so four matches: written by hand, so their figures are not
        # computed from an assessment and both parties see them.
        cls.requests = {}
        for name, qty in (("decline", 10), ("full", 8), ("cancel", 6), ("operator", 4)):
            cls.requests[name] = cls.m.CreateRequest(mpb.CreateRequestRequest(request=mpb.Request(
                kind=common_pb2.TRAINING, topic="cip", quantity=qty, priority=5 - len(cls.requests))),
                metadata=cls.ken)
        plan = cls.m.ProposeMatches(mpb.ProposeMatchesRequest(state_codes=["KEN"]), metadata=cls.op)
        cls.m.CommitMatchPlan(mpb.CommitMatchPlanRequest(plan_id=plan.id), metadata=cls.op)
        by_request = {m.request_id: m.id for m in plan.matches}
        cls.match = {name: by_request[r.id] for name, r in cls.requests.items()}

    @classmethod
    def tearDownClass(cls):
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        assert all(c == 0 for c in codes.values()), codes

    def sql(self, query):
        return subprocess.run(["psql", self.stack.db_url, "-Atc", query], check=True,
                              capture_output=True, text=True).stdout.strip()

    def get(self, name, md=None):
        return self.m.GetMatch(mpb.GetMatchRequest(match_id=self.match[name]), metadata=md or self.op)

    def remaining(self):
        return (self.m.GetOffer(mpb.GetOfferRequest(offer_id=self.offer.id), metadata=self.op).remaining,
                {n: self.m.GetRequest(mpb.GetRequestRequest(request_id=r.id), metadata=self.op).remaining
                 for n, r in self.requests.items()})

    def refused(self, code, fn, req, md):
        with self.assertRaises(grpc.RpcError) as cm:
            fn(req, metadata=md)
        self.assertEqual(cm.exception.code(), code, cm.exception.details())
        return cm.exception.details()

    def advance(self, name, status, md, **kw):
        return self.m.AdvanceMatch(mpb.AdvanceMatchRequest(
            match_id=self.match[name], etag=self.get(name).etag, status=status, **kw), metadata=md)

    def accept_both(self, name):
        self.m.RespondToMatch(mpb.RespondToMatchRequest(match_id=self.match[name], accept=True),
                              metadata=self.ken)
        m = self.m.RespondToMatch(mpb.RespondToMatchRequest(match_id=self.match[name], accept=True,
                                                           etag=self.get(name).etag), metadata=self.fra)
        self.assertEqual(m.status, mpb.ACCEPTED)

    def assert_only_legal(self, name):
        """Every step AdvanceMatch does not allow from the match's status is FAILED_PRECONDITION,
        asked by the party that could otherwise take it (so only the status decides), and moves
        nothing."""
        status = self.get(name).status
        before = self.remaining()
        for step in STEPS:
            if step in LEGAL.get(status, set()):
                continue
            for md in (self.fra, self.ken):
                kw = {"reason": "r"} if step == mpb.CANCELLED else {}
                if step == mpb.COMPLETED:
                    kw = {"rating": 3}
                details = self.refused(grpc.StatusCode.FAILED_PRECONDITION, self.m.AdvanceMatch,
                                       mpb.AdvanceMatchRequest(match_id=self.match[name],
                                                               etag=self.get(name).etag, status=step, **kw), md)
                self.assertIn("cannot become " + mpb.MatchStatus.Name(step), details)
        self.assertEqual(self.get(name).status, status)
        self.assertEqual(self.remaining(), before)

    def test_1_a_decline_needs_a_reason_and_gives_the_quantity_back(self):
        offer_before, reqs_before = self.remaining()
        details = self.refused(grpc.StatusCode.INVALID_ARGUMENT, self.m.RespondToMatch,
                               mpb.RespondToMatchRequest(match_id=self.match["decline"], accept=False), self.ken)
        self.assertIn("reason", details)
        m = self.m.RespondToMatch(mpb.RespondToMatchRequest(
            match_id=self.match["decline"], accept=False, reason="we found a national provider",
            note="thank you", request_id="decline-1"), metadata=self.ken)
        self.assertEqual(m.status, mpb.DECLINED)
        offer_after, reqs_after = self.remaining()
        self.assertEqual(offer_after, offer_before + 10)
        self.assertEqual(reqs_after["decline"], reqs_before["decline"] + 10)
        ev = self.get("decline", self.fra).history[-1]
        self.assertEqual((ev.from_status, ev.to_status, ev.party), (mpb.OFFERED, mpb.DECLINED, "RECIPIENT"))
        self.assertEqual(ev.reason, "we found a national provider")
        self.assertEqual(ev.note, "thank you")
        self.assertTrue(ev.at.endswith("Z"))
        # The same request_id again: the first answer, nothing more written.
        again = self.m.RespondToMatch(mpb.RespondToMatchRequest(
            match_id=self.match["decline"], accept=False, reason="we found a national provider",
            note="thank you", request_id="decline-1"), metadata=self.ken)
        self.assertEqual(again, m)
        self.assertEqual(len(self.get("decline").history), 1)
        self.assertEqual(self.remaining()[0], offer_after)
        self.assertEqual(self.refused(grpc.StatusCode.FAILED_PRECONDITION, self.m.RespondToMatch,
                                      mpb.RespondToMatchRequest(match_id=self.match["decline"], accept=True),
                                      self.fra).split(":")[0], "match %s is DECLINED" % self.match["decline"])
        self.assert_only_legal("decline")

    def test_2_the_full_life_offered_to_completed(self):
        self.assert_only_legal("full")  # OFFERED: no step of AdvanceMatch yet
        stale = self.get("full").etag
        self.accept_both("full")
        self.assert_only_legal("full")
        # A stale etag is ABORTED; the recipient does not start the donor's delivery.
        self.refused(grpc.StatusCode.ABORTED, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=self.match["full"], etag=stale, status=mpb.IN_DELIVERY), self.fra)
        self.refused(grpc.StatusCode.PERMISSION_DENIED, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=self.match["full"], etag=self.get("full").etag, status=mpb.IN_DELIVERY), self.ken)
        self.refused(grpc.StatusCode.PERMISSION_DENIED, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=self.match["full"], etag=self.get("full").etag, status=mpb.IN_DELIVERY), self.jpn)
        self.refused(grpc.StatusCode.PERMISSION_DENIED, self.m.GetMatch,
                     mpb.GetMatchRequest(match_id=self.match["full"]), self.jpn)
        self.refused(grpc.StatusCode.INVALID_ARGUMENT, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=self.match["full"], etag=self.get("full").etag, status=mpb.ACCEPTED), self.fra)
        self.refused(grpc.StatusCode.INVALID_ARGUMENT, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=self.match["full"], status=mpb.IN_DELIVERY), self.fra)  # no etag
        req = mpb.AdvanceMatchRequest(match_id=self.match["full"], etag=self.get("full").etag,
                                      status=mpb.IN_DELIVERY, note="course starts 3 March", request_id="go-1")
        m = self.m.AdvanceMatch(req, metadata=self.fra)
        self.assertEqual(m.status, mpb.IN_DELIVERY)
        self.assertEqual(self.m.AdvanceMatch(req, metadata=self.fra), m)  # replayed, not redone
        req.note = "another body"
        self.assertIn("request_id", self.refused(grpc.StatusCode.INVALID_ARGUMENT, self.m.AdvanceMatch,
                                                 req, self.fra))
        self.assert_only_legal("full")
        offer_before, reqs_before = self.remaining()
        self.refused(grpc.StatusCode.INVALID_ARGUMENT, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=self.match["full"], etag=self.get("full").etag, status=mpb.DELIVERED,
            delivered_quantity=9), self.fra)  # more than the match's 8
        m = self.advance("full", mpb.DELIVERED, self.fra, delivered_quantity=6, note="two seats unused")
        self.assertEqual((m.status, m.delivered_quantity), (mpb.DELIVERED, 6))
        offer_after, reqs_after = self.remaining()
        self.assertEqual(offer_after, offer_before + 2)  # the two seats not delivered
        self.assertEqual(reqs_after["full"], reqs_before["full"] + 2)
        self.assert_only_legal("full")
        self.refused(grpc.StatusCode.INVALID_ARGUMENT, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=self.match["full"], etag=self.get("full").etag, status=mpb.COMPLETED), self.ken)
        self.refused(grpc.StatusCode.PERMISSION_DENIED, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=self.match["full"], etag=self.get("full").etag, status=mpb.COMPLETED, rating=5), self.fra)
        m = self.advance("full", mpb.COMPLETED, self.ken, rating=4, feedback="useful; more labs next time")
        self.assertEqual((m.status, m.rating, m.feedback), (mpb.COMPLETED, 4, "useful; more labs next time"))
        self.assertTrue(m.completed_at.endswith("Z"))
        self.assert_only_legal("full")
        donor_view = self.get("full", self.fra)
        self.assertEqual([(e.from_status, e.to_status, e.party) for e in donor_view.history], [
            (mpb.OFFERED, mpb.OFFERED, "RECIPIENT"), (mpb.OFFERED, mpb.ACCEPTED, "DONOR"),
            (mpb.ACCEPTED, mpb.IN_DELIVERY, "DONOR"), (mpb.IN_DELIVERY, mpb.DELIVERED, "DONOR"),
            (mpb.DELIVERED, mpb.COMPLETED, "RECIPIENT")])
        self.assertEqual(donor_view.history[2].note, "course starts 3 March")
        self.assertEqual(donor_view.history[3].delivered_quantity, 6)
        self.assertTrue(all(e.actor.startswith("state:") for e in donor_view.history))
        # One audit event per step taken, none for those refused or replayed.
        self.assertEqual(self.sql("SELECT count(*) FROM audit.events WHERE resource = 'match/%s'"
                                  % self.match["full"]), "5")

    def test_3_a_cancellation_returns_what_was_not_delivered(self):
        self.accept_both("cancel")
        self.advance("cancel", mpb.IN_DELIVERY, self.fra)
        offer_before, reqs_before = self.remaining()
        self.assertIn("reason", self.refused(grpc.StatusCode.INVALID_ARGUMENT, self.m.AdvanceMatch,
                                             mpb.AdvanceMatchRequest(match_id=self.match["cancel"],
                                                                     etag=self.get("cancel").etag,
                                                                     status=mpb.CANCELLED), self.ken))
        m = self.advance("cancel", mpb.CANCELLED, self.ken, reason="the trainees were reassigned")
        self.assertEqual(m.status, mpb.CANCELLED)
        offer_after, reqs_after = self.remaining()
        self.assertEqual(offer_after, offer_before + 6)
        self.assertEqual(reqs_after["cancel"], reqs_before["cancel"] + 6)
        last = m.history[-1]
        self.assertEqual((last.from_status, last.to_status, last.party, last.reason),
                         (mpb.IN_DELIVERY, mpb.CANCELLED, "RECIPIENT", "the trainees were reassigned"))
        self.assert_only_legal("cancel")

    def test_4_an_operator_acts_for_a_state_with_a_recorded_reason(self):
        name = "operator"
        match = self.match[name]
        details = self.refused(grpc.StatusCode.INVALID_ARGUMENT, self.m.RespondToMatch,
                               mpb.RespondToMatchRequest(match_id=match, accept=True,
                                                         on_behalf_reason="asked"), self.op)
        self.assertIn("on_behalf_of", details)
        self.assertIn("KEN", details)
        self.assertIn("on_behalf_of", self.refused(
            grpc.StatusCode.INVALID_ARGUMENT, self.m.RespondToMatch, mpb.RespondToMatchRequest(
                match_id=match, accept=True, on_behalf_of="JPN", on_behalf_reason="asked"), self.op))
        self.assertIn("on_behalf_reason", self.refused(
            grpc.StatusCode.INVALID_ARGUMENT, self.m.RespondToMatch, mpb.RespondToMatchRequest(
                match_id=match, accept=True, on_behalf_of="KEN"), self.op))
        self.refused(grpc.StatusCode.PERMISSION_DENIED, self.m.RespondToMatch, mpb.RespondToMatchRequest(
            match_id=match, accept=True, on_behalf_of="FRA"), self.ken)  # a State only for itself
        m = self.m.RespondToMatch(mpb.RespondToMatchRequest(
            match_id=match, accept=True, on_behalf_of="KEN",
            on_behalf_reason="KEN's delegate asked by letter of 2 March (no key yet)"), metadata=self.op)
        self.assertEqual(m.status, mpb.OFFERED)
        self.assertTrue(m.recipient_accepted)
        m = self.m.RespondToMatch(mpb.RespondToMatchRequest(match_id=match, accept=True, etag=m.etag),
                                  metadata=self.fra)
        self.assertEqual(m.status, mpb.ACCEPTED)
        m = self.advance(name, mpb.IN_DELIVERY, self.op, on_behalf_of="FRA",
                         on_behalf_reason="FRA's embassy reported the start")
        self.assertEqual(m.status, mpb.IN_DELIVERY)
        first, last = m.history[0], m.history[-1]
        self.assertEqual((first.party, first.on_behalf_of), ("RECIPIENT", "KEN"))
        self.assertIn("letter of 2 March", first.on_behalf_reason)
        self.assertNotIn("state:", first.actor)  # the operator's own label
        self.assertEqual((last.party, last.on_behalf_of), ("DONOR", "FRA"))
        self.assertEqual(m.history[1].on_behalf_of, "")  # FRA answered itself
        # The operator for the recipient cannot take the donor's step.
        self.refused(grpc.StatusCode.PERMISSION_DENIED, self.m.AdvanceMatch, mpb.AdvanceMatchRequest(
            match_id=match, etag=m.etag, status=mpb.DELIVERED, on_behalf_of="KEN",
            on_behalf_reason="asked"), self.op)
        events = self.sql("SELECT summary FROM audit.events WHERE resource = 'match/%s' ORDER BY id" % match)
        self.assertIn("by an operator: KEN's delegate asked by letter", events)


if __name__ == "__main__":
    unittest.main(verbosity=2)
