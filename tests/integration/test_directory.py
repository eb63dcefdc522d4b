"""test_directory: the points-of-contact and CERT directory (DirectoryService in unic-catalog)
from Python grpcio: a State records and changes its own entry, another State's write is refused,
every version is kept, writes are idempotent and audited with the person, and a reachability
round with one State confirming and one not gives its report. Also through the gateway."""
import json
import os
import sys
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/catalog/v1/directory.proto",
                   "unic/admin/v1/admin.proto", "unic/responses/v1/responses.proto",
                   "unic/scoring/v1/scoring.proto")
from unic.admin.v1 import admin_pb2, admin_pb2_grpc  # noqa: E402
from unic.catalog.v1 import directory_pb2 as pb, directory_pb2_grpc  # noqa: E402
from unic.scoring.v1 import scoring_pb2, scoring_pb2_grpc  # noqa: E402


def poc(unit="ANSSI Benin, bjCSIRT desk", email="contact@csirt.example.bj"):
    return pb.PointOfContact(unit=unit, role_titles=["Head of incident coordination"], email=email,
                             phone="+229 21 30 00 00", secure_channel="PGP 0123 4567 89AB CDEF",
                             languages=["fr", "en"], hours="Mon-Fri 08:00-17:30",
                             hours_time_zone="Africa/Porto-Novo", established_on="2014-06-30")


CERT = pb.Cert(name="bjCSIRT", first_member=True, accreditation_date="2014-11-20",
               website="https://csirt.example.bj", contact="cert@csirt.example.bj")


class DirectoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("directory")
        for service in ("catalog", "responses", "scoring"):
            cls.stack.start(service)
        channel = grpc.insecure_channel(cls.stack.addr("catalog"))
        cls.dir = directory_pb2_grpc.DirectoryServiceStub(channel)
        cls.admin = admin_pb2_grpc.AdminServiceStub(channel)
        cls.op = lib.metadata(cls.stack.operator_key)
        # BEN's delegate is a person with a name, so the history and the audit log name her.
        who = cls.admin.CreateIdentity(admin_pb2.CreateIdentityRequest(
            display_name="Amina Bello", email="amina@ben.example", role=admin_pb2.STATE_DELEGATE,
            state_code="BEN"), metadata=cls.op)
        cls.ben = lib.metadata(cls.admin.CreateKey(admin_pb2.CreateKeyRequest(
            identity_id=who.id, label="laptop"), metadata=cls.op).secret)
        cls.ken = lib.metadata(cls.stack.key("STATE", "KEN"))
        cls.fra = lib.metadata(cls.stack.key("STATE", "FRA"))
        cls.first = cls.dir.PutDirectoryEntry(pb.PutDirectoryEntryRequest(
            point_of_contact=poc(), certs=[CERT], request_id="ben-1"), metadata=cls.ben)

    @classmethod
    def tearDownClass(cls):
        codes = [cls.stack.stop(s) for s in ("scoring", "responses", "catalog")]
        cls.stack.close()
        assert codes == [0, 0, 0], "exit codes %s" % codes

    def fails(self, fn, req, md):
        with self.assertRaises(grpc.RpcError) as cm:
            fn(req, metadata=md)
        return cm.exception.code(), cm.exception.details()

    def test_a_state_records_its_entry_and_every_state_reads_it(self):
        self.assertEqual((self.first.state_code, self.first.version), ("BEN", 1))
        self.assertIn("Amina Bello", self.first.updated_by)
        got = self.dir.GetDirectoryEntry(pb.GetDirectoryEntryRequest(state_code="BEN"),
                                         metadata=self.ken)
        self.assertEqual(got.point_of_contact.email, "contact@csirt.example.bj")
        self.assertEqual(list(got.point_of_contact.languages), ["fr", "en"])
        self.assertEqual(got.certs[0].accreditation_date, "2014-11-20")
        self.assertTrue(got.certs[0].first_member)
        code, _ = self.fails(self.dir.GetDirectoryEntry, pb.GetDirectoryEntryRequest(state_code="NER"),
                             self.ken)
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)

    def test_another_states_write_is_refused(self):
        code, msg = self.fails(self.dir.PutDirectoryEntry, pb.PutDirectoryEntryRequest(
            state_code="BEN", point_of_contact=poc(unit="hijacked")), self.ken)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("only its own", msg)
        got = self.dir.GetDirectoryEntry(pb.GetDirectoryEntryRequest(state_code="BEN"), metadata=self.op)
        self.assertNotEqual(got.point_of_contact.unit, "hijacked")

    def test_an_operator_does_not_write_a_states_entry(self):
        # Only the State itself writes its entry (docs/directory.md): UNIC reads every entry and
        # runs the reachability rounds, but a contact it recorded would not be the State's word.
        code, msg = self.fails(self.dir.PutDirectoryEntry, pb.PutDirectoryEntryRequest(
            state_code="BEN", point_of_contact=poc(unit="written by UNIC")), self.op)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        code, _ = self.fails(self.dir.PutDirectoryEntry, pb.PutDirectoryEntryRequest(
            state_code="NER", point_of_contact=poc(unit="written by UNIC")), self.op)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        got = self.dir.GetDirectoryEntry(pb.GetDirectoryEntryRequest(state_code="BEN"), metadata=self.op)
        self.assertNotEqual(got.point_of_contact.unit, "written by UNIC")
        code, _ = self.fails(self.dir.GetDirectoryEntry, pb.GetDirectoryEntryRequest(state_code="NER"), self.op)
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)

    def test_bad_fields_are_named(self):
        code, msg = self.fails(self.dir.PutDirectoryEntry, pb.PutDirectoryEntryRequest(
            point_of_contact=poc(email="nobody")), self.ken)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(msg.startswith("point_of_contact.email:"), msg)
        bad = pb.Cert(name="KE-CIRT", first_member=False, accreditation_date="2015-01-01")
        code, msg = self.fails(self.dir.PutDirectoryEntry, pb.PutDirectoryEntryRequest(
            point_of_contact=poc(), certs=[bad]), self.ken)
        self.assertTrue(msg.startswith("certs[0].accreditation_date:"), msg)
        p = poc()
        p.hours_time_zone = "Mars/Olympus_Mons"
        code, msg = self.fails(self.dir.PutDirectoryEntry, pb.PutDirectoryEntryRequest(
            point_of_contact=p), self.ken)
        self.assertTrue(msg.startswith("point_of_contact.hours_time_zone:"), msg)

    def test_writes_are_idempotent(self):
        again = self.dir.PutDirectoryEntry(pb.PutDirectoryEntryRequest(
            point_of_contact=poc(), certs=[CERT], request_id="ben-1"), metadata=self.ben)
        self.assertEqual(again, self.first)
        code, msg = self.fails(self.dir.PutDirectoryEntry, pb.PutDirectoryEntryRequest(
            point_of_contact=poc(unit="other"), request_id="ben-1"), self.ben)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertTrue(msg.startswith("request_id:"), msg)

    def test_history_keeps_every_version(self):
        md = lib.metadata(self.stack.key("STATE", "SEN"))
        for i, unit in enumerate(["CERT-SN v1", "CERT-SN v2", "CERT-SN v3"]):
            e = self.dir.PutDirectoryEntry(pb.PutDirectoryEntryRequest(
                point_of_contact=poc(unit=unit), expected_version=i), metadata=md)
            self.assertEqual(e.version, i + 1)
        code, _ = self.fails(self.dir.PutDirectoryEntry, pb.PutDirectoryEntryRequest(
            point_of_contact=poc(unit="stale"), expected_version=2), md)
        self.assertEqual(code, grpc.StatusCode.ABORTED)
        page = self.dir.ListDirectoryHistory(pb.ListDirectoryHistoryRequest(
            state_code="SEN", page_size=2), metadata=self.fra)
        self.assertEqual([v.version for v in page.versions], [3, 2])
        rest = self.dir.ListDirectoryHistory(pb.ListDirectoryHistoryRequest(
            state_code="SEN", page_size=2, page_token=page.next_page_token), metadata=self.fra)
        self.assertEqual([v.point_of_contact.unit for v in rest.versions], ["CERT-SN v1"])
        self.assertEqual(rest.next_page_token, "")
        code, msg = self.fails(self.dir.ListDirectoryHistory, pb.ListDirectoryHistoryRequest(
            state_code="BEN", page_token=page.next_page_token), self.fra)
        self.assertTrue(msg.startswith("page_token:"), msg)

    def test_writes_are_audited_with_the_person(self):
        events = self.admin.ListAuditEvents(admin_pb2.ListAuditEventsRequest(
            resource="directory/BEN"), metadata=self.op).events
        self.assertTrue(events)
        self.assertIn("Amina Bello", events[-1].actor)
        self.assertEqual(events[-1].request_id, "ben-1")
        self.assertEqual(events[-1].state_code, "BEN")

    def test_z_reachability_round(self):
        self.dir.PutDirectoryEntry(pb.PutDirectoryEntryRequest(
            point_of_contact=poc(unit="KE-CIRT/CC", email="incidents@ke-cirt.example")), metadata=self.ken)
        code, _ = self.fails(self.dir.StartReachabilityRound, pb.StartReachabilityRoundRequest(), self.ken)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        rnd = self.dir.StartReachabilityRound(pb.StartReachabilityRoundRequest(note="Q4 ping"),
                                              metadata=self.op)
        self.assertIn("BEN", rnd.states)
        self.assertIn("KEN", rnd.states)
        self.assertNotIn("FRA", rnd.states)
        ok = self.dir.ConfirmReachability(pb.ConfirmReachabilityRequest(round_id=rnd.id), metadata=self.ben)
        self.assertEqual(ok.state_code, "BEN")
        code, msg = self.fails(self.dir.ConfirmReachability, pb.ConfirmReachabilityRequest(round_id=rnd.id),
                               self.fra)
        self.assertEqual(code, grpc.StatusCode.FAILED_PRECONDITION)
        code, _ = self.fails(self.dir.ConfirmReachability, pb.ConfirmReachabilityRequest(round_id=rnd.id + 99),
                             self.ben)
        self.assertEqual(code, grpc.StatusCode.NOT_FOUND)
        rep = self.dir.GetReachabilityReport(pb.GetReachabilityReportRequest(), metadata=self.op)
        self.assertEqual(rep.round.id, rnd.id)
        self.assertEqual([c.state_code for c in rep.confirmed], ["BEN"])
        self.assertIn("Amina Bello", rep.confirmed[0].confirmed_by)
        self.assertIn("KEN", rep.unconfirmed)
        self.assertNotIn("BEN", rep.unconfirmed)
        self.assertFalse(rep.closed)
        ben = self.dir.GetDirectoryEntry(pb.GetDirectoryEntryRequest(state_code="BEN"), metadata=self.ken)
        self.assertEqual(ben.last_confirmed_at, ok.confirmed_at)
        ken = self.dir.GetDirectoryEntry(pb.GetDirectoryEntryRequest(state_code="KEN"), metadata=self.ken)
        self.assertEqual(ken.last_confirmed_at, "")

    def test_paragraph_6_reads_the_directory(self):
        scoring = scoring_pb2_grpc.ScoringServiceStub(grpc.insecure_channel(self.stack.addr("scoring")))
        report = scoring.GetComplianceReport(scoring_pb2.GetComplianceReportRequest(
            state_code="BEN", as_of="2025-06-30"), metadata=self.op)
        items = {i.item_id: i for i in report.items}
        self.assertEqual(items["para6-poc"].status, scoring_pb2.MET)
        self.assertEqual(items["para6-poc"].date, "2014-06-30")
        self.assertIn("directory", items["para6-poc"].note)
        self.assertEqual(items["para6-cert"].status, scoring_pb2.MET)
        self.assertEqual(items["para6-cert"].date, "2014-11-20")
        self.assertIn("bjCSIRT", items["para6-cert"].note)
        # A State with no entry and no checklist is still UNKNOWN there.
        report = scoring.GetComplianceReport(scoring_pb2.GetComplianceReportRequest(
            state_code="NER", as_of="2025-06-30"), metadata=self.op)
        items = {i.item_id: i for i in report.items}
        self.assertEqual(items["para6-poc"].status, scoring_pb2.UNKNOWN)

    def test_gateway_serves_the_directory(self):
        self.stack.start_gateway()
        req = urllib.request.Request(
            self.stack.gateway_url() + "/unic.catalog.v1.DirectoryService/GetDirectoryEntry",
            data=json.dumps({"stateCode": "BEN"}).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": "Bearer " + self.stack.operator_key})
        with urllib.request.urlopen(req, timeout=10) as r:
            body = json.load(r)
        self.assertEqual(body["pointOfContact"]["email"], "contact@csirt.example.bj")


if __name__ == "__main__":
    unittest.main(verbosity=2)
