"""test_hardening: what an adversary, or bad luck, does to a running service, driven by a client not
written in C (Debian's grpcio): SIGTERM while a call waits on a row lock past the grace period,
calls whose deadline is gone before they can commit, row locks that would otherwise hold every
worker, NUL and control bytes in strings, a flood with an unknown key, quotas, a database that
comes back without durable commits, a downstream service back after an outage, and a revoked
bootstrap key across restarts. Each case failed before the fix it tests (docs/hardening.md)."""
import os
import re
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
                   "unic/scoring/v1/scoring.proto", "unic/matching/v1/matching.proto")
from grpc.health.v1 import health_pb2  # noqa: E402
from unic.catalog.v1 import catalog_pb2 as cpb, catalog_pb2_grpc  # noqa: E402
from unic.common.v1 import common_pb2  # noqa: E402
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2 as pb, responses_pb2_grpc  # noqa: E402
from unic.scoring.v1 import scoring_pb2 as spb, scoring_pb2_grpc  # noqa: E402


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
        self.proc.stdout.close()


class HardeningTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("hardening")
        cls.stack.start("catalog")
        cls.stack.start("responses")
        cls.stack.start("scoring")
        cls.stack.start("matching")
        cls.ken = lib.metadata(cls.stack.key("STATE", "KEN"))
        cls.fra = lib.metadata(cls.stack.key("STATE", "FRA"))
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

    def expect(self, code, call, request, md, timeout=10):
        with self.assertRaises(grpc.RpcError) as ctx:
            call(request, timeout=timeout, metadata=md)
        self.assertEqual(ctx.exception.code(), code, ctx.exception.details())
        return ctx.exception.details()

    def test_nul_and_control_bytes_in_any_string_are_refused_naming_the_field(self):
        a = self.assessment(2024)
        before = self.revisions(a.id)
        bad = grpc.StatusCode.INVALID_ARGUMENT
        save = self.responses.SaveAnswers
        cases = [
            (pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, answers=[pb.Answer(
                question_id="q1", level=2, narrative="visible\0HIDDEN")]), "answers[0].narrative"),
            (pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag + "\0tail", answers=[
                pb.Answer(question_id="q1", level=2)]), "etag"),
            (pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, request_id="retry\0x",
                                   answers=[pb.Answer(question_id="q1", level=2)]), "request_id"),
            (pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, answers=[pb.Answer(
                question_id="q1", level=2, narrative="bell\a")]), "answers[0].narrative"),
            (pb.SaveAnswersRequest(assessment_id=a.id + "\0", etag=a.etag), "assessment_id"),
        ]
        for request, field in cases:
            details = self.expect(bad, save, request, self.ken)
            self.assertTrue(details.startswith(field + ":"), details)
        self.assertEqual(self.revisions(a.id), before)
        # Tab, newline and carriage return are free text.
        saved = save(pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, answers=[pb.Answer(
            question_id="q1", level=2, narrative="line 1\r\n\tline 2")]), timeout=10,
            metadata=self.ken)
        self.assertEqual(saved.answers[0].narrative, "line 1\r\n\tline 2")

        catalog = catalog_pb2_grpc.CatalogServiceStub(
            grpc.insecure_channel(self.stack.addr("catalog")))
        details = self.expect(bad, catalog.GetQuestionnaire, cpb.GetQuestionnaireRequest(
            questionnaire_id="cip-self-assessment\0"), self.ken)
        self.assertTrue(details.startswith("questionnaire_id:"), details)
        matching = matching_pb2_grpc.MatchingServiceStub(
            grpc.insecure_channel(self.stack.addr("matching")))
        offer = mpb.Offer(kind=common_pb2.EXPERTISE, topics=["strategy", "gover\0nance"],
                          capacity=5, title="Offer")
        details = self.expect(bad, matching.CreateOffer, mpb.CreateOfferRequest(offer=offer),
                              self.fra)
        self.assertTrue(details.startswith("offer.topics[1]:"), details)
        self.assertEqual(self.sql("SELECT count(*) FROM matching.offers WHERE donor_state = 'FRA'"
                                  " AND title = 'Offer'"), "0")

    def test_an_unknown_key_costs_the_database_one_lookup(self):
        catalog = catalog_pb2_grpc.CatalogServiceStub(
            grpc.insecure_channel(self.stack.addr("catalog")))
        unknown = lib.metadata("unic_" + "x" * 43)
        self.expect(grpc.StatusCode.UNAUTHENTICATED, catalog.ListTopics, cpb.ListTopicsRequest(),
                    unknown)
        # With the key table locked, a lookup would wait and fail; the negative cache answers.
        locker = subprocess.Popen(["psql", self.stack.db_url, "-qAt", "-f", "-"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        locker.stdin.write("BEGIN;\nLOCK auth.api_keys IN ACCESS EXCLUSIVE MODE;\n"
                           "SELECT 'locked';\n")
        locker.stdin.flush()
        self.assertEqual(locker.stdout.readline().strip(), "locked")
        try:
            for _ in range(20):
                details = self.expect(grpc.StatusCode.UNAUTHENTICATED, catalog.ListTopics,
                                      cpb.ListTopicsRequest(), unknown)
                self.assertEqual(details, "unknown or revoked key")
        finally:
            locker.stdin.write("ROLLBACK;\n")
            locker.stdin.close()
            locker.wait(timeout=10)
            locker.stdout.close()

    def test_a_state_over_its_offer_quota_is_resource_exhausted(self):
        self.stack.stop("matching")
        self.stack.start("matching", {"UNIC_QUOTA_OFFERS_PER_HOUR": "3"})
        matching = matching_pb2_grpc.MatchingServiceStub(
            grpc.insecure_channel(self.stack.addr("matching")))
        nga = lib.metadata(self.stack.key("STATE", "NGA"))
        offer = mpb.Offer(kind=common_pb2.TRAINING, topics=["strategy"], capacity=5,
                          title="Quota offer")
        for _ in range(3):
            matching.CreateOffer(mpb.CreateOfferRequest(offer=offer), timeout=10, metadata=nga)
        details = self.expect(grpc.StatusCode.RESOURCE_EXHAUSTED, matching.CreateOffer,
                              mpb.CreateOfferRequest(offer=offer), nga)
        self.assertIn("UNIC_QUOTA_OFFERS_PER_HOUR", details)
        self.assertEqual(self.sql("SELECT count(*) FROM matching.offers WHERE donor_state = 'NGA'"),
                         "3")
        # Operators have no quota.
        offer.donor_state = "NGA"
        matching.CreateOffer(mpb.CreateOfferRequest(offer=offer), timeout=10,
                             metadata=self.operator)
        self.stack.stop("matching")
        self.stack.start("matching")

    def identity_key(self, role, state, name, email):
        """A key of a person (auth.identities), made straight in the database: its calls are
        labelled "<name> <<email>> (<role> <state>, key <id>)", not "state:<state>/<id>"."""
        identity = self.sql("INSERT INTO auth.identities (display_name, email, role, state_code,"
                            " created_by) VALUES ('%s', '%s', '%s', '%s', 'test') RETURNING id"
                            % (name, email, role, state)).splitlines()[0]
        key = self.stack.key("STATE", state)
        self.sql("UPDATE auth.api_keys SET identity_id = '%s' WHERE identity_id IS NULL AND"
                 " state_code = '%s' AND label = 'python'" % (identity, state))
        return lib.metadata(key)

    def test_a_state_over_its_request_quota_is_resource_exhausted(self):
        self.stack.stop("matching")
        self.stack.start("matching", {"UNIC_QUOTA_REQUESTS_PER_HOUR": "2"})
        matching = matching_pb2_grpc.MatchingServiceStub(
            grpc.insecure_channel(self.stack.addr("matching")))
        lbr = lib.metadata(self.stack.key("STATE", "LBR"))
        request = mpb.Request(kind=common_pb2.EXPERTISE, topic="strategy", quantity=10, priority=2)
        for _ in range(2):
            matching.CreateRequest(mpb.CreateRequestRequest(request=request), timeout=10,
                                   metadata=lbr)
        details = self.expect(grpc.StatusCode.RESOURCE_EXHAUSTED, matching.CreateRequest,
                              mpb.CreateRequestRequest(request=request), lbr)
        self.assertIn("UNIC_QUOTA_REQUESTS_PER_HOUR", details)
        self.assertIn("LBR may create at most 2 requests per hour", details)
        # A retry with an idempotency key is no way around it, and nothing was stored.
        self.expect(grpc.StatusCode.RESOURCE_EXHAUSTED, matching.CreateRequest,
                    mpb.CreateRequestRequest(request=request, request_id="quota-retry"), lbr)
        self.assertEqual(self.sql("SELECT count(*) FROM matching.requests WHERE state_code = 'LBR'"),
                         "2")
        # Another State's quota is its own; operators have none.
        fra = matching.CreateRequest(mpb.CreateRequestRequest(request=request), timeout=10,
                                     metadata=self.fra)
        self.assertEqual(fra.state_code, "FRA")
        request.state_code = "LBR"
        matching.CreateRequest(mpb.CreateRequestRequest(request=request), timeout=10,
                               metadata=self.operator)
        self.stack.stop("matching")
        self.stack.start("matching")

    def test_a_state_over_its_plan_quota_is_resource_exhausted(self):
        self.stack.stop("matching")
        self.stack.start("matching", {"UNIC_QUOTA_PLANS_PER_HOUR": "2"})
        matching = matching_pb2_grpc.MatchingServiceStub(
            grpc.insecure_channel(self.stack.addr("matching")))
        sle = lib.metadata(self.stack.key("STATE", "SLE"))
        # The State's plans are counted whoever of it proposed them: a key of no identity, and
        # a delegate's key, whose calls are labelled with the person's name.
        delegate = self.identity_key("STATE_DELEGATE", "SLE", "Fatmata Kamara",
                                     "fatmata@sle.example")
        propose = mpb.ProposeMatchesRequest(state_codes=["SLE"])
        matching.ProposeMatches(propose, timeout=30, metadata=sle)
        plan = matching.ProposeMatches(propose, timeout=30, metadata=delegate)
        created_by = self.sql("SELECT created_by FROM matching.plans WHERE id = '%s'" % plan.id)
        self.assertTrue(created_by.startswith(
            "Fatmata Kamara <fatmata@sle.example> (STATE_DELEGATE SLE, key "), created_by)
        for md in (sle, delegate):
            details = self.expect(grpc.StatusCode.RESOURCE_EXHAUSTED, matching.ProposeMatches,
                                  propose, md, timeout=30)
            self.assertIn("UNIC_QUOTA_PLANS_PER_HOUR", details)
            self.assertIn("SLE may create at most 2 plans per hour", details)
        self.assertEqual(self.sql("SELECT count(*) FROM matching.plans WHERE created_by LIKE"
                                  " 'state:SLE/%' OR created_by LIKE 'Fatmata Kamara %'"), "2")
        # Operators have no quota.
        matching.ProposeMatches(propose, timeout=30, metadata=self.operator)
        self.stack.stop("matching")
        self.stack.start("matching")

    def terminate_backends(self):
        self.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                 " WHERE datname = current_database() AND pid <> pg_backend_pid()")

    def test_no_start_and_no_write_without_durable_commits(self):
        self.stack.stop("catalog")
        url = self.stack.db_url + " options='-c synchronous_commit=off'"
        with self.assertRaises(RuntimeError):
            self.stack.start("catalog", {"UNIC_DB_URL": url})
        self.stack.procs.pop("catalog").wait(timeout=10)
        log = os.path.join(lib.STATE, "py-hardening-catalog.log")
        with open(log) as f:
            self.assertIn("refusing to serve: database not durable: synchronous_commit is off",
                          f.read())
        self.stack.start("catalog")

        # PostgreSQL comes back with commits no longer durable: the service reconnects, and
        # refuses to write there.
        a = self.assessment(2025)
        before = self.revisions(a.id)
        self.sql("ALTER DATABASE %s SET synchronous_commit = off" % ("test_hardening",))
        try:
            self.terminate_backends()
            # A worker whose connection was cut mid-statement says so; each one then reconnects,
            # finds commits no longer durable, and refuses.
            seen = []
            for _ in range(6):
                seen.append(self.expect(grpc.StatusCode.UNAVAILABLE, self.responses.SaveAnswers,
                                        pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag,
                                                              answers=[pb.Answer(question_id="q1",
                                                                                 level=1)]),
                                        self.ken))
            self.assertTrue(any("not durable" in d for d in seen), seen)
            # Health follows the database through a background probe, which reconnects, finds
            # the same, and says so within its bound (common/db_probe.h).
            statuses = []
            for _ in range(40):
                statuses.append(self.stack.health_stub("responses").Check(
                    health_pb2.HealthCheckRequest(), timeout=5).status)
                if statuses[-1] == health_pb2.HealthCheckResponse.NOT_SERVING:
                    break
                time.sleep(0.05)
            self.assertEqual(statuses[-1], health_pb2.HealthCheckResponse.NOT_SERVING, statuses)
        finally:
            self.sql("ALTER DATABASE test_hardening RESET synchronous_commit")
        self.assertEqual(self.revisions(a.id), before)
        self.terminate_backends()
        self.save(self.responses, a, 1, 10)

    def test_a_downstream_service_back_after_an_outage_is_reached_within_a_second(self):
        scoring = scoring_pb2_grpc.ScoringServiceStub(
            grpc.insecure_channel(self.stack.addr("scoring")))
        a = self.assessment(2026)
        request = spb.GetScorecardRequest(assessment_id=a.id)
        scoring.GetScorecard(request, timeout=10, metadata=self.ken)
        self.stack.stop("responses")
        # Long enough for gRPC's default backoff (1 s growing by 1.6) to pass 5 s between tries.
        end = time.monotonic() + 12
        while time.monotonic() < end:
            self.expect(grpc.StatusCode.UNAVAILABLE, scoring.GetScorecard, request, self.ken)
            time.sleep(0.5)
        self.stack.start("responses")
        time.sleep(1.5)
        scoring.GetScorecard(request, timeout=10, metadata=self.ken)


