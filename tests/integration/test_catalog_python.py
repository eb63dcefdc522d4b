"""test_catalog_python: the questionnaire catalog driven by a client not written in C (Debian's
grpcio, stubs generated at test time): the questionnaire as JSON, the cached reply decoding like
the first, locales, the draft/publish cycle and error codes; and `buf curl` when it is installed."""
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto")
from unic.catalog.v1 import catalog_pb2 as pb, catalog_pb2_grpc  # noqa: E402

CIP = "cip-self-assessment"
BUF = os.environ.get("UNIC_BUF") or shutil.which("buf")


class CatalogPythonTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("catalog_python")
        cls.stack.start("catalog")
        cls.stub = catalog_pb2_grpc.CatalogServiceStub(grpc.insecure_channel(cls.stack.addr("catalog")))
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.state = lib.metadata(cls.stack.key("STATE", "KEN"))

    @classmethod
    def tearDownClass(cls):
        code = cls.stack.stop("catalog")
        cls.stack.close()
        assert code == 0, "catalog exited %d" % code

    def get(self, md=None, **kw):
        return self.stub.GetQuestionnaire(pb.GetQuestionnaireRequest(**kw), timeout=10, metadata=md or self.state)

    def assertCode(self, code, fn, *args, **kw):
        with self.assertRaises(grpc.RpcError) as ctx:
            fn(*args, timeout=10, **kw)
        self.assertEqual(ctx.exception.code(), code, ctx.exception.details())
        return ctx.exception.details()

    def test_questionnaire_comes_back_as_json_and_the_cached_reply_is_identical(self):
        first = self.get(questionnaire_id=CIP)
        second = self.get(questionnaire_id=CIP)  # from Redis: the bytes stored by the first call
        self.assertEqual(first, second)
        doc = json.loads(json_format.MessageToJson(first))
        self.assertEqual((doc["id"], doc["version"], doc["kind"], doc["state"], doc["locale"]),
                         (CIP, 1, "SELF_ASSESSMENT", "PUBLISHED", "en"))
        self.assertEqual(len(doc["sections"]), 7)
        questions = [q for s in doc["sections"] for q in s["questions"]]
        self.assertEqual([q["id"] for q in questions], ["q%d" % n for n in range(1, 19)])
        self.assertEqual(len(questions[4]["subItems"]), 4)
        self.assertTrue(all(len(q["levels"]) == 6 for q in questions))
        self.assertTrue(questions[0]["text"].startswith("Assess the role of information and communications"))

    def test_french_is_served_and_german_falls_back_to_english(self):
        self.assertEqual(self.get(questionnaire_id=CIP, locale="fr").locale, "fr")
        de = self.get(questionnaire_id=CIP, locale="de")
        self.assertEqual(de.locale, "en")
        self.assertEqual(de, self.get(questionnaire_id=CIP, locale="en"))
        q = self.stub.GetQuestion(pb.GetQuestionRequest(questionnaire_id="unic-compliance", question_id="para4a"),
                                  timeout=10, metadata=self.state)
        self.assertEqual((q.deadline, q.section_id, q.answer_type), ("2015-12-31", "para4", pb.YES_NO))

    def test_the_other_official_languages_are_served_without_fallback(self):
        for qid in (CIP, "unic-compliance"):
            en = self.get(questionnaire_id=qid, locale="en")
            for locale in ("ar", "zh", "ru", "es"):
                t = self.get(questionnaire_id=qid, locale=locale)
                self.assertEqual(t.locale, locale, qid)
                self.assertNotEqual(t.title, en.title, (qid, locale))
                self.assertEqual([s.id for s in t.sections], [s.id for s in en.sections])
                for ts, es in zip(t.sections, en.sections):
                    self.assertNotEqual(ts.title, es.title, (qid, locale, ts.id))
                    self.assertEqual([q.id for q in ts.questions], [q.id for q in es.questions])
                    for tq, eq in zip(ts.questions, es.questions):
                        self.assertNotEqual(tq.text, eq.text, (qid, locale, tq.id))
                        self.assertNotEqual(tq.guidance, eq.guidance, (qid, locale, tq.id))
                        self.assertEqual(len(tq.sub_items), len(eq.sub_items))
                        self.assertEqual(len(tq.levels), len(eq.levels))
                        for tl, el in zip(tq.levels, eq.levels):
                            self.assertNotEqual(tl.name, el.name, (qid, locale, tq.id, tl.level))

    def test_draft_then_publish_then_immutable(self):
        definition = pb.Questionnaire(
            id="python-pilot", title="Python pilot", kind=pb.COMPLIANCE, source="test",
            sections=[pb.Section(id="general", number=1, title="General", questions=[
                pb.Question(id="cert", number=1, text="Is there a national CERT?", answer_type=pb.YES_NO,
                            topics=["incident-response"], deadline="2030-01-31", required=True),
                pb.Question(id="report", number=2, text="Was the annual report filed?", answer_type=pb.YES_NO,
                            topics=["governance"], recurrence=pb.ANNUAL)])])
        created = self.stub.CreateQuestionnaireVersion(
            pb.CreateQuestionnaireVersionRequest(definition=definition), timeout=10, metadata=self.op)
        self.assertEqual((created.version, created.state, created.published_at), (1, pb.DRAFT, ""))
        self.assertEqual(created.sections[0].questions[0].weight, 1.0)
        self.assertEqual(created.sections[0].questions[1].recurrence, pb.ANNUAL)
        self.assertCode(grpc.StatusCode.NOT_FOUND, self.stub.GetQuestionnaire,
                        pb.GetQuestionnaireRequest(questionnaire_id="python-pilot", version=1), metadata=self.state)
        self.assertCode(grpc.StatusCode.PERMISSION_DENIED, self.stub.PublishQuestionnaireVersion,
                        pb.PublishQuestionnaireVersionRequest(questionnaire_id="python-pilot", version=1),
                        metadata=self.state)
        published = self.stub.PublishQuestionnaireVersion(
            pb.PublishQuestionnaireVersionRequest(questionnaire_id="python-pilot", version=1),
            timeout=10, metadata=self.op)
        self.assertEqual(published.state, pb.PUBLISHED)
        self.assertTrue(published.published_at.endswith("Z"))
        details = self.assertCode(grpc.StatusCode.FAILED_PRECONDITION, self.stub.PublishQuestionnaireVersion,
                                  pb.PublishQuestionnaireVersionRequest(questionnaire_id="python-pilot", version=1),
                                  metadata=self.op)
        self.assertIn("already published", details)
        self.assertEqual(self.get(questionnaire_id="python-pilot").version, 1)

    def test_errors_carry_their_status_and_the_field(self):
        bad = pb.Questionnaire(id="python-bad", title="Bad", kind=pb.SELF_ASSESSMENT, sections=[
            pb.Section(id="s1", number=1, title="One", questions=[
                pb.Question(id="q1", number=1, text="Text", answer_type=pb.MATURITY_LEVEL,
                            levels=[pb.LevelDescriptor(level=n, name="L%d" % n) for n in range(5)])])])
        details = self.assertCode(grpc.StatusCode.INVALID_ARGUMENT, self.stub.CreateQuestionnaireVersion,
                                  pb.CreateQuestionnaireVersionRequest(definition=bad), metadata=self.op)
        self.assertTrue(details.startswith("definition.sections[0].questions[0].levels: "), details)
        self.assertCode(grpc.StatusCode.PERMISSION_DENIED, self.stub.CreateQuestionnaireVersion,
                        pb.CreateQuestionnaireVersionRequest(definition=bad), metadata=self.state)
        self.assertCode(grpc.StatusCode.NOT_FOUND, self.stub.GetQuestionnaire,
                        pb.GetQuestionnaireRequest(questionnaire_id=CIP, version=42), metadata=self.state)

    @unittest.skipUnless(BUF, "buf is not installed (set UNIC_BUF to its path to run this)")
    def test_buf_curl_returns_the_questionnaire_as_json(self):
        out = subprocess.run(
            [BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--schema",
             os.path.join(lib.SOURCE, "proto"), "-H", "authorization: Bearer " + self.stack.operator_key,
             "http://%s/unic.catalog.v1.CatalogService/GetQuestionnaire" % self.stack.addr("catalog"),
             "-d", json.dumps({"questionnaire_id": CIP, "locale": "fr"})],
            check=True, capture_output=True, text=True, timeout=60).stdout
        doc = json.loads(out)
        self.assertEqual((doc["id"], doc["locale"], len(doc["sections"])), (CIP, "fr", 7))


if __name__ == "__main__":
    unittest.main(verbosity=2)
