"""test_matching_gaps: DeriveRequests as the issue's new user tried it, through the real binaries
over grpcio. A State with thirteen gaps asks for two kinds: it gets one request per (gap, kind),
never one per topic, each with the quantity of the documented rule (docs/matching-model.md),
computed here by hand from the answers; the kinds are required and named
when missing; a preview writes nothing; deriving again files nothing new."""
import datetime
import math
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto",
                   "unic/responses/v1/responses.proto", "unic/matching/v1/matching.proto")
from unic.catalog.v1 import catalog_pb2 as cpb, catalog_pb2_grpc  # noqa: E402
from unic.common.v1 import common_pb2  # noqa: E402
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2 as rpb, responses_pb2_grpc  # noqa: E402

# Thirteen answered questions below the default target 3 (Established), all of weight 1:
# severity = 3 - level. q14 to q18 stay unanswered, which is "assessment needed", not a gap.
LEVELS = {"q1": 0, "q2": 1, "q3": 2, "q4": 0, "q5": 1, "q6": 2, "q7": 0, "q8": 1, "q9": 2,
          "q10": 0, "q11": 1, "q12": 2, "q13": 1}
UNIT = {common_pb2.FUNDS: 25, common_pb2.TRAINING: 5}  # per point of severity


class DeriveRequestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("matching_gaps")
        for service in lib.SERVICES:
            cls.stack.start(service)
        cls.catalog = catalog_pb2_grpc.CatalogServiceStub(cls.stack.channel("catalog"))
        cls.responses = responses_pb2_grpc.ResponseServiceStub(cls.stack.channel("responses"))
        cls.matching = matching_pb2_grpc.MatchingServiceStub(cls.stack.channel("matching"))
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.ner = lib.metadata(cls.stack.key("STATE", "NER"))
        cls.cycle = datetime.date.today().year
        a = cls.responses.CreateAssessment(rpb.CreateAssessmentRequest(
            state_code="NER", cycle=cls.cycle, questionnaire_id="cip-self-assessment"), metadata=cls.ner)
        cls.responses.SaveAnswers(rpb.SaveAnswersRequest(
            assessment_id=a.id, etag=a.etag,
            answers=[rpb.Answer(question_id=q, level=v) for q, v in LEVELS.items()]), metadata=cls.ner)
        qn = cls.catalog.GetQuestionnaire(cpb.GetQuestionnaireRequest(
            questionnaire_id="cip-self-assessment"), metadata=cls.ner)
        cls.topics = {q.id: list(q.topics) for s in qn.sections for q in s.questions}

    @classmethod
    def tearDownClass(cls):
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        assert all(c == 0 for c in codes.values()), codes

    def derive(self, **kw):
        return self.matching.DeriveRequests(mpb.DeriveRequestsRequest(cycle=self.cycle, **kw),
                                            metadata=self.ner)

    def filed(self):
        return self.stack_sql("SELECT count(*) FROM matching.requests WHERE state_code = 'NER'")

    def stack_sql(self, sql):
        return subprocess.run(["psql", self.stack.db_url, "-Atc", sql], check=True,
                              capture_output=True, text=True).stdout.strip()

    def assert_rule(self, requests):
        """One request per (gap, kind), with the rule's quantity and priority and the gap's topics."""
        self.assertEqual(len(requests), 13 * 2)
        seen = set()
        for q in requests:
            severity = 3 - LEVELS[q.source_question_id]
            key = (q.source_question_id, q.kind)
            self.assertNotIn(key, seen)
            seen.add(key)
            self.assertEqual(q.quantity, math.ceil(severity * UNIT[q.kind]), key)
            self.assertEqual(q.priority, min(5, severity), key)
            self.assertEqual(q.gap_severity, float(severity), key)
            self.assertEqual(list(q.topics), self.topics[q.source_question_id], key)
            self.assertEqual(q.topic, q.topics[0])
            self.assertEqual(q.source_cycle, self.cycle)
        self.assertEqual(seen, {(g, k) for g in LEVELS for k in UNIT})

    def test_1_kinds_are_required_and_the_error_lists_them(self):
        with self.assertRaises(grpc.RpcError) as cm:
            self.derive()
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("kinds", cm.exception.details())
        self.assertIn("EXPERTISE, FUNDS, EQUIPMENT, TRAINING", cm.exception.details())
        with self.assertRaises(grpc.RpcError) as cm:
            self.derive(kinds=[common_pb2.FUNDS, common_pb2.FUNDS])
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("FUNDS is listed twice", cm.exception.details())
        self.assertEqual(self.filed(), "0")

    def test_2_a_preview_shows_the_requests_and_files_none(self):
        r = self.derive(kinds=[common_pb2.FUNDS, common_pb2.TRAINING], validate_only=True)
        self.assert_rule(r.requests)
        self.assertEqual(r.created, 26)
        self.assertTrue(all(q.id == "" and q.etag == "" for q in r.requests))
        self.assertEqual(self.filed(), "0")
        self.assertEqual(self.stack_sql("SELECT count(*) FROM audit.events WHERE resource LIKE 'requests/%'"),
                         "0")

    def test_3_thirteen_gaps_give_one_request_per_gap_and_kind(self):
        r = self.derive(kinds=[common_pb2.FUNDS, common_pb2.TRAINING], languages=["fr"])
        self.assert_rule(r.requests)
        self.assertEqual(r.created, 26)
        # The case: q2 (severity 2, two topics) asks for 50 thousand USD once, not 100.
        funds_q2 = [q for q in r.requests if q.source_question_id == "q2" and q.kind == common_pb2.FUNDS]
        self.assertEqual([q.quantity for q in funds_q2], [50])
        self.assertEqual(sum(q.quantity for q in r.requests if q.kind == common_pb2.FUNDS),
                         25 * sum(3 - v for v in LEVELS.values()))
        self.assertEqual(self.filed(), "26")
        ids = sorted(q.id for q in r.requests)

        again = self.derive(kinds=[common_pb2.TRAINING, common_pb2.FUNDS], languages=["fr"])
        self.assertEqual(again.created, 0)
        self.assertEqual(sorted(q.id for q in again.requests), ids)
        self.assertEqual(self.filed(), "26")
        preview = self.derive(kinds=[common_pb2.FUNDS, common_pb2.EXPERTISE], validate_only=True)
        self.assertEqual(preview.created, 13)  # only the expertise ones would be new
        self.assertEqual(sum(1 for q in preview.requests if q.id == ""), 13)
        self.assertEqual(self.filed(), "26")
        # The requests are the matcher's: any of the gap's topics finds them.
        page = self.matching.ListRequests(mpb.ListRequestsRequest(state_code="NER", topic="cip"),
                                          metadata=self.ner)
        self.assertEqual({q.source_question_id for q in page.requests}, {"q1", "q2", "q3", "q9"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