class BootstrapKeyTest(unittest.TestCase):
    def test_a_revoked_bootstrap_key_stays_revoked_across_restarts(self):
        stack = lib.Stack("hardening_keys")
        try:
            stack.start("catalog")
            catalog = catalog_pb2_grpc.CatalogServiceStub(
                grpc.insecure_channel(stack.addr("catalog")))
            operator = lib.metadata(stack.operator_key)
            catalog.ListTopics(cpb.ListTopicsRequest(), timeout=10, metadata=operator)
            subprocess.run(["psql", stack.db_url, "-qc", "UPDATE auth.api_keys SET revoked_at ="
                            " now() WHERE label = 'bootstrap'"], check=True)
            self.assertEqual(stack.stop("catalog"), 0)
            stack.start("catalog")  # with the same UNIC_BOOTSTRAP_KEY
            with self.assertRaises(grpc.RpcError) as ctx:
                catalog.ListTopics(cpb.ListTopicsRequest(), timeout=10, metadata=operator)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
            # A new bootstrap key is set deliberately, by configuring it.
            self.assertEqual(stack.stop("catalog"), 0)
            old = stack.operator_key
            stack.operator_key = old[:-4] + "new1"
            stack.start("catalog")
            catalog.ListTopics(cpb.ListTopicsRequest(), timeout=10,
                               metadata=lib.metadata(stack.operator_key))
            with self.assertRaises(grpc.RpcError) as ctx:
                catalog.ListTopics(cpb.ListTopicsRequest(), timeout=10, metadata=operator)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAUTHENTICATED)
            self.assertEqual(stack.stop("catalog"), 0)
        finally:
            stack.close()


