"""test_webhooks: notifications delivered to States' webhooks by the catalog's worker, received by
a real HTTP server on loopback (Python's http.server; http:// is allowed to loopback only). A
reachability round is started while the receiver is down; once it is back it fails one attempt on
purpose and then accepts: the event arrives with the same id on every attempt, is accepted exactly
once, each signature verifies (HMAC-SHA-256 over "<t>.<body>" under the State's secret, checked
here with Python's hmac), and the State's delivery log shows every attempt, which another State
may not read. An endpoint that always fails is dead-lettered once the retry window is over; a
State the event does not concern gets nothing."""
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/catalog/v1/directory.proto",
                   "unic/catalog/v1/notifications.proto")
from unic.catalog.v1 import directory_pb2, directory_pb2_grpc  # noqa: E402
from unic.catalog.v1 import notifications_pb2 as pb, notifications_pb2_grpc  # noqa: E402

RETRY_SECONDS = 8  # the retry window: KEN's always-failing endpoint is dead after it


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records every request; /ken always fails, /ben fails while `fail_ben` > 0."""
    seen = []
    fail_ben = 0
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with Receiver.lock:
            fail = self.path == "/ken" or (self.path == "/ben" and Receiver.fail_ben > 0)
            if self.path == "/ben" and Receiver.fail_ben > 0:
                Receiver.fail_ben -= 1
            Receiver.seen.append({"path": self.path, "body": body, "status": 500 if fail else 200,
                                  "id": self.headers["X-UNIC-Event-Id"],
                                  "type": self.headers["X-UNIC-Event-Type"],
                                  "signature": self.headers["X-UNIC-Signature"],
                                  "received": time.time()})
        self.send_response(500 if fail else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def eventually(check, seconds=60):
    deadline = time.time() + seconds
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(0.1)


def verify(secret, signature, body, now, tolerance=300):
    """What a receiver does (docs/notifications.md): recompute, compare in constant time, and
    refuse a signature whose time is more than `tolerance` seconds away from its own clock."""
    parts = dict(p.split("=", 1) for p in signature.split(","))
    want = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, parts["v1"]) and abs(now - int(parts["t"])) <= tolerance


class WebhooksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Bound but not listening: the receiver is "down" (connections refused) until activated.
        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver, bind_and_activate=False)
        cls.server.server_bind()
        cls.url = "http://127.0.0.1:%d" % cls.server.server_address[1]
        cls.stack = lib.Stack("webhooks")
        cls.stack.start("catalog", {
            "UNIC_WEBHOOK_POLL_MS": "100", "UNIC_WEBHOOK_BACKOFF_MS": "300",
            "UNIC_WEBHOOK_BACKOFF_MAX_MS": "1000", "UNIC_WEBHOOK_RETRY_SECONDS": str(RETRY_SECONDS),
            "UNIC_WEBHOOK_TIMEOUT_MS": "3000"})
        channel = grpc.insecure_channel(cls.stack.addr("catalog"))
        cls.notify = notifications_pb2_grpc.NotificationServiceStub(channel)
        cls.directory = directory_pb2_grpc.DirectoryServiceStub(channel)
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.md = {s: lib.metadata(cls.stack.key("STATE", s)) for s in ("BEN", "KEN", "FRA", "NER")}
        cls.secret = {}
        for state in ("BEN", "KEN", "FRA"):
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
        Receiver.fail_ben = 1  # back up, it fails once more on purpose, then accepts
        cls.server.server_activate()
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        eventually(lambda: [r for r in Receiver.seen if r["path"] == "/ben" and r["status"] == 200])
        eventually(lambda: [d for d in cls.deliveries("KEN") if d.outcome == pb.DEAD], 60)

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        code = cls.stack.stop("catalog")
        cls.stack.close()
        assert code == 0, "catalog exited %d" % code

    @classmethod
    def deliveries(cls, state):
        return list(cls.notify.ListDeliveries(pb.ListDeliveriesRequest(), metadata=cls.md[state]).deliveries)

    def received(self, path):
        with Receiver.lock:
            return [r for r in Receiver.seen if r["path"] == path]

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
        before = len(self.received("/ken"))
        time.sleep(1.5)  # many polls: a dead event is never tried again
        self.assertEqual(len(self.received("/ken")), before)

    def test_a_state_the_event_does_not_concern_or_without_endpoint_gets_nothing(self):
        self.assertEqual(self.received("/fra"), [])
        self.assertEqual(self.deliveries("FRA"), [])
        self.assertEqual(self.deliveries("NER"), [])  # asked, but it registered no endpoint

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


if __name__ == "__main__":
    unittest.main(verbosity=2)
