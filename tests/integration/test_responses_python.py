"""test_responses_python: one full flow of the response service driven by a client not written in
C (Debian's grpcio, stubs generated at test time): create -> save -> submit -> read back, with the
errors a client meets on the way (a field named, a stale etag, another State's key)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/responses/v1/responses.proto")
from unic.common.v1 import common_pb2  # noqa: E402
from unic.responses.v1 import responses_pb2 as pb, responses_pb2_grpc  # noqa: E402

QUESTIONS = ["q%d" % i for i in range(1, 19)]  # cip-self-assessment v1


class ResponsesFlowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("responses_python")
        cls.stack.start("catalog")
        cls.stack.start("responses")
        cls.ken = lib.metadata(cls.stack.key("STATE", "KEN"))
        cls.fra = lib.metadata(cls.stack.key("STATE", "FRA"))
        cls.operator = lib.metadata(cls.stack.operator_key)
        cls.stub = responses_pb2_grpc.ResponseServiceStub(
            grpc.insecure_channel(cls.stack.addr("responses")))

    @classmethod
    def tearDownClass(cls):
        for service in ("responses", "catalog"):
            code = cls.stack.stop(service)
            assert code == 0, "%s exited %d" % (service, code)
        cls.stack.close()

    def expect(self, code, call, request, md):
        with self.assertRaises(grpc.RpcError) as ctx:
            call(request, timeout=10, metadata=md)
        self.assertEqual(ctx.exception.code(), code, ctx.exception.details())
        return ctx.exception.details()

    def test_create_save_submit_read_back(self):
        s = self.stub
        created = s.CreateAssessment(pb.CreateAssessmentRequest(
            state_code="KEN", cycle=2025, questionnaire_id="cip-self-assessment",
            request_id="py-create"), timeout=10, metadata=self.ken)
        self.assertEqual(created.id, "KEN-2025-cip-self-assessment")
        self.assertEqual((created.status, created.revision), (pb.DRAFT, 1))
        self.assertEqual(created.visibility, common_pb2.PRIVATE)

        # A field the server names, and nothing written.
        bad = pb.Answer(question_id="q1", level=9)
        details = self.expect(grpc.StatusCode.INVALID_ARGUMENT, s.SaveAnswers,
                              pb.SaveAnswersRequest(assessment_id=created.id, etag=created.etag,
                                                    answers=[bad]), self.ken)
        self.assertTrue(details.startswith("answers[0].level:"), details)

        answers = [pb.Answer(question_id=q, level=i % 6) for i, q in enumerate(QUESTIONS)]
        answers[0].narrative = "Stratégie nationale de cybersécurité, 2022.\nRévisée en 2024."
        answers[0].evidence.add(uri="https://example.go.ke/strategy.pdf", title="Strategy")
        answers[0].target_level = 4
        saved = s.SaveAnswers(pb.SaveAnswersRequest(
            assessment_id=created.id, etag=created.etag, answers=answers, request_id="py-save"),
            timeout=10, metadata=self.ken)
        self.assertEqual(saved.revision, 2)
        self.assertAlmostEqual(saved.completeness, 1.0)
        self.assertTrue(saved.answers[0].HasField("level"))
        self.assertEqual(saved.answers[0].level, 0)  # present and zero
        # The retry returns the very same reply.
        again = s.SaveAnswers(pb.SaveAnswersRequest(
            assessment_id=created.id, etag=created.etag, answers=answers, request_id="py-save"),
            timeout=10, metadata=self.ken)
        self.assertEqual(again.SerializeToString(), saved.SerializeToString())

        # Another State's key neither writes nor reads it.
        self.expect(grpc.StatusCode.PERMISSION_DENIED, s.SubmitAssessment,
                    pb.SubmitAssessmentRequest(assessment_id=created.id, etag=saved.etag), self.fra)
        self.expect(grpc.StatusCode.PERMISSION_DENIED, s.GetAssessment,
                    pb.GetAssessmentRequest(assessment_id=created.id), self.fra)
        # A stale etag is refused.
        self.expect(grpc.StatusCode.ABORTED, s.SubmitAssessment,
                    pb.SubmitAssessmentRequest(assessment_id=created.id, etag=created.etag), self.ken)

        submitted = s.SubmitAssessment(pb.SubmitAssessmentRequest(
            assessment_id=created.id, etag=saved.etag), timeout=10, metadata=self.ken)
        self.assertEqual((submitted.status, submitted.revision), (pb.SUBMITTED, 3))
        self.assertTrue(submitted.submitted_at.endswith("Z"))

        shared = s.SetVisibility(pb.SetVisibilityRequest(
            assessment_id=created.id, etag=submitted.etag, visibility=common_pb2.UNIC),
            timeout=10, metadata=self.ken)

        # Read back: by id, by (state, cycle, questionnaire), as an operator once shared.
        by_id = s.GetAssessment(pb.GetAssessmentRequest(assessment_id=created.id), timeout=10,
                                metadata=self.ken)
        self.assertEqual(by_id.SerializeToString(), shared.SerializeToString())
        by_key = s.GetAssessment(pb.GetAssessmentRequest(
            state_code="KEN", cycle=2025, questionnaire_id="cip-self-assessment"),
            timeout=10, metadata=self.operator)
        self.assertEqual(by_key.SerializeToString(), shared.SerializeToString())
        self.assertEqual([a.question_id for a in by_key.answers], QUESTIONS)
        self.assertEqual(by_key.answers[0].narrative, answers[0].narrative)
        self.assertEqual(by_key.answers[0].evidence[0].uri, "https://example.go.ke/strategy.pdf")

        history = s.ListRevisions(pb.ListRevisionsRequest(assessment_id=created.id), timeout=10,
                                  metadata=self.ken)
        self.assertEqual([r.action for r in history.revisions],
                         ["CREATE", "SAVE", "SUBMIT", "VISIBILITY"])
        self.assertEqual(list(history.revisions[1].changed_questions), QUESTIONS)
        old = s.GetRevision(pb.GetRevisionRequest(assessment_id=created.id, revision=2), timeout=10,
                            metadata=self.ken)
        self.assertEqual(old.SerializeToString(), saved.SerializeToString())

        listed = s.ListAssessments(pb.ListAssessmentsRequest(state_code="KEN"), timeout=10,
                                   metadata=self.operator)
        self.assertEqual([a.id for a in listed.assessments], [created.id])
        self.assertEqual(len(listed.assessments[0].answers), 0)  # summaries unless asked


if __name__ == "__main__":
    unittest.main(verbosity=2)
