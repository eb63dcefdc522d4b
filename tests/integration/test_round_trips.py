"""test_round_trips: a write to an assessment waits for PostgreSQL at most twice (common/db.h,
pipelines; services/responses/store.c), whatever its path: a save, a save with a request_id, its
retry, a stale etag, a save that changes nothing, a submit. Counted by the service itself
(unic_db_round_trips_total, by method) and read from its metrics; what was acknowledged is then
read back, so fewer round trips did not mean less written. A scorecard costs the scoring service
one call, GetAssessment, and that call one round trip; neither asks Redis anything. Tuvalu's
assessments, which no other test writes."""
import os
import re
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/responses/v1/responses.proto",
                   "unic/scoring/v1/scoring.proto")
from unic.responses.v1 import responses_pb2 as pb, responses_pb2_grpc  # noqa: E402
from unic.scoring.v1 import scoring_pb2, scoring_pb2_grpc  # noqa: E402

SERVICE = "/unic.responses.v1.ResponseService/"
MAX_ROUND_TRIPS = 2


class RoundTripsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("round_trips")
        cls.metrics = "127.0.0.1:%d" % (cls.stack.port_base + 5)
        cls.scoring_metrics = "127.0.0.1:%d" % (cls.stack.port_base + 6)
        cls.stack.start("catalog")
        # One worker, one connection: a statement is prepared once, by the first call that runs
        # it, and every later call's round trips are its own.
        cls.stack.start("responses", {"UNIC_METRICS_LISTEN": cls.metrics, "UNIC_WORKERS": "1"})
        cls.stack.start("scoring", {"UNIC_METRICS_LISTEN": cls.scoring_metrics})
        cls.tuv = lib.metadata(cls.stack.key("STATE", "TUV"))
        cls.stub = responses_pb2_grpc.ResponseServiceStub(
            grpc.insecure_channel(cls.stack.addr("responses")))
        cls.scoring = scoring_pb2_grpc.ScoringServiceStub(
            grpc.insecure_channel(cls.stack.addr("scoring")))

    @classmethod
    def tearDownClass(cls):
        for service in ("scoring", "responses", "catalog"):
            code = cls.stack.stop(service)
            assert code == 0, "%s exited %d" % (service, code)
        cls.stack.close()

    @staticmethod
    def counted(metrics, series):
        """The sum of the counters of `metrics` (host:port) whose series (name and labels, as
        exposed) matches the regular expression `series`."""
        with urllib.request.urlopen("http://%s/metrics" % metrics, timeout=5) as r:
            text = r.read().decode()
        return sum(int(float(v)) for v in re.findall(r"^(?:%s) (\S+)$" % series, text, re.M))

    def round_trips(self, method):
        """The round trips the service has counted for `method` so far. A call's are counted as
        its handler returns, before its reply is sent (its unic_rpc_calls_total only after), so
        they are all in once the client has the reply."""
        return self.counted(self.metrics, r'unic_db_round_trips_total\{method="%s"\}'
                            % re.escape(SERVICE + method))

    def measured(self, method, calls, do):
        """Runs do(), which makes `calls` calls of `method`, and returns their round trips per
        call."""
        before = self.round_trips(method)
        do()
        trips = self.round_trips(method) - before
        self.assertGreaterEqual(trips, calls, "each call waits for PostgreSQL at least once")
        return trips / calls

    def save(self, a, levels, request_id="", etag=None):
        answers = [pb.Answer(question_id="q%d" % (i + 1), level=lv) for i, lv in enumerate(levels)]
        return self.stub.SaveAnswers(pb.SaveAnswersRequest(
            assessment_id=a.id, etag=etag or a.etag, answers=answers, request_id=request_id),
            timeout=10, metadata=self.tuv)

    def test_every_write_path_waits_at_most_twice(self):
        a = self.stub.CreateAssessment(pb.CreateAssessmentRequest(
            state_code="TUV", cycle=2016, questionnaire_id="cip-self-assessment"),
            timeout=10, metadata=self.tuv)
        # The first request_id of the process also sweeps old keys (once an hour): done here,
        # before anything is counted, like loading the questionnaire from the catalog.
        a = self.save(a, [1, 1], request_id="warm-up")
        state = {"a": a}

        def saves():
            for n in range(5):
                state["a"] = self.save(state["a"], [(n + i) % 6 for i in range(18)])
        self.assertLessEqual(self.measured("SaveAnswers", 5, saves), MAX_ROUND_TRIPS)

        keyed = {}  # n -> (the etag sent, the reply)

        def saves_with_request_ids():
            for n in range(3):
                sent = state["a"].etag
                state["a"] = self.save(state["a"], [5 - n, n], request_id="rt-%d" % n)
                keyed[n] = (sent, state["a"])
        self.assertLessEqual(self.measured("SaveAnswers", 3, saves_with_request_ids), MAX_ROUND_TRIPS)

        def retries():  # the first reply again, though the etag has moved on since
            for n in range(3):
                sent, first = keyed[n]
                again = self.save(first, [5 - n, n], request_id="rt-%d" % n, etag=sent)
                self.assertEqual(again.SerializeToString(), first.SerializeToString())
        self.assertLessEqual(self.measured("SaveAnswers", 3, retries), MAX_ROUND_TRIPS)

        def refusals():
            with self.assertRaises(grpc.RpcError) as ctx:
                self.save(state["a"], [0], etag="1-stale")
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.ABORTED)
            with self.assertRaises(grpc.RpcError) as ctx:  # the same id, another body
                self.save(state["a"], [4, 4], request_id="rt-0")
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertLessEqual(self.measured("SaveAnswers", 2, refusals), MAX_ROUND_TRIPS)

        def unchanged():  # the answers it already has: no revision, the head as it is
            same = self.save(state["a"], [3, 2])
            self.assertEqual(same.revision, state["a"].revision)
        self.assertLessEqual(self.measured("SaveAnswers", 1, unchanged), MAX_ROUND_TRIPS)

        def submit():
            state["a"] = self.stub.SubmitAssessment(pb.SubmitAssessmentRequest(
                assessment_id=state["a"].id, etag=state["a"].etag, request_id="rt-submit"),
                timeout=10, metadata=self.tuv)
        self.assertLessEqual(self.measured("SubmitAssessment", 1, submit), MAX_ROUND_TRIPS)

        # Everything acknowledged is there: 1 create + 1 warm-up + 5 + 3 saves + 1 submit.
        head = self.stub.GetAssessment(pb.GetAssessmentRequest(assessment_id=a.id),
                                       timeout=10, metadata=self.tuv)
        self.assertEqual(head.SerializeToString(), state["a"].SerializeToString())
        self.assertEqual(head.revision, 11)
        self.assertEqual(head.status, pb.SUBMITTED)
        revisions = self.stub.ListRevisions(pb.ListRevisionsRequest(assessment_id=a.id),
                                            timeout=10, metadata=self.tuv)
        self.assertEqual([r.revision for r in revisions.revisions], list(range(1, 12)))


    def test_a_scorecard_is_one_call_of_one_round_trip_and_no_redis(self):
        a = self.stub.CreateAssessment(pb.CreateAssessmentRequest(
            state_code="TUV", cycle=2017, questionnaire_id="cip-self-assessment"),
            timeout=10, metadata=self.tuv)
        a = self.save(a, [(i * 5) % 6 for i in range(18)])
        request = scoring_pb2.GetScorecardRequest(assessment_id=a.id)
        first = self.scoring.GetScorecard(request, timeout=10, metadata=self.tuv)
        self.assertEqual(first.revision, a.revision)  # the questionnaire is now in memory
        any_cache = r"unic_cache_requests_total\{[^}]*\}"
        calls = r'unic_client_calls_total\{method="%s",code="[A-Z_]+"\}'
        get = "/unic.responses.v1.ResponseService/GetAssessment"
        n = 5
        before = {"trips": self.round_trips("GetAssessment"),
                  "gets": self.counted(self.scoring_metrics, calls % re.escape(get)),
                  "calls": self.counted(self.scoring_metrics, calls % "[^\"]+"),
                  "scoring_cache": self.counted(self.scoring_metrics, any_cache),
                  "responses_cache": self.counted(self.metrics, any_cache)}
        for _ in range(n):
            card = self.scoring.GetScorecard(request, timeout=10, metadata=self.tuv)
            self.assertEqual(card.overall_index, first.overall_index)
            self.assertFalse(card.from_cache)
        self.assertEqual(self.counted(self.scoring_metrics, calls % re.escape(get)) - before["gets"], n)
        self.assertEqual(self.counted(self.scoring_metrics, calls % "[^\"]+") - before["calls"], n,
                         "a scorecard calls nothing but GetAssessment")
        self.assertEqual(self.round_trips("GetAssessment") - before["trips"], n,
                         "GetAssessment reads the head and its snapshot in one round trip")
        self.assertEqual(self.counted(self.scoring_metrics, any_cache), before["scoring_cache"])
        self.assertEqual(self.counted(self.metrics, any_cache), before["responses_cache"])
        # Another State's key still cannot read it, nor score it.
        other = lib.metadata(self.stack.key("STATE", "FJI"))
        for call in (lambda: self.stub.GetAssessment(pb.GetAssessmentRequest(assessment_id=a.id),
                                                     timeout=10, metadata=other),
                     lambda: self.scoring.GetScorecard(request, timeout=10, metadata=other)):
            with self.assertRaises(grpc.RpcError) as ctx:
                call()
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.PERMISSION_DENIED)


if __name__ == "__main__":
    unittest.main()
