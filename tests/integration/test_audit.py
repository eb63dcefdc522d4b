"""test_audit: one scenario that changes every audited resource (identities and keys in the
catalog, an assessment's visibility in responses, offers, requests, plans and matches in
matching), made by people with keys of their own; the audit log then holds exactly one event per
change, each naming the person, and so do the rows changed (created_by, committed_by, a match's
responders). Refused changes write nothing."""
import hashlib
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/admin/v1/admin.proto",
                   "unic/responses/v1/responses.proto", "unic/matching/v1/matching.proto")
from unic.admin.v1 import admin_pb2 as apb, admin_pb2_grpc  # noqa: E402
from unic.common.v1 import common_pb2  # noqa: E402
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2 as rpb, responses_pb2_grpc  # noqa: E402


class AuditTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("audit")
        for service in lib.SERVICES:
            cls.stack.start(service)
        cls.admin = admin_pb2_grpc.AdminServiceStub(cls.stack.channel("catalog"))
        cls.responses = responses_pb2_grpc.ResponseServiceStub(cls.stack.channel("responses"))
        cls.matching = matching_pb2_grpc.MatchingServiceStub(cls.stack.channel("matching"))
        cls.op = lib.metadata(cls.stack.operator_key)

    @classmethod
    def tearDownClass(cls):
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        assert all(c == 0 for c in codes.values()), codes

    def person(self, name, email, role, state, md):
        who = self.admin.CreateIdentity(apb.CreateIdentityRequest(
            display_name=name, email=email, role=role, state_code=state), metadata=md)
        key = self.admin.CreateKey(apb.CreateKeyRequest(identity_id=who.id), metadata=md)
        return who, key, lib.metadata(key.secret)

    def events(self, after):
        out, token = [], ""
        while True:
            page = self.admin.ListAuditEvents(apb.ListAuditEventsRequest(page_token=token, page_size=50),
                                              metadata=self.op)
            out += [e for e in page.events if e.id > after]
            token = page.next_page_token
            if not token or page.events[-1].id <= after:
                return list(reversed(out))

    def test_every_change_is_one_event_naming_its_author(self):
        ops = self.admin.CreateIdentity(apb.CreateIdentityRequest(
            display_name="Ola Operator", email="ola@unic.example", role=apb.OPERATOR), metadata=self.op)
        ops_key = self.admin.CreateKey(apb.CreateKeyRequest(identity_id=ops.id), metadata=self.op)
        op = lib.metadata(ops_key.secret)
        ben_admin, _, ben_admin_md = self.person("Amina Bello", "amina@ben.example", apb.STATE_ADMIN, "BEN", op)
        fra, _, fra_md = self.person("Jeanne Martin", "jeanne@fra.example", apb.STATE_DELEGATE, "FRA", op)
        ben, ben_key, ben_md = self.person("Kofi Mensah", "kofi@ben.example", apb.STATE_DELEGATE, "BEN",
                                           ben_admin_md)
        start = self.events(0)[-1].id

        # Keys.
        rotated = self.admin.RotateKey(apb.RotateKeyRequest(key_id=ben_key.key.id), metadata=ben_admin_md)
        ben_md = lib.metadata(rotated.secret)
        spare = self.admin.CreateKey(apb.CreateKeyRequest(identity_id=ben.id, label="spare"),
                                     metadata=ben_admin_md)
        self.admin.RevokeKey(apb.RevokeKeyRequest(key_id=spare.key.id), metadata=ben_admin_md)
        # An assessment's visibility (creating it is recorded in its own revisions).
        a = self.responses.CreateAssessment(rpb.CreateAssessmentRequest(
            state_code="BEN", cycle=2025, questionnaire_id="cip-self-assessment"), metadata=ben_md)
        shared = self.responses.SetVisibility(rpb.SetVisibilityRequest(
            assessment_id=a.id, etag=a.etag, visibility=common_pb2.UNIC, request_id="vis-1"),
            metadata=ben_md)
        self.assertIn("Kofi Mensah <kofi@ben.example>", shared.updated_by)
        # Offers and requests.
        offer = self.matching.CreateOffer(mpb.CreateOfferRequest(offer=mpb.Offer(
            kind=common_pb2.EXPERTISE, topics=["cip"], capacity=40, title="CIP experts"),
            request_id="offer-1"), metadata=fra_md)
        offer.capacity = 50
        offer = self.matching.UpdateOffer(mpb.UpdateOfferRequest(offer=offer), metadata=fra_md)
        req = self.matching.CreateRequest(mpb.CreateRequestRequest(request=mpb.Request(
            kind=common_pb2.EXPERTISE, topic="cip", quantity=20, priority=3)), metadata=ben_md)
        spare_req = self.matching.CreateRequest(mpb.CreateRequestRequest(request=mpb.Request(
            kind=common_pb2.TRAINING, topic="cip", quantity=5, priority=1)), metadata=ben_md)
        self.matching.WithdrawRequest(mpb.WithdrawRequestRequest(
            request_id=spare_req.id, etag=spare_req.etag), metadata=ben_md)
        # A plan, committed, and both parties' answers.
        plan = self.matching.ProposeMatches(mpb.ProposeMatchesRequest(), metadata=op)
        self.assertEqual(len(plan.matches), 1)
        committed = self.matching.CommitMatchPlan(mpb.CommitMatchPlanRequest(plan_id=plan.id), metadata=op)
        match_id = committed.matches[0].id
        self.matching.RespondToMatch(mpb.RespondToMatchRequest(match_id=match_id, accept=True), metadata=fra_md)
        answered = self.matching.RespondToMatch(mpb.RespondToMatchRequest(match_id=match_id, accept=True),
                                                metadata=ben_md)
        self.assertEqual(answered.status, mpb.ACCEPTED)
        self.assertIn("Jeanne Martin <jeanne@fra.example>", answered.donor_responded_by)
        self.assertIn("Kofi Mensah <kofi@ben.example>", answered.recipient_responded_by)
        offer = self.matching.GetOffer(mpb.GetOfferRequest(offer_id=offer.id), metadata=fra_md)
        self.matching.WithdrawOffer(mpb.WithdrawOfferRequest(offer_id=offer.id, etag=offer.etag),
                                    metadata=fra_md)
        # Refused changes leave no trace: another State's offer, a stale etag, another State's delegate.
        for fn, r, md in ((self.matching.WithdrawOffer, mpb.WithdrawOfferRequest(
                               offer_id=offer.id, etag=offer.etag), ben_md),
                          (self.responses.SetVisibility, rpb.SetVisibilityRequest(
                               assessment_id=a.id, etag=a.etag, visibility=common_pb2.PUBLIC), ben_md),
                          (self.admin.CreateIdentity, apb.CreateIdentityRequest(
                               display_name="X", email="x@fra.example", role=apb.STATE_DELEGATE,
                               state_code="FRA"), ben_admin_md)):
            with self.assertRaises(grpc.RpcError):
                fn(r, metadata=md)

        got = [(e.method.rsplit("/", 1)[1], e.resource) for e in self.events(start)]
        self.assertEqual(got, [
            ("RotateKey", "key/" + ben_key.key.id),
            ("CreateKey", "key/" + spare.key.id),
            ("RevokeKey", "key/" + spare.key.id),
            ("SetVisibility", "assessment/" + a.id),
            ("CreateOffer", "offer/" + offer.id),
            ("UpdateOffer", "offer/" + offer.id),
            ("CreateRequest", "request/" + req.id),
            ("CreateRequest", "request/" + spare_req.id),
            ("WithdrawRequest", "request/" + spare_req.id),
            ("ProposeMatches", "plan/" + plan.id),
            ("CommitMatchPlan", "plan/" + plan.id),
            ("RespondToMatch", "match/" + match_id),
            ("RespondToMatch", "match/" + match_id),
            ("WithdrawOffer", "offer/" + offer.id),
        ])
        events = self.events(start)
        by = {e.resource + e.method: e for e in events}
        self.assertEqual(by["assessment/" + a.id + "/unic.responses.v1.ResponseService/SetVisibility"].request_id,
                         "vis-1")
        self.assertEqual(by["offer/" + offer.id + "/unic.matching.v1.MatchingService/CreateOffer"].request_id,
                         "offer-1")
        authors = {e.identity_id for e in events}
        self.assertEqual(authors, {ben_admin.id, ben.id, fra.id, ops.id})
        for e in events:
            self.assertRegex(e.actor, r"^[^<]+ <[^>]+@[^>]+> \(")
            self.assertNotEqual(e.summary, "")
            self.assertRegex(e.summary_code, r"^[a-z]+(-[a-z]+)+$")
        # Each summary also as a code and its arguments, which the portal says in any language;
        # the English sentence is the code's English form with the arguments in it.
        codes = [(e.method.split("/")[-1], e.summary_code) for e in events]
        self.assertEqual([c for m, c in codes if m in ("SetVisibility", "CreateOffer", "UpdateOffer",
                                                       "WithdrawRequest", "CommitMatchPlan", "WithdrawOffer")],
                         ["visibility-changed", "offer-created", "offer-updated", "request-withdrawn",
                          "plan-committed", "offer-withdrawn"])
        vis = by["assessment/" + a.id + "/unic.responses.v1.ResponseService/SetVisibility"]
        self.assertEqual(list(vis.summary_args), [a.id, "PRIVATE", "UNIC"])
        self.assertEqual(vis.summary, "visibility of assessment %s: PRIVATE to UNIC" % a.id)
        revoked = by["key/" + spare.key.id + "/unic.admin.v1.AdminService/RevokeKey"]
        self.assertEqual(revoked.summary_code, "key-revoked")
        self.assertEqual(revoked.summary_args[0], spare.key.id)
        created = by["offer/" + offer.id + "/unic.matching.v1.MatchingService/CreateOffer"]
        self.assertEqual(list(created.summary_args)[:2], [offer.id, "FRA"])
        self.assertEqual({e.service for e in events}, {"catalog", "responses", "matching"})
        # BEN's administrator sees BEN's events only; FRA's changes to its offer are FRA's.
        mine = self.admin.ListAuditEvents(apb.ListAuditEventsRequest(page_size=1000),
                                          metadata=ben_admin_md).events
        self.assertTrue(mine)
        self.assertEqual({e.state_code for e in mine}, {"BEN"})
        self.assertNotIn("offer/" + offer.id, {e.resource for e in mine})
        offers = self.admin.ListAuditEvents(apb.ListAuditEventsRequest(resource="offer/"),
                                            metadata=self.op).events
        self.assertEqual(len(offers), 3)
        self.assertTrue(all(e.state_code == "FRA" for e in offers))

    def test_the_bootstrap_key_is_audited_once_when_first_stored(self):
        key_id = hashlib.sha256(self.stack.operator_key.encode()).hexdigest()[:16]
        events = self.admin.ListAuditEvents(apb.ListAuditEventsRequest(resource="key/" + key_id),
                                            metadata=self.op).events
        # Four services started with it; the first stored it, the others found it there.
        self.assertEqual(len(events), 1, events)
        e = events[0]
        self.assertEqual((e.service, e.key_id, e.actor, e.resource),
                         ("catalog", key_id, "bootstrap", "key/" + key_id))
        self.assertIn("UNIC_BOOTSTRAP_KEY", e.method)


if __name__ == "__main__":
    unittest.main(verbosity=2)