class LeastPrivilegeTest(unittest.TestCase):
    """A service connected as its own login role, the owner role running the migrations."""

    def psql(self, url, sql):
        return subprocess.run(["psql", url, "-qAtc", sql], capture_output=True, text=True)

    def responses_as_own_role(self, stack, role, password):
        """Starts the catalog (the owner migrates: the group roles exist from then on), makes
        `role` a login member of unic_responses_svc, and starts responses as it. Returns the
        owner's URL, the role's URL and a stub of that responses."""
        stack.start("catalog")
        owner = stack.db_url
        self.psql(owner, "DROP ROLE IF EXISTS %s" % role)
        created = self.psql(owner, "CREATE ROLE %s LOGIN PASSWORD '%s' IN ROLE unic_responses_svc"
                            % (role, password))
        self.assertEqual(created.returncode, 0, created.stderr)
        login = re.sub(r"user=\S+", "user=" + role,
                       re.sub(r"password=\S+", "password=" + password, owner))
        stack.start("responses", {"UNIC_DB_URL": login, "UNIC_OWNER_DB_URL": owner})
        return owner, login, responses_pb2_grpc.ResponseServiceStub(
            grpc.insecure_channel(stack.addr("responses")))

    def test_a_service_role_cannot_rewrite_history_nor_disable_its_trigger(self):
        stack = lib.Stack("hardening_roles")
        try:
            owner, login, stub = self.responses_as_own_role(stack, "hardening_responses", "hardening-pw")
            ken = lib.metadata(stack.key("STATE", "KEN"))
            a = stub.CreateAssessment(pb.CreateAssessmentRequest(
                state_code="KEN", cycle=2024, questionnaire_id="cip-self-assessment"),
                timeout=10, metadata=ken)
            stub.SaveAnswers(pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, answers=[
                pb.Answer(question_id="q1", level=3)]), timeout=10, metadata=ken)

            update = self.psql(login, "UPDATE responses.revisions SET reason = 'rewritten'")
            self.assertIn("permission denied", update.stderr)
            delete = self.psql(login, "DELETE FROM responses.revisions")
            self.assertIn("permission denied", delete.stderr)
            disable = self.psql(login, "ALTER TABLE responses.revisions"
                                " DISABLE TRIGGER revisions_append_only")
            self.assertIn("must be owner", disable.stderr)
            other = self.psql(login, "DELETE FROM catalog.topics")
            self.assertIn("permission denied", other.stderr)
            keys = self.psql(login, "DELETE FROM auth.api_keys")
            self.assertIn("permission denied", keys.stderr)
            owned = self.psql(owner, "SELECT count(*) FROM pg_class c JOIN pg_roles r ON"
                              " r.oid = c.relowner WHERE r.rolname = 'hardening_responses'")
            self.assertEqual(owned.stdout.strip(), "0")
            self.assertEqual(self.psql(owner, "SELECT count(*) FROM responses.revisions WHERE"
                                       " reason = 'rewritten'").stdout.strip(), "0")
            for service in ("responses", "catalog"):
                self.assertEqual(stack.stop(service), 0)
        finally:
            stack.close()
            self.psql(stack.admin_url, "DROP DATABASE IF EXISTS test_hardening_roles WITH (FORCE)")
            self.psql(stack.admin_url, "DROP ROLE IF EXISTS hardening_responses")

    def test_a_service_role_reads_no_other_states_private_rows_even_by_hand(self):
        """Row-level security (services/responses/sql/004_row_security.sql): as the service's own
        role, with the settings of a caller, a hand-written query sees what that caller may."""
        stack = lib.Stack("hardening_rls")
        try:
            owner, login, stub = self.responses_as_own_role(stack, "hardening_rls", "rls-pw")
            lso, swz = (lib.metadata(stack.key("STATE", s)) for s in ("LSO", "SWZ"))
            for md, state in ((lso, "LSO"), (swz, "SWZ")):  # both PRIVATE, the default
                a = stub.CreateAssessment(pb.CreateAssessmentRequest(
                    state_code=state, cycle=2024, questionnaire_id="cip-self-assessment"),
                    timeout=10, metadata=md)
                a = stub.SaveAnswers(pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, answers=[
                    pb.Answer(question_id="q1", level=2)]), timeout=10, metadata=md)
            theirs = "LSO-2024-cip-self-assessment"

            def rows(role, state, sql):
                """The last line of `sql` run as the service's role with a caller's settings."""
                script = ("SELECT set_config('unic.role', '%s', false),"
                          " set_config('unic.state', '%s', false) \\g /dev/null\n%s\n" % (role, state, sql))
                done = subprocess.run(["psql", login, "-qAt", "-v", "ON_ERROR_STOP=1"], input=script,
                                      capture_output=True, text=True)
                return done.stdout.strip().splitlines()[-1] if done.returncode == 0 else done.stderr

            counts = ("SELECT (SELECT count(*) FROM responses.assessments WHERE state_code = 'LSO')"
                      " || ' ' || (SELECT count(*) FROM responses.answers WHERE assessment_id = '%s')"
                      " || ' ' || (SELECT count(*) FROM responses.revisions WHERE assessment_id = '%s')"
                      % (theirs, theirs))
            self.assertEqual(rows("STATE", "LSO", counts), "1 1 2")  # its own: the head, q1, 2 revisions
            for role, state in (("STATE", "SWZ"), ("OPERATOR", ""), ("SERVICE", ""), ("", "")):
                self.assertEqual(rows(role, state, counts), "0 0 0", (role, state))
            # no condition at all: only the caller's own rows come back
            self.assertEqual(rows("STATE", "SWZ", "SELECT string_agg(DISTINCT left(assessment_id, 3),"
                                  " ',') FROM responses.answers"), "SWZ")
            # nor can it write another State's rows, whatever the statement says
            self.assertEqual(rows("STATE", "SWZ", "WITH u AS (UPDATE responses.assessments SET"
                                  " updated_by = 'x' RETURNING state_code) SELECT string_agg("
                                  "state_code, ',') FROM u"), "SWZ")
            insert = rows("STATE", "SWZ", "INSERT INTO responses.answers (assessment_id, question_id,"
                          " level, updated_at, updated_by) VALUES ('%s', 'q2', 5, now(), 'x')" % theirs)
            self.assertIn("row-level security", insert)
            # shared with UNIC, an operator's session reads it; other States' still do not
            a = stub.GetAssessment(pb.GetAssessmentRequest(assessment_id=theirs), timeout=10,
                                   metadata=lso)
            stub.SetVisibility(pb.SetVisibilityRequest(assessment_id=theirs, etag=a.etag,
                                                       visibility=common_pb2.UNIC),
                               timeout=10, metadata=lso)
            self.assertEqual(rows("OPERATOR", "", counts), "1 1 3")
            self.assertEqual(rows("STATE", "SWZ", counts), "0 0 0")
            # the owner, serving no call, reads every row (migrations, an administrator)
            self.assertEqual(self.psql(owner, "SELECT count(*) FROM responses.answers").stdout.strip(),
                             "2")
            for service in ("responses", "catalog"):
                self.assertEqual(stack.stop(service), 0)
        finally:
            stack.close()
            self.psql(stack.admin_url, "DROP DATABASE IF EXISTS test_hardening_rls WITH (FORCE)")
            self.psql(stack.admin_url, "DROP ROLE IF EXISTS hardening_rls")

    def run_once(self, stack, service, env):
        """Runs `service` to its end with stack's settings plus env; (exit status, its log)."""
        full = dict(os.environ, UNIC_LISTEN=stack.addr(service), UNIC_DB_URL=stack.db_url,
                    UNIC_REDIS=stack.redis, UNIC_BOOTSTRAP_KEY=stack.operator_key,
                    UNIC_PAGE_TOKEN_SECRET="test-page-token-secret-0123456789abcdef")
        full.update(env)
        exe = os.path.join(lib.BIN, "services", service, "unic-" + service)
        done = subprocess.run([exe], env=full, capture_output=True, text=True, timeout=120)
        return done.returncode, done.stderr

    def test_a_migration_job_then_services_whose_roles_own_nothing(self):
        stack = lib.Stack("hardening_migrate")
        roles = ("hardening_catalog", "hardening_responses")
        try:
            owner = stack.db_url
            # Before any migration, a service that only checks refuses to start, saying why.
            rc, log = self.run_once(stack, "catalog", {"UNIC_MIGRATE": "check"})
            self.assertEqual(rc, 1, log)
            self.assertIn("UNIC_MIGRATE=check", log)
            rc, log = self.run_once(stack, "catalog", {"UNIC_MIGRATE": "sometimes"})
            self.assertEqual(rc, 1, log)
            self.assertIn("expected apply, check or only", log)
            # The job: each service's start-up work as the owner, then exit 0 without serving.
            for service in ("catalog", "responses"):
                rc, log = self.run_once(stack, service, {"UNIC_MIGRATE": "only"})
                self.assertEqual(rc, 0, log)
                self.assertIn("not serving", log)
            self.assertEqual(self.psql(owner, "SELECT count(*) > 190 FROM catalog.states")
                             .stdout.strip(), "t")
            logins = {}
            for role, service in zip(roles, ("catalog", "responses")):
                self.psql(owner, "DROP ROLE IF EXISTS %s" % role)
                made = self.psql(owner, "CREATE ROLE %s LOGIN PASSWORD 'hardening-pw' IN ROLE"
                                 " unic_%s_svc" % (role, service))
                self.assertEqual(made.returncode, 0, made.stderr)
                logins[service] = re.sub(r"user=\S+", "user=" + role,
                                         re.sub(r"password=\S+", "password=hardening-pw", owner))
            # The replicas: their own roles only, no owner URL, checking and serving.
            for service in ("catalog", "responses"):
                stack.start(service, {"UNIC_DB_URL": logins[service], "UNIC_OWNER_DB_URL": "",
                                      "UNIC_MIGRATE": "check"})
            catalog = catalog_pb2_grpc.CatalogServiceStub(grpc.insecure_channel(stack.addr("catalog")))
            operator = lib.metadata(stack.operator_key)  # stored by the job, not by a replica
            states = catalog.ListStates(cpb.ListStatesRequest(), timeout=10, metadata=operator)
            self.assertGreater(len(states.states), 190)
            stub = responses_pb2_grpc.ResponseServiceStub(grpc.insecure_channel(stack.addr("responses")))
            ken = lib.metadata(stack.key("STATE", "KEN"))
            a = stub.CreateAssessment(pb.CreateAssessmentRequest(
                state_code="KEN", cycle=2024, questionnaire_id="cip-self-assessment"),
                timeout=10, metadata=ken)
            saved = stub.SaveAnswers(pb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, answers=[
                pb.Answer(question_id="q1", level=2)]), timeout=10, metadata=ken)
            self.assertEqual(saved.revision, a.revision + 1)
            # A build newer than the database refuses to serve rather than run on old tables.
            self.psql(owner, "DELETE FROM responses.schema_migrations WHERE version ="
                      " (SELECT max(version) FROM responses.schema_migrations)")
            self.assertEqual(stack.stop("responses"), 0)
            rc, log = self.run_once(stack, "responses", {"UNIC_DB_URL": logins["responses"],
                                                         "UNIC_MIGRATE": "check"})
            self.assertEqual(rc, 1, log)
            self.assertRegex(log, r"schema responses is at migration \d+, this build needs \d+")
            self.assertEqual(stack.stop("catalog"), 0)
        finally:
            stack.close()
            self.psql(stack.admin_url, "DROP DATABASE IF EXISTS test_hardening_migrate WITH (FORCE)")
            for role in roles:
                self.psql(stack.admin_url, "DROP ROLE IF EXISTS %s" % role)


if __name__ == "__main__":
    unittest.main(verbosity=2)
