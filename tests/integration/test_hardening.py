"""test_hardening: what an adversary, or bad luck, does to a running service, driven by a client not
written in C (Debian's grpcio): SIGTERM while a call waits on a row lock past the grace period,
calls whose deadline is gone before they can commit, and row locks that would otherwise hold
every worker. Each case failed before the fix it tests (see docs/hardening.md)."""
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/responses/v1/responses.proto",
                   "unic/matching/v1/matching.proto")
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2 as pb, responses_pb2_grpc  # noqa: E402


class RowLock:
    """A psql session holding a row lock on one assessment until release()."""

    def __init__(self, db_url, assessment_id):
        self.proc = subprocess.Popen(["psql", db_url, "-v", "ON_ERROR_STOP=1", "-qAt", "-f", "-"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.proc.stdin.write("BEGIN;\nSELECT 'locked' FROM responses.assessments WHERE id = '%s'"
                              " FOR UPDATE;\n" % assessment_id)
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self):
        self.proc.stdin.write("ROLLBACK;\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


class HardeningTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("hardening")
        cls.stack.start("catalog")
        cls.stack.start("responses")
        cls.stack.start("matching")
        cls.ken = lib.metadata(cls.stack.key("STATE", "KEN"))
        cls.operator = lib.metadata(cls.stack.operator_key)
        cls.responses = responses_pb2_grpc.ResponseServiceStub(
            grpc.insecure_channel(cls.stack.addr("responses")))

    @classmethod
    def tearDownClass(cls):
        for service in list(cls.stack.procs):
            code = cls.stack.stop(service)
            assert code == 0, "%s exited %d" % (service, code)
        cls.stack.close()

    def sql(self, query):
        out = subprocess.run(["psql", self.stack.db_url, "-qAtc", query], check=True,
                             capture_output=True, text=True).stdout
        return out.strip()

    def assessment(self, cycle):
        return self.responses.CreateAssessment(pb.CreateAssessmentRequest(
            state_code="KEN", cycle=cycle, questionnaire_id="cip-self-assessment"),
            timeout=10, metadata=self.ken)

    def revisions(self, assessment_id):
        return int(self.sql("SELECT count(*) FROM responses.revisions WHERE assessment_id = '%s'"
                            % assessment_id))

    def save(self, stub, a, level, timeout):
        return stub.SaveAnswers(pb.SaveAnswersRequest(
            assessment_id=a.id, etag=a.etag, answers=[pb.Answer(question_id="q1", level=level)]),
            timeout=timeout, metadata=self.ken)

    def wait_for_lock_waiters(self, n):
        for _ in range(200):
            if int(self.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            " AND datname = current_database()")) >= n:
                return
            time.sleep(0.05)
        self.fail("no call is waiting on the row lock")

    def test_sigterm_past_grace_exits_0_and_the_failed_write_never_commits(self):
        self.stack.stop("responses")
        self.stack.start("responses", {"UNIC_GRACE_SECONDS": "1", "UNIC_LOCK_TIMEOUT_MS": "60000",
                                       "UNIC_STATEMENT_TIMEOUT_MS": "60000"})
        stub = responses_pb2_grpc.ResponseServiceStub(
            grpc.insecure_channel(self.stack.addr("responses")))
        a = stub.CreateAssessment(pb.CreateAssessmentRequest(
            state_code="KEN", cycle=2021, questionnaire_id="cip-self-assessment"),
            timeout=10, metadata=self.ken)
        before = self.revisions(a.id)
        lock = RowLock(self.stack.db_url, a.id)
        outcome = {}

        def blocked_save():
            try:
                self.save(stub, a, 4, 30)
                outcome["code"] = grpc.StatusCode.OK
            except grpc.RpcError as err:
                outcome["code"], outcome["details"] = err.code(), err.details()

        t = threading.Thread(target=blocked_save)
        t.start()
        self.wait_for_lock_waiters(1)
        proc = self.stack.procs.pop("responses")
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        t.join(timeout=20)
        self.assertFalse(t.is_alive(), "the blocked call never got an answer")
        # The client has been told; only now may the lock go: nothing may commit after this.
        lock.release()
        code = proc.wait(timeout=30)
        print("exit %d after %.1f s (grace 1 s)" % (code, time.monotonic() - started))
        self.assertEqual(code, 0)
        self.assertEqual(outcome["code"], grpc.StatusCode.UNAVAILABLE, outcome)
        self.assertIn("shutting down", outcome["details"])
        self.assertEqual(self.revisions(a.id), before)
        self.stack.start("responses")

    def test_saves_with_a_1ms_deadline_commit_nothing(self):
        a = self.assessment(2022)
        before = self.revisions(a.id)
        failed = 0
        for i in range(60):
            head = self.responses.GetAssessment(pb.GetAssessmentRequest(assessment_id=a.id),
                                                timeout=10, metadata=self.ken)
            try:
                self.save(self.responses, head, i % 6, 0.001)
            except grpc.RpcError as err:
                self.assertEqual(err.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
                failed += 1
        self.assertEqual(failed, 60)
        self.assertEqual(self.revisions(a.id), before)

    def test_plans_with_a_1ms_deadline_store_nothing(self):
        stub = matching_pb2_grpc.MatchingServiceStub(
            grpc.insecure_channel(self.stack.addr("matching")))
        before = int(self.sql("SELECT count(*) FROM matching.plans"))
        stub.ProposeMatches(mpb.ProposeMatchesRequest(), timeout=30, metadata=self.operator)
        self.assertEqual(int(self.sql("SELECT count(*) FROM matching.plans")), before + 1)
        for _ in range(20):
            with self.assertRaises(grpc.RpcError) as ctx:
                stub.ProposeMatches(mpb.ProposeMatchesRequest(), timeout=0.001,
                                    metadata=self.operator)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertEqual(int(self.sql("SELECT count(*) FROM matching.plans")), before + 1)

    def test_a_held_row_lock_is_a_bounded_wait_and_other_calls_are_served(self):
        self.stack.stop("responses")
        self.stack.start("responses", {"UNIC_LOCK_TIMEOUT_MS": "300", "UNIC_WORKERS": "2"})
        stub = responses_pb2_grpc.ResponseServiceStub(
            grpc.insecure_channel(self.stack.addr("responses")))
        a = stub.CreateAssessment(pb.CreateAssessmentRequest(
            state_code="KEN", cycle=2023, questionnaire_id="cip-self-assessment"),
            timeout=10, metadata=self.ken)
        before = self.revisions(a.id)
        lock = RowLock(self.stack.db_url, a.id)
        try:
            futures = [stub.SaveAnswers.future(pb.SaveAnswersRequest(
                assessment_id=a.id, etag=a.etag, answers=[pb.Answer(question_id="q1", level=2)]),
                timeout=30, metadata=self.ken) for _ in range(6)]
            # More writers than workers wait on the lock, yet a read is still served.
            got = stub.GetAssessment(pb.GetAssessmentRequest(assessment_id=a.id), timeout=30,
                                     metadata=self.ken)
            self.assertEqual(got.id, a.id)
            for f in futures:
                self.assertEqual(f.code(), grpc.StatusCode.ABORTED, f.details())
                self.assertIn("could not lock", f.details())
        finally:
            lock.release()
        self.assertEqual(self.revisions(a.id), before)
        self.stack.stop("responses")
        self.stack.start("responses")


if __name__ == "__main__":
    unittest.main(verbosity=2)
