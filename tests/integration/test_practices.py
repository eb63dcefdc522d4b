"""test_practices: best practices (PracticeService in unic-catalog) from Python grpcio: a State
shares a practice in French, UNIC accepts it (and rejects another with a reason), every Member
State key finds it by full-text search in French (stemmed: a query in other inflections matches),
filtered by topic and language, ranked, in pages; visibility and sharing rules hold; a
compilation per year and topic is published."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/catalog/v1/practices.proto")
from unic.catalog.v1 import practices_pb2 as pb, practices_pb2_grpc  # noqa: E402

FR_TEXT = ("Le centre national coordonne la réponse aux incidents informatiques avec les opérateurs "
           "d'infrastructures critiques et publie des alertes hebdomadaires.")


def practice(**kw):
    base = dict(title="Coordination nationale des incidents", summary="Exercices trimestriels",
                topics=["incident-response"], language="fr", text=FR_TEXT, date="2025-03-14",
                visibility=pb.MEMBER_STATES)
    base.update(kw)
    return pb.Practice(**base)


class PracticesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("practices")
        cls.stack.start("catalog")
        cls.svc = practices_pb2_grpc.PracticeServiceStub(grpc.insecure_channel(cls.stack.addr("catalog")))
        cls.op = lib.metadata(cls.stack.operator_key)
        cls.ben = lib.metadata(cls.stack.key("STATE", "BEN"))
        cls.ken = lib.metadata(cls.stack.key("STATE", "KEN"))
        cls.machine = lib.metadata(cls.stack.key("SERVICE"))
        cls.fr = cls.svc.SharePractice(pb.SharePracticeRequest(practice=practice(), request_id="p-1"),
                                       metadata=cls.ben)
        cls.en = cls.svc.SharePractice(pb.SharePracticeRequest(practice=practice(
            title="Incident response drills", summary="Quarterly drills with operators",
            language="en", text="The national team runs incident response drills every quarter.",
            visibility=pb.PUBLIC)), metadata=cls.ken)
        cls.spam = cls.svc.SharePractice(pb.SharePracticeRequest(practice=practice(
            title="Publicité", summary="Rien", text="Achetez", topics=["awareness"])), metadata=cls.ken)
        cls.org = cls.svc.SharePractice(pb.SharePracticeRequest(practice=practice(
            organisation="UNIC", title="Réponses coordonnées aux incidents régionaux",
            summary="Coordination régionale", date="2024-05-01")), metadata=cls.op)
        for p in (cls.fr, cls.en, cls.org):
            cls.svc.CuratePractice(pb.CuratePracticeRequest(id=p.id, decision=pb.ACCEPT), metadata=cls.op)

    @classmethod
    def tearDownClass(cls):
        code = cls.stack.stop("catalog")
        cls.stack.close()
        assert code == 0, "catalog exited %d" % code

    def fails(self, fn, req, md):
        with self.assertRaises(grpc.RpcError) as cm:
            fn(req, metadata=md)
        return cm.exception.code(), cm.exception.details()

    def search(self, md, **kw):
        return self.svc.SearchPractices(pb.SearchPracticesRequest(**kw), metadata=md)

    def test_shared_as_the_state_and_submitted(self):
        self.assertEqual((self.fr.state_code, self.fr.status), ("BEN", pb.SUBMITTED))
        again = self.svc.SharePractice(pb.SharePracticeRequest(practice=practice(), request_id="p-1"),
                                       metadata=self.ben)
        self.assertEqual(again.id, self.fr.id)
        code, msg = self.fails(self.svc.SharePractice, pb.SharePracticeRequest(
            practice=practice(state_code="KEN")), self.ben)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)

    def test_bad_fields_are_named(self):
        for bad, field in ((practice(topics=["no-such-topic"]), "practice.topics[0]"),
                           (practice(language="French"), "practice.language"),
                           (practice(text="", link=""), "practice.text"),
                           (practice(date="2025-13-01"), "practice.date"),
                           (practice(link="ftp://x.example"), "practice.link")):
            code, msg = self.fails(self.svc.SharePractice, pb.SharePracticeRequest(practice=bad), self.ben)
            self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
            self.assertTrue(msg.startswith(field + ":"), msg)
        code, msg = self.fails(self.svc.SharePractice, pb.SharePracticeRequest(practice=practice()), self.op)
        self.assertTrue(msg.startswith("practice.state_code:"), msg)

    def test_curation(self):
        code, _ = self.fails(self.svc.CuratePractice, pb.CuratePracticeRequest(
            id=self.spam.id, decision=pb.ACCEPT), self.ben)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        code, msg = self.fails(self.svc.CuratePractice, pb.CuratePracticeRequest(
            id=self.spam.id, decision=pb.REJECT), self.op)
        self.assertTrue(msg.startswith("reason:"), msg)
        rej = self.svc.CuratePractice(pb.CuratePracticeRequest(
            id=self.spam.id, decision=pb.REJECT, reason="advertising, not a practice"), metadata=self.op)
        self.assertEqual((rej.status, rej.rejection_reason), (pb.REJECTED, "advertising, not a practice"))
        code, _ = self.fails(self.svc.CuratePractice, pb.CuratePracticeRequest(
            id=self.spam.id, decision=pb.ACCEPT), self.op)
        self.assertEqual(code, grpc.StatusCode.FAILED_PRECONDITION)
        # The rejected practice: its State sees it with the reason; another State does not.
        mine = self.search(self.ken, status=pb.REJECTED)
        self.assertEqual([p.id for p in mine.practices], [self.spam.id])
        self.assertEqual(list(self.search(self.ben, status=pb.REJECTED).practices), [])
        code, _ = self.fails(self.svc.GetPractice, pb.GetPracticeRequest(id=self.spam.id), self.ben)
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)

    def test_found_by_full_text_search_in_french(self):
        # "incident" and "coordonnées" stem as "coordonne ... incidents" do, in French only.
        found = self.search(self.ken, query="incident coordonnées", language="fr")
        ids = [p.id for p in found.practices]
        self.assertEqual(sorted(ids), sorted([self.fr.id, self.org.id]))
        self.assertTrue(all(p.rank > 0 for p in found.practices))
        self.assertGreaterEqual(found.practices[0].rank, found.practices[1].rank)
        # The English practice is found with English stems, never by the French query.
        self.assertEqual([p.id for p in self.search(self.ben, query="drill").practices], [self.en.id])
        self.assertNotIn(self.en.id, ids)
        weekly = [p.id for p in self.search(self.ben, query="hebdomadaire").practices]
        self.assertIn(self.fr.id, weekly)  # its text says "hebdomadaires"
        self.assertNotIn(self.en.id, weekly)
        self.assertEqual(list(self.search(self.ben, query="incidents", topic="awareness").practices), [])
        # Not accepted: not found by search.
        self.assertEqual(list(self.search(self.ben, query="achetez").practices), [])

    def test_pages(self):
        first = self.search(self.ben, query="incidents", page_size=1)
        self.assertEqual(len(first.practices), 1)
        self.assertNotEqual(first.next_page_token, "")
        rest = self.search(self.ben, query="incidents", page_size=10, page_token=first.next_page_token)
        all_ids = [p.id for p in first.practices] + [p.id for p in rest.practices]
        self.assertEqual(len(all_ids), len(set(all_ids)))
        self.assertEqual(len(all_ids), 3)
        code, msg = self.fails(self.svc.SearchPractices, pb.SearchPracticesRequest(
            query="other", page_token=first.next_page_token), self.ben)
        self.assertTrue(msg.startswith("page_token:"), msg)

    def test_visibility(self):
        seen = [p.id for p in self.search(self.machine).practices]
        self.assertEqual(seen, [self.en.id])  # a key of no Member State sees PUBLIC ones only
        self.assertEqual(len(self.search(self.ben).practices), 3)

    def test_compilation_per_year_and_topic(self):
        code, _ = self.fails(self.svc.PublishCompilation, pb.PublishCompilationRequest(
            year=2025, topic="incident-response"), self.ben)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        c = self.svc.PublishCompilation(pb.PublishCompilationRequest(
            year=2025, topic="incident-response"), metadata=self.op)
        self.assertEqual(c.edition, 1)
        self.assertEqual(sorted(p.id for p in c.practices), sorted([self.fr.id, self.en.id]))
        got = self.svc.GetCompilation(pb.GetCompilationRequest(year=2025, topic="incident-response"),
                                      metadata=self.machine)
        self.assertEqual([p.id for p in got.practices], [self.en.id])
        code, _ = self.fails(self.svc.GetCompilation, pb.GetCompilationRequest(
            year=2019, topic="incident-response"), self.ben)
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)


if __name__ == "__main__":
    unittest.main(verbosity=2)
