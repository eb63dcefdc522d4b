"""test_webhooks: notifications delivered to States' webhooks by the catalog's worker, received by
a real HTTP server on loopback (Python's http.server; http:// is allowed to loopback only). A
reachability round is started while the receiver is down; once it is back it fails one attempt on
purpose and then accepts: the event arrives with the same id on every attempt, is accepted exactly
once, each signature verifies (HMAC-SHA-256 over "<t>.<body>" under the State's secret, checked
here with Python's hmac), and the State's delivery log shows every attempt, which another State
may not read. A committed plan reaches its donor and recipient (plan.committed, and
match.awaiting_answer for each match), a decline the other party. An endpoint that always fails is
dead-lettered once the retry window is over; a State the event does not concern gets nothing."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402
from webhook_receiver import Receiver, eventually, verify  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/directory.proto", "unic/catalog/v1/notifications.proto",
                   "unic/matching/v1/matching.proto")
from unic.common.v1 import common_pb2  # noqa: E402
from unic.catalog.v1 import directory_pb2, directory_pb2_grpc  # noqa: E402
from unic.catalog.v1 import notifications_pb2 as pb, notifications_pb2_grpc  # noqa: E402
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402

RETRY_SECONDS = 8  # the retry window: KEN's always-failing endpoint is dead after it


class WebhooksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rx = Receiver()  # down until started below
        cls.rx.fail["/ken"] = -1
        cls.url = cls.rx.url
        cls.stack = lib.Stack("webhooks")
        cls.stack.start("catalog", {
            "UNIC_WEBHOOK_POLL_MS": "100", "UNIC_WEBHOOK_BACKOFF_MS": "300",
            "UNIC_WEBHOOK_BACKOFF_MAX_MS": "1000", "UNIC_WEBHOOK_RETRY_SECONDS": str(RETRY_SECONDS),
            "UNIC_WEBHOOK_TIMEOUT_MS": "3000"})
        for service in ("responses", "scoring", "matching"):
            cls.stack.start(service)
        channel = grpc.insecure_channel(cls.stack.addr("catalog"))
        cls.notify = notifications_pb2_grpc.NotificationServiceStub(channel)
        cls.directory = directory_pb2_grpc.DirectoryServiceStub(channel)
        cls.m = matching_pb2_grpc.MatchingServiceStub(cls.stack.channel("matching"))
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.md = {s: lib.metadata(cls.stack.key("STATE", s)) for s in ("BEN", "KEN", "FRA", "NER", "NOR", "MWI")}
        cls.secret = {}
        for state in ("BEN", "KEN", "FRA", "NOR", "MWI"):
            cls.secret[state] = cls.notify.SetWebhook(pb.SetWebhookRequest(
                url="%s/%s" % (cls.url, state.lower())), metadata=cls.md[state]).secret
        for state in ("BEN", "KEN", "NER"):  # FRA has no entry: the round does not ask it
            cls.directory.PutDirectoryEntry(directory_pb2.PutDirectoryEntryRequest(
                point_of_contact=directory_pb2.PointOfContact(
                    unit="CIRT " + state, email="cirt@%s.example.org" % state.lower())), metadata=cls.md[state])
        cls.round = cls.directory.StartReachabilityRound(directory_pb2.StartReachabilityRoundRequest(
            note="Q4 ping"), metadata=cls.op)
        # While the receiver is down, the first attempts fail with no answer at all.
        cls.first = eventually(lambda: cls.deliveries("BEN"), 30)
        cls.rx.fail["/ben"] = 1  # back up, it fails once more on purpose, then accepts
        cls.rx.start()
        eventually(lambda: cls.rx.received("/ben", 200))
        # A plan between Norway (the donor) and Malawi (the recipient), committed; Malawi declines
        # one of its two matches.
        offer = cls.m.CreateOffer(mpb.CreateOfferRequest(offer=mpb.Offer(
            kind=common_pb2.TRAINING, topics=["cip"], capacity=100, title="CIP course")), metadata=cls.md["NOR"])
        for qty in (10, 5):
            cls.m.CreateRequest(mpb.CreateRequestRequest(request=mpb.Request(
                kind=common_pb2.TRAINING, topic="cip", quantity=qty, priority=3)), metadata=cls.md["MWI"])
        cls.plan = cls.m.ProposeMatches(mpb.ProposeMatchesRequest(state_codes=["MWI"]), metadata=cls.op)
        cls.m.CommitMatchPlan(mpb.CommitMatchPlanRequest(plan_id=cls.plan.id), metadata=cls.op)
        try:  # a failed commit writes no event
            cls.m.CommitMatchPlan(mpb.CommitMatchPlanRequest(plan_id=cls.plan.id), metadata=cls.op)
            raise AssertionError("a plan committed twice")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.FAILED_PRECONDITION, e
        cls.declined = cls.plan.matches[0].id
        cls.m.RespondToMatch(mpb.RespondToMatchRequest(match_id=cls.declined, accept=False,
                                                       reason="a national course came first"),
                             metadata=cls.md["MWI"])
        eventually(lambda: len(cls.rx.events("/nor")) >= 4 and len(cls.rx.events("/mwi")) >= 3)
        eventually(lambda: [d for d in cls.deliveries("KEN") if d.outcome == pb.DEAD], 60)
        time.sleep(1)  # ten polls more: anything that was still to come has come

    @classmethod
    def tearDownClass(cls):
        cls.rx.close()
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        assert all(c == 0 for c in codes.values()), codes

    @classmethod
    def deliveries(cls, state):
        return list(cls.notify.ListDeliveries(pb.ListDeliveriesRequest(), metadata=cls.md[state]).deliveries)

    def received(self, path):
        return self.rx.received(path)

    def fails(self, fn, req, md):
        with self.assertRaises(grpc.RpcError) as cm:
            fn(req, metadata=md)
        return cm.exception.code(), cm.exception.details()

    def test_delivered_after_the_receiver_came_back_exactly_once_with_one_id(self):
        self.assertEqual(self.first[-1].http_status, 0)  # down: no answer
        ben = self.received("/ben")
        self.assertEqual([r["status"] for r in ben], [500, 200])  # nothing after the 200
        self.assertEqual(len({r["id"] for r in ben}), 1)
        event = json.loads(ben[-1]["body"])
        self.assertEqual(event["id"], ben[-1]["id"])
        self.assertEqual(ben[-1]["type"], "reachability_round.started")
        self.assertEqual((event["type"], event["state_code"]), ("reachability_round.started", "BEN"))
        self.assertEqual(int(event["data"]["round_id"]), self.round.id)
        self.assertEqual(event["data"]["note"], "Q4 ping")

    def test_every_signature_verifies_under_the_states_secret_only(self):
        for r in self.received("/ben"):
            self.assertTrue(verify(self.secret["BEN"], r["signature"], r["body"], r["received"]))
            self.assertFalse(verify(self.secret["KEN"], r["signature"], r["body"], r["received"]))
            self.assertFalse(verify(self.secret["BEN"], r["signature"], r["body"] + b" ", r["received"]))
            self.assertFalse(verify(self.secret["BEN"], r["signature"], r["body"], r["received"] + 3600))

    def test_the_delivery_log_shows_every_attempt_to_the_state(self):
        log = self.deliveries("BEN")  # newest first
        self.assertEqual(log[0].outcome, pb.DELIVERED)
        self.assertEqual(log[0].http_status, 200)
        self.assertEqual(log[1].http_status, 500)
        self.assertEqual([d.outcome for d in log[1:]], [pb.RETRY] * (len(log) - 1))
        self.assertEqual([d.attempt for d in log], list(range(len(log), 0, -1)))
        self.assertEqual({d.http_status for d in log[2:]}, {0})
        self.assertEqual({d.event_id for d in log}, {self.received("/ben")[-1]["id"]})
        self.assertEqual({d.event_type for d in log}, {"reachability_round.started"})
        one = self.notify.ListDeliveries(pb.ListDeliveriesRequest(page_size=1), metadata=self.md["BEN"])
        rest = self.notify.ListDeliveries(pb.ListDeliveriesRequest(page_size=100, page_token=one.next_page_token),
                                          metadata=self.md["BEN"])
        self.assertEqual([d.id for d in one.deliveries] + [d.id for d in rest.deliveries], [d.id for d in log])

    def test_another_state_may_not_read_the_log_an_operator_may(self):
        code, msg = self.fails(self.notify.ListDeliveries, pb.ListDeliveriesRequest(state_code="BEN"),
                               self.md["KEN"])
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("only its own", msg)
        code, _ = self.fails(self.notify.GetWebhook, pb.GetWebhookRequest(state_code="BEN"), self.md["KEN"])
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        log = self.notify.ListDeliveries(pb.ListDeliveriesRequest(state_code="BEN"), metadata=self.op).deliveries
        self.assertEqual([d.id for d in log], [d.id for d in self.deliveries("BEN")])

    def test_an_endpoint_that_always_fails_is_dead_lettered_after_the_window(self):
        log = self.deliveries("KEN")
        self.assertEqual(log[0].outcome, pb.DEAD)
        self.assertEqual([d.outcome for d in log[1:]], [pb.RETRY] * (len(log) - 1))
        self.assertEqual(len({d.event_id for d in log}), 1)
        self.assertEqual(len(self.received("/ken")), len([d for d in log if d.http_status == 500]))

    def test_a_state_the_event_does_not_concern_or_without_endpoint_gets_nothing(self):
        self.assertEqual(self.received("/fra"), [])
        self.assertEqual(self.deliveries("FRA"), [])
        self.assertEqual(self.deliveries("NER"), [])  # asked, but it registered no endpoint

    def test_a_committed_plan_and_its_matches_reach_both_parties(self):
        mine = {m.id for m in self.plan.matches}
        self.assertEqual(len(mine), 2)
        for state, party in (("NOR", "DONOR"), ("MWI", "RECIPIENT")):
            events = self.rx.events("/" + state.lower())
            committed = [e for e in events if e["type"] == "plan.committed"]
            self.assertEqual(len(committed), 1)  # the failed second commit wrote none
            self.assertEqual(committed[0]["data"]["plan_id"], self.plan.id)
            self.assertEqual(set(committed[0]["data"]["matches"]), mine)
            awaiting = [e for e in events if e["type"] == "match.awaiting_answer"]
            self.assertEqual({e["data"]["match_id"] for e in awaiting}, mine)
            self.assertEqual({e["data"]["party"] for e in awaiting}, {party})
            self.assertEqual({e["state_code"] for e in events}, {state})
            self.assertEqual(len({e["id"] for e in events}), len(events))  # one id per event
            for r in self.rx.received("/" + state.lower()):
                self.assertTrue(verify(self.secret[state], r["signature"], r["body"], r["received"]))

    def test_a_decline_reaches_the_other_party(self):
        declined = [e for e in self.rx.events("/nor") if e["type"] == "match.declined"]
        self.assertEqual(len(declined), 1)
        self.assertEqual(declined[0]["data"]["match_id"], self.declined)
        self.assertEqual(declined[0]["data"]["declined_by"], "RECIPIENT")
        self.assertEqual(declined[0]["data"]["reason"], "a national course came first")
        self.assertEqual([e for e in self.rx.events("/mwi") if e["type"] == "match.declined"], [])

    def test_registering_and_rotating_an_endpoint(self):
        code, msg = self.fails(self.notify.SetWebhook, pb.SetWebhookRequest(url="http://hooks.example.org/x"),
                               self.md["NER"])
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(msg.startswith("url:"), msg)
        code, _ = self.fails(self.notify.SetWebhook, pb.SetWebhookRequest(url=self.url + "/ner"), self.op)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        code, msg = self.fails(self.notify.SetWebhook, pb.SetWebhookRequest(
            state_code="BEN", url=self.url + "/ner"), self.md["NER"])
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        code, _ = self.fails(self.notify.GetWebhook, pb.GetWebhookRequest(), self.md["NER"])
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)
        first = self.notify.SetWebhook(pb.SetWebhookRequest(url="https://hooks.example.ne/unic", request_id="n1"),
                                       metadata=self.md["NER"])
        again = self.notify.SetWebhook(pb.SetWebhookRequest(url="https://hooks.example.ne/unic", request_id="n1"),
                                       metadata=self.md["NER"])
        self.assertEqual(again.secret, first.secret)  # a retry, not a rotation
        rotated = self.notify.SetWebhook(pb.SetWebhookRequest(url="https://hooks.example.ne/unic2"),
                                         metadata=self.md["NER"])
        self.assertNotEqual(rotated.secret, first.secret)
        self.assertTrue(rotated.secret.startswith("whsec_"))
        hook = self.notify.GetWebhook(pb.GetWebhookRequest(state_code="NER"), metadata=self.op)
        self.assertEqual(hook.url, "https://hooks.example.ne/unic2")
        self.assertNotIn(rotated.secret, str(hook))


class IdempotencyPurgeTest(unittest.TestCase):
    """The catalog's idempotency keys (catalog.idempotency_keys) are purged once older than 24
    hours, by its worker at start-up and hourly (common/idem.h, idem_purge_due), as responses
    purges its own: a key aged past 24 h is gone, and its request_id then makes a new write; a
    fresh key still answers its retry with the first reply."""

    def test_an_expired_key_is_purged_and_a_fresh_one_still_dedupes(self):
        stack = lib.Stack("webhooks_purge")
        try:
            stack.start("catalog", {"UNIC_WEBHOOK_POLL_MS": "100"})
            notify = notifications_pb2_grpc.NotificationServiceStub(stack.channel("catalog"))
            md = {s: lib.metadata(stack.key("STATE", s)) for s in ("GHA", "TGO")}

            def set_webhook(state, request_id):
                return notify.SetWebhook(pb.SetWebhookRequest(url="https://hooks.example.org/" + state.lower(),
                                                              request_id=request_id), metadata=md[state]).secret

            old, fresh = set_webhook("GHA", "old-1"), set_webhook("TGO", "fresh-1")
            self.assertEqual(set_webhook("GHA", "old-1"), old)  # both dedupe while young
            self.assertEqual(self.request_ids(stack), ["fresh-1", "old-1"])
            stack.query("UPDATE catalog.idempotency_keys SET created_at = now() - interval '25 hours'"
                        " WHERE request_id = 'old-1'")
            self.assertEqual(stack.stop("catalog"), 0)
            stack.start("catalog", {"UNIC_WEBHOOK_POLL_MS": "100"})
            eventually(lambda: self.request_ids(stack) == ["fresh-1"], 20)
            self.assertEqual(self.request_ids(stack), ["fresh-1"])

            def log():
                with open(os.path.join(lib.STATE, "py-webhooks_purge-catalog.log")) as f:
                    return f.read()
            self.assertIn("purged 1 idempotency keys older than 24 h", eventually(
                lambda: "purged" in log() and log(), 5) or log())
            self.assertEqual(set_webhook("TGO", "fresh-1"), fresh)  # the fresh key still answers
            again = set_webhook("GHA", "old-1")  # the purged one is a new write: a new secret
            self.assertNotEqual(again, old)
            self.assertEqual(set_webhook("GHA", "old-1"), again)  # and keyed again from now on
            self.assertEqual(stack.stop("catalog"), 0)
        finally:
            stack.close()

    def request_ids(self, stack):
        return stack.query("SELECT request_id FROM catalog.idempotency_keys ORDER BY request_id")


if __name__ == "__main__":
    unittest.main(verbosity=2)
