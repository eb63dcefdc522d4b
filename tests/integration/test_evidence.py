"""test_evidence: evidence documents attached to answers (docs/evidence.md) against the real
PostgreSQL and service binaries, driven by grpcio and by HTTP through the gateway: a chunked upload
interrupted by a restart of the service resumes where the server says it stands; the same content
attached twice is stored once; bytes of a refused type are stopped at the first chunk, and a zip
that is no office document at commit; the State's quota holds; a PRIVATE assessment's documents
reach only its State (and the JSON export lists them for whoever reads it); every attachment is
audited with the person who made it, and the scorecard report lists them among its evidence."""
import hashlib
import json
import os
import subprocess
import sys
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/admin/v1/admin.proto",
                   "unic/responses/v1/responses.proto", "unic/scoring/v1/scoring.proto")
from unic.admin.v1 import admin_pb2 as apb, admin_pb2_grpc  # noqa: E402
from unic.common.v1 import common_pb2  # noqa: E402
from unic.responses.v1 import responses_pb2 as pb, responses_pb2_grpc  # noqa: E402

MIB = 1024 * 1024
QUOTA = 6 * MIB
SERVICE = "unic.responses.v1.ResponseService"


def pdf(size, seed):
    """A document that starts as a PDF does, and is `size` bytes long."""
    body = hashlib.sha256(seed.encode()).digest() * (size // 32 + 1)
    return (b"%PDF-1.7\n" + body)[:size]


class EvidenceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("evidence")
        cls.stack.start("catalog")
        cls.env = {"UNIC_EVIDENCE_QUOTA_BYTES": str(QUOTA)}
        cls.stack.start("responses", cls.env)
        cls.stack.start("scoring")
        cls.stack.start_gateway()
        admin = admin_pb2_grpc.AdminServiceStub(cls.stack.channel("catalog"))
        op = lib.metadata(cls.stack.operator_key)
        who = admin.CreateIdentity(apb.CreateIdentityRequest(
            display_name="Wanjiru Kamau", email="wanjiru@ken.example", role=apb.STATE_DELEGATE,
            state_code="KEN"), metadata=op)
        cls.ken_key = admin.CreateKey(apb.CreateKeyRequest(identity_id=who.id), metadata=op).secret
        cls.ken = lib.metadata(cls.ken_key)
        cls.fra = lib.metadata(cls.stack.key("STATE", "FRA"))
        cls.op = op
        cls.stub = cls.new_stub()
        a = cls.stub.CreateAssessment(pb.CreateAssessmentRequest(
            state_code="KEN", cycle=2025, questionnaire_id="cip-self-assessment"), metadata=cls.ken)
        cls.aid, cls.etag = a.id, a.etag

    @classmethod
    def new_stub(cls):
        return responses_pb2_grpc.ResponseServiceStub(cls.stack.channel("responses"))

    @classmethod
    def tearDownClass(cls):
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        assert all(c == 0 for c in codes.values()), codes

    def expect(self, code, call, request, md):
        with self.assertRaises(grpc.RpcError) as ctx:
            call(request, timeout=20, metadata=md)
        self.assertEqual(ctx.exception.code(), code, ctx.exception.details())
        return ctx.exception.details()

    def sql(self, query):
        out = subprocess.run(["psql", self.stack.db_url, "-XAtc", query], check=True,
                             capture_output=True, text=True)
        return out.stdout.strip()

    def upload(self, content, question="q1", filename="evidence.pdf", stub=None):
        s = stub or self.stub
        up = s.BeginEvidenceUpload(pb.BeginEvidenceUploadRequest(
            assessment_id=self.aid, question_id=question, filename=filename, size=len(content),
            sha256=hashlib.sha256(content).hexdigest()), timeout=20, metadata=self.ken)
        step = up.max_chunk_bytes
        for offset in range(0, len(content), step):
            up = s.PutEvidenceChunk(pb.PutEvidenceChunkRequest(
                upload_id=up.upload_id, offset=offset, data=content[offset:offset + step]),
                timeout=20, metadata=self.ken)
        return s.CommitEvidenceUpload(pb.CommitEvidenceUploadRequest(upload_id=up.upload_id),
                                      timeout=60, metadata=self.ken)

    def read_all(self, doc_id, md, chunk=MIB):
        out, offset = b"", 0
        while True:
            part = self.stub.GetEvidenceContent(pb.GetEvidenceContentRequest(
                document_id=doc_id, offset=offset, length=chunk), timeout=20, metadata=md)
            out += part.bytes
            offset += len(part.bytes)
            if offset >= part.size:
                return out, part

    def test_1_upload_interrupted_by_a_restart_resumes(self):
        content = pdf(2 * MIB + 12345, "strategy")
        up = self.stub.BeginEvidenceUpload(pb.BeginEvidenceUploadRequest(
            assessment_id=self.aid, question_id="q1", filename="Stratégie nationale.pdf",
            size=len(content)), timeout=20, metadata=self.ken)
        self.assertEqual(up.max_chunk_bytes, MIB)
        self.assertTrue(up.upload_id.startswith(self.aid + "/u-"), up.upload_id)
        for offset in (0, MIB):
            up = self.stub.PutEvidenceChunk(pb.PutEvidenceChunkRequest(
                upload_id=up.upload_id, offset=offset, data=content[offset:offset + MIB]),
                timeout=20, metadata=self.ken)
        self.assertEqual(up.received, 2 * MIB)

        # The service goes away mid-upload (a crash, a deploy); what it acknowledged is kept.
        self.stack.stop("responses", lib.signal.SIGKILL)
        self.stack.start("responses", self.env)
        stub = self.new_stub()
        self.__class__.stub = stub
        state = stub.GetEvidenceUpload(pb.GetEvidenceUploadRequest(upload_id=up.upload_id),
                                       timeout=20, metadata=self.ken)
        self.assertEqual((state.received, state.size), (2 * MIB, len(content)))
        # The client did not see its last reply: the same chunk again is accepted as it was.
        again = stub.PutEvidenceChunk(pb.PutEvidenceChunkRequest(
            upload_id=up.upload_id, offset=MIB, data=content[MIB:2 * MIB]), timeout=20,
            metadata=self.ken)
        self.assertEqual(again.received, 2 * MIB)
        # Other bytes there, or a gap, are refused naming where to resume.
        details = self.expect(grpc.StatusCode.FAILED_PRECONDITION, stub.PutEvidenceChunk,
                              pb.PutEvidenceChunkRequest(upload_id=up.upload_id, offset=MIB,
                                                         data=b"x" * 10), self.ken)
        self.assertIn("next chunk starts at offset %d" % (2 * MIB), details)
        self.expect(grpc.StatusCode.FAILED_PRECONDITION, stub.PutEvidenceChunk,
                    pb.PutEvidenceChunkRequest(upload_id=up.upload_id, offset=3 * MIB,
                                               data=b"x"), self.ken)
        details = self.expect(grpc.StatusCode.FAILED_PRECONDITION, stub.CommitEvidenceUpload,
                              pb.CommitEvidenceUploadRequest(upload_id=up.upload_id), self.ken)
        self.assertIn("put the rest from offset %d" % (2 * MIB), details)
        stub.PutEvidenceChunk(pb.PutEvidenceChunkRequest(
            upload_id=up.upload_id, offset=2 * MIB, data=content[2 * MIB:]), timeout=20,
            metadata=self.ken)
        doc = stub.CommitEvidenceUpload(pb.CommitEvidenceUploadRequest(upload_id=up.upload_id),
                                        timeout=60, metadata=self.ken)
        self.assertEqual(doc.sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual((doc.size, doc.content_type, doc.question_id), (len(content), "application/pdf", "q1"))
        self.assertEqual(doc.filename, "Stratégie nationale.pdf")
        self.assertIn("Wanjiru Kamau <wanjiru@ken.example>", doc.created_by)
        # Committing again returns the same document, and no second one.
        same = stub.CommitEvidenceUpload(pb.CommitEvidenceUploadRequest(upload_id=up.upload_id),
                                         timeout=20, metadata=self.ken)
        self.assertEqual(same.id, doc.id)
        self.assertEqual(self.sql("SELECT count(*) FROM responses.evidence_documents"), "1")
        self.assertEqual(self.sql("SELECT count(*) FROM responses.evidence_chunks"), "0")

        # Read back in chunks over gRPC, and whole through the gateway as a download.
        back, part = self.read_all(doc.id, self.ken, chunk=700000)
        self.assertEqual(back, content)
        self.assertEqual(part.sha256, doc.sha256)
        query = urllib.parse.urlencode({"encoding": "json", "download": "1",
                                        "message": json.dumps({"documentId": doc.id})})
        req = urllib.request.Request(self.stack.gateway_url() + "/" + SERVICE + "/GetEvidenceContent?" + query,
                                     headers={"Authorization": "Bearer " + self.ken_key})
        with urllib.request.urlopen(req, timeout=60) as r:
            self.assertEqual(r.headers["Content-Type"], "application/pdf")
            self.assertIn("attachment", r.headers["Content-Disposition"])
            self.assertEqual(r.read(), content)

        # The audit log names the person.
        row = self.sql("SELECT actor || '|' || method || '|' || summary FROM audit.events"
                       " WHERE resource = 'evidence/%s'" % doc.id)
        self.assertIn("Wanjiru Kamau <wanjiru@ken.example>", row)
        self.assertIn("CommitEvidenceUpload", row)
        self.assertIn("to question q1 of " + self.aid, row)

    def test_2_identical_content_is_stored_once(self):
        content = pdf(300000, "law")
        first = self.upload(content, "q2", "law.pdf")
        second = self.upload(content, "q3", "the same law.pdf")
        self.assertNotEqual(first.id, second.id)
        self.assertEqual(first.sha256, second.sha256)
        self.assertEqual(self.sql("SELECT count(*) FROM responses.evidence_blobs WHERE sha256 = '%s'"
                                  % first.sha256), "1")
        listed = self.stub.ListEvidenceDocuments(pb.ListEvidenceDocumentsRequest(
            assessment_id=self.aid, question_id="q3"), timeout=20, metadata=self.ken)
        self.assertEqual([d.id for d in listed.documents], [second.id])
        # Deleting one keeps the content for the other; deleting both removes it.
        self.stub.DeleteEvidenceDocument(pb.DeleteEvidenceDocumentRequest(document_id=first.id),
                                         timeout=20, metadata=self.ken)
        self.assertEqual(self.read_all(second.id, self.ken)[0], content)
        self.stub.DeleteEvidenceDocument(pb.DeleteEvidenceDocumentRequest(document_id=second.id),
                                         timeout=20, metadata=self.ken)
        self.assertEqual(self.sql("SELECT count(*) FROM responses.evidence_blobs WHERE sha256 = '%s'"
                                  % first.sha256), "0")
        self.expect(grpc.StatusCode.NOT_FOUND, self.stub.GetEvidenceContent,
                    pb.GetEvidenceContentRequest(document_id=second.id), self.ken)
        events = self.sql("SELECT count(*) FROM audit.events WHERE method LIKE '%%DeleteEvidenceDocument'"
                          " AND resource IN ('evidence/%s', 'evidence/%s')" % (first.id, second.id))
        self.assertEqual(events, "2")

    def test_3_types_are_judged_by_their_bytes(self):
        elf = b"\x7fELF\x02\x01\x01" + b"\0" * 5000
        up = self.stub.BeginEvidenceUpload(pb.BeginEvidenceUploadRequest(
            assessment_id=self.aid, question_id="q4", filename="report.pdf", size=len(elf)),
            timeout=20, metadata=self.ken)
        details = self.expect(grpc.StatusCode.INVALID_ARGUMENT, self.stub.PutEvidenceChunk,
                              pb.PutEvidenceChunkRequest(upload_id=up.upload_id, offset=0, data=elf),
                              self.ken)
        self.assertIn("expected PDF, PNG, JPEG, DOCX, XLSX or plain text", details)
        # A zip archive passes the first chunk and is refused at commit: no office document.
        import io
        import zipfile
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("notes.txt", "not an office document")
        with self.assertRaises(grpc.RpcError) as ctx:
            self.upload(buf.getvalue(), "q4", "notes.docx")
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("neither a DOCX nor an XLSX", ctx.exception.details())
        # A real workbook and a text are accepted, whatever their names say.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("xl/workbook.xml", "<workbook/>")
        doc = self.upload(buf.getvalue(), "q4", "budget.pdf")
        self.assertEqual(doc.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        doc = self.upload("Décret n° 2024-1\r\nArticle premier".encode(), "q4", "decree.bin")
        self.assertEqual(doc.content_type, "text/plain; charset=utf-8")
        self.expect(grpc.StatusCode.INVALID_ARGUMENT, self.stub.BeginEvidenceUpload,
                    pb.BeginEvidenceUploadRequest(assessment_id=self.aid, question_id="q99",
                                                  filename="x.pdf", size=10), self.ken)
        self.expect(grpc.StatusCode.INVALID_ARGUMENT, self.stub.BeginEvidenceUpload,
                    pb.BeginEvidenceUploadRequest(assessment_id=self.aid, question_id="q1",
                                                  filename="x.pdf", size=10 * MIB + 1), self.ken)
        self.expect(grpc.StatusCode.INVALID_ARGUMENT, self.stub.BeginEvidenceUpload,
                    pb.BeginEvidenceUploadRequest(assessment_id=self.aid, question_id="q1",
                                                  filename="../x.pdf", size=10), self.ken)

    def test_4_the_quota_holds(self):
        self.sql("DELETE FROM responses.evidence_uploads WHERE committed_at IS NULL")
        used = self.stub.ListEvidenceDocuments(pb.ListEvidenceDocumentsRequest(
            assessment_id=self.aid), timeout=20, metadata=self.ken)
        self.assertEqual(used.state_bytes_quota, QUOTA)
        held = int(self.sql("SELECT sum(size) FROM responses.evidence_blobs"))
        self.assertEqual(used.state_bytes_used, held)
        details = self.expect(grpc.StatusCode.RESOURCE_EXHAUSTED, self.stub.BeginEvidenceUpload,
                              pb.BeginEvidenceUploadRequest(
                                  assessment_id=self.aid, question_id="q5", filename="big.pdf",
                                  size=QUOTA - held + 1), self.ken)
        self.assertIn("UNIC_EVIDENCE_QUOTA_BYTES", details)
        # Open uploads count: two that fit one by one do not fit together.
        half = (QUOTA - held) // 2 + 1
        self.stub.BeginEvidenceUpload(pb.BeginEvidenceUploadRequest(
            assessment_id=self.aid, question_id="q5", filename="a.pdf", size=half), timeout=20,
            metadata=self.ken)
        self.expect(grpc.StatusCode.RESOURCE_EXHAUSTED, self.stub.BeginEvidenceUpload,
                    pb.BeginEvidenceUploadRequest(assessment_id=self.aid, question_id="q5",
                                                  filename="b.pdf", size=half), self.ken)
        self.sql("DELETE FROM responses.evidence_uploads WHERE committed_at IS NULL")

    def test_5_a_private_assessments_documents_stay_with_its_state(self):
        content = pdf(5000, "private")
        doc = self.upload(content, "q6", "internal.pdf")
        listed = lambda md: self.stub.ListEvidenceDocuments(  # noqa: E731
            pb.ListEvidenceDocumentsRequest(assessment_id=self.aid), timeout=20, metadata=md)
        # PRIVATE: neither another State nor UNIC reads the list or the bytes.
        for md in (self.fra, self.op):
            self.expect(grpc.StatusCode.PERMISSION_DENIED, self.stub.ListEvidenceDocuments,
                        pb.ListEvidenceDocumentsRequest(assessment_id=self.aid), md)
            self.expect(grpc.StatusCode.PERMISSION_DENIED, self.stub.GetEvidenceContent,
                        pb.GetEvidenceContentRequest(document_id=doc.id), md)
        # Nor through the gateway, nor does another State write to it or to its uploads.
        req = urllib.request.Request(
            self.stack.gateway_url() + "/" + SERVICE + "/GetEvidenceContent",
            data=json.dumps({"documentId": doc.id}).encode(),
            headers={"Authorization": self.fra[0][1], "Content-Type": "application/json"})
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(req, timeout=20)
        self.assertEqual(ctx.exception.code, 403)
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.stub.BeginEvidenceUpload,
                    pb.BeginEvidenceUploadRequest(assessment_id=self.aid, question_id="q1",
                                                  filename="x.pdf", size=10), self.fra)
        up = self.stub.BeginEvidenceUpload(pb.BeginEvidenceUploadRequest(
            assessment_id=self.aid, question_id="q6", filename="x.pdf", size=10), timeout=20,
            metadata=self.ken)
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.stub.PutEvidenceChunk,
                    pb.PutEvidenceChunkRequest(upload_id=up.upload_id, offset=0, data=b"%PDF-1.7\n"),
                    self.fra)
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.stub.DeleteEvidenceDocument,
                    pb.DeleteEvidenceDocumentRequest(document_id=doc.id), self.fra)
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.stub.GetEvidenceContent,
                    pb.GetEvidenceContentRequest(document_id="FRA-2025-cip-self-assessment/1"), self.ken)

        # Shown to UNIC: operators read it, other States still do not; PUBLIC: any key.
        # Documents make no revision: the etag is still the one CreateAssessment returned (not
        # read back with GetAssessment, whose cache the test Redis shares with other tests).
        a = self.stub.SetVisibility(pb.SetVisibilityRequest(
            assessment_id=self.aid, etag=self.etag, visibility=common_pb2.UNIC), timeout=20,
            metadata=self.ken)
        self.assertIn(doc.id, [d.id for d in listed(self.op).documents])
        self.assertEqual(listed(self.op).state_bytes_quota, 0)
        # The JSON export lists each answer's documents.
        out = self.stub.ExportAssessment(pb.ExportAssessmentRequest(assessment_id=self.aid, format=pb.JSON),
                                         timeout=20, metadata=self.op)
        q6 = next(x for x in json.loads(out.bytes)["answers"] if x["question_id"] == "q6")
        self.assertEqual([(d["id"], d["sha256"]) for d in q6["documents"]], [(doc.id, doc.sha256)])
        self.assertEqual(self.read_all(doc.id, self.op)[0], content)
        self.expect(grpc.StatusCode.PERMISSION_DENIED, self.stub.GetEvidenceContent,
                    pb.GetEvidenceContentRequest(document_id=doc.id), self.fra)
        a = self.stub.SetVisibility(pb.SetVisibilityRequest(
            assessment_id=self.aid, etag=a.etag, visibility=common_pb2.PUBLIC), timeout=20,
            metadata=self.ken)
        self.assertEqual(self.read_all(doc.id, self.fra)[0], content)
        # The scorecard report lists the documents among its evidence, as its reader sees them.
        from unic.scoring.v1 import scoring_pb2 as spb, scoring_pb2_grpc
        scoring = scoring_pb2_grpc.ScoringServiceStub(self.stack.channel("scoring"))
        report = scoring.RenderScorecard(spb.RenderScorecardRequest(assessment_id=self.aid, locale="en"),
                                         timeout=60, metadata=self.fra)
        text = subprocess.run(["pdftotext", "-", "-"], input=report.bytes, capture_output=True,
                              check=True).stdout.decode()
        self.assertIn("internal.pdf", text)
        self.assertIn("SHA-256 " + doc.sha256[:16], text)

        # Submitted: nothing more is attached or deleted until it is reopened.
        self.stub.SubmitAssessment(pb.SubmitAssessmentRequest(assessment_id=self.aid, etag=a.etag),
                                   timeout=20, metadata=self.ken)
        self.expect(grpc.StatusCode.FAILED_PRECONDITION, self.stub.BeginEvidenceUpload,
                    pb.BeginEvidenceUploadRequest(assessment_id=self.aid, question_id="q1",
                                                  filename="late.pdf", size=10), self.ken)
        self.expect(grpc.StatusCode.FAILED_PRECONDITION, self.stub.DeleteEvidenceDocument,
                    pb.DeleteEvidenceDocumentRequest(document_id=doc.id), self.ken)


if __name__ == "__main__":
    unittest.main(verbosity=2)
