"""test_identity: identities and keys managed over AdminService (in unic-catalog) from Python
grpcio: the key matrix (an operator makes a STATE_ADMIN of BEN, who manages BEN's delegates and
nobody else), expiry, revocation within UNIC_AUTH_CACHE_SECONDS, rotation with a grace period,
last use, and the audit log those changes write (append-only)."""
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/admin/v1/admin.proto")
from unic.admin.v1 import admin_pb2 as pb, admin_pb2_grpc  # noqa: E402
from unic.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402

CACHE_SECONDS = 1  # the documented window of a revocation, made short for the test


class IdentityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("identity")
        cls.stack.start("catalog", {"UNIC_AUTH_CACHE_SECONDS": str(CACHE_SECONDS),
                                    "UNIC_KEY_MAX_DAYS": "400"})
        channel = grpc.insecure_channel(cls.stack.addr("catalog"))
        cls.admin = admin_pb2_grpc.AdminServiceStub(channel)
        cls.catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
        cls.op = lib.metadata(cls.stack.operator_key)
        # The scenario every test builds on: BEN's administrator, with a key.
        cls.ben_admin = cls.admin.CreateIdentity(pb.CreateIdentityRequest(
            display_name="Amina Bello", email="amina@ben.example", role=pb.STATE_ADMIN,
            state_code="BEN"), metadata=cls.op)
        created = cls.admin.CreateKey(pb.CreateKeyRequest(identity_id=cls.ben_admin.id,
                                                          label="laptop"), metadata=cls.op)
        cls.ben_admin_key = created.secret
        cls.ben = lib.metadata(created.secret)

    @classmethod
    def tearDownClass(cls):
        code = cls.stack.stop("catalog")
        cls.stack.close()
        assert code == 0, "catalog exited %d" % code

    def code_of(self, fn, req, md):
        try:
            fn(req, metadata=md)
            return grpc.StatusCode.OK, ""
        except grpc.RpcError as err:
            return err.code(), err.details()

    def delegate(self, email, md=None):
        return self.admin.CreateIdentity(pb.CreateIdentityRequest(
            display_name="Delegate " + email, email=email, role=pb.STATE_DELEGATE),
            metadata=md or self.ben)

    def topics(self, secret):
        return self.code_of(self.catalog.ListTopics, catalog_pb2.ListTopicsRequest(),
                            lib.metadata(secret))[0]

    def test_operator_made_a_state_admin_of_ben(self):
        self.assertEqual(self.ben_admin.role, pb.STATE_ADMIN)
        self.assertEqual(self.ben_admin.state_code, "BEN")
        me = self.catalog.WhoAmI(catalog_pb2.WhoAmIRequest(), metadata=self.ben)
        self.assertEqual(me.identity_id, self.ben_admin.id)
        self.assertEqual((me.display_name, me.email), ("Amina Bello", "amina@ben.example"))
        self.assertEqual((me.role, me.state_admin), (catalog_pb2.ROLE_STATE, True))
        self.assertEqual(me.state.code, "BEN")
        self.assertNotEqual(me.expires_at, "")

    def test_state_admin_creates_and_revokes_a_delegate_of_its_state(self):
        who = self.delegate("kofi@ben.example")
        self.assertEqual((who.role, who.state_code), (pb.STATE_DELEGATE, "BEN"))
        self.assertIn("amina@ben.example", who.created_by)
        key = self.admin.CreateKey(pb.CreateKeyRequest(identity_id=who.id, label="phone"),
                                   metadata=self.ben)
        self.assertTrue(key.secret.startswith("unic_"))
        self.assertEqual(self.topics(key.secret), grpc.StatusCode.OK)
        # The secret is shown once: nothing lists it, and only its hash is stored.
        listed = self.admin.ListKeys(pb.ListKeysRequest(identity_id=who.id), metadata=self.ben)
        self.assertEqual([k.id for k in listed.keys], [key.key.id])
        self.assertNotIn(key.secret, str(listed))
        revoked = self.admin.RevokeKey(pb.RevokeKeyRequest(key_id=key.key.id), metadata=self.ben)
        self.assertNotEqual(revoked.revoked_at, "")
        time.sleep(CACHE_SECONDS + 0.5)  # the documented window: UNIC_AUTH_CACHE_SECONDS
        self.assertEqual(self.topics(key.secret), grpc.StatusCode.UNAUTHENTICATED)
        code, _ = self.code_of(self.admin.RevokeKey, pb.RevokeKeyRequest(key_id=key.key.id), self.ben)
        self.assertEqual(code, grpc.StatusCode.FAILED_PRECONDITION)

    def test_state_admin_is_refused_for_another_state(self):
        code, msg = self.code_of(self.admin.CreateIdentity, pb.CreateIdentityRequest(
            display_name="Ama", email="ama@gha.example", role=pb.STATE_DELEGATE,
            state_code="GHA"), self.ben)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED, msg)
        gha = self.admin.CreateIdentity(pb.CreateIdentityRequest(
            display_name="Kwame", email="kwame@gha.example", role=pb.STATE_DELEGATE,
            state_code="GHA"), metadata=self.op)
        for fn, req in ((self.admin.CreateKey, pb.CreateKeyRequest(identity_id=gha.id)),
                        (self.admin.ListKeys, pb.ListKeysRequest(identity_id=gha.id)),
                        (self.admin.ListIdentities, pb.ListIdentitiesRequest(state_code="GHA"))):
            self.assertEqual(self.code_of(fn, req, self.ben)[0], grpc.StatusCode.PERMISSION_DENIED)
        gha_key = self.admin.CreateKey(pb.CreateKeyRequest(identity_id=gha.id), metadata=self.op)
        self.assertEqual(self.code_of(self.admin.RevokeKey, pb.RevokeKeyRequest(key_id=gha_key.key.id),
                                      self.ben)[0], grpc.StatusCode.PERMISSION_DENIED)
        # A key that does not exist looks the same to a State administrator: existence never leaks.
        self.assertEqual(self.code_of(self.admin.RevokeKey, pb.RevokeKeyRequest(key_id="0" * 16),
                                      self.ben)[0], grpc.StatusCode.PERMISSION_DENIED)
        mine = self.admin.ListIdentities(pb.ListIdentitiesRequest(), metadata=self.ben)
        self.assertTrue(mine.identities)
        self.assertEqual({i.state_code for i in mine.identities}, {"BEN"})

    def test_state_admin_cannot_make_admins_or_operators(self):
        for role in (pb.STATE_ADMIN, pb.OPERATOR, pb.SERVICE):
            code, _ = self.code_of(self.admin.CreateIdentity, pb.CreateIdentityRequest(
                display_name="X", email="x%d@ben.example" % role, role=role, state_code="BEN"),
                self.ben)
            self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)

    def test_delegate_acts_for_its_state_but_manages_nobody(self):
        who = self.delegate("efua@ben.example")
        key = self.admin.CreateKey(pb.CreateKeyRequest(identity_id=who.id), metadata=self.ben)
        md = lib.metadata(key.secret)
        self.assertEqual(self.topics(key.secret), grpc.StatusCode.OK)
        me = self.catalog.WhoAmI(catalog_pb2.WhoAmIRequest(), metadata=md)
        self.assertEqual((me.role, me.state_admin, me.state.code), (catalog_pb2.ROLE_STATE, False, "BEN"))
        code, _ = self.code_of(self.admin.CreateIdentity, pb.CreateIdentityRequest(
            display_name="Y", email="y@ben.example", role=pb.STATE_DELEGATE), md)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(self.code_of(self.admin.ListAuditEvents, pb.ListAuditEventsRequest(), md)[0],
                         grpc.StatusCode.PERMISSION_DENIED)

    def test_only_member_states(self):
        for code_ in ("XXX", "ben", "BE", "TWN"):
            code, msg = self.code_of(self.admin.CreateIdentity, pb.CreateIdentityRequest(
                display_name="Z", email="z@%s.example" % code_, role=pb.STATE_ADMIN,
                state_code=code_), self.op)
            self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT, code_)
            self.assertIn("state_code", msg)
        code, msg = self.code_of(self.admin.CreateIdentity, pb.CreateIdentityRequest(
            display_name="Z", email="z@unic.example", role=pb.OPERATOR, state_code="BEN"), self.op)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        code, msg = self.code_of(self.admin.CreateIdentity, pb.CreateIdentityRequest(
            display_name="Z", email="not-an-address", role=pb.OPERATOR), self.op)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("email", msg)
        code, msg = self.code_of(self.admin.CreateIdentity, pb.CreateIdentityRequest(
            display_name="Amina again", email="AMINA@ben.example", role=pb.STATE_DELEGATE,
            state_code="BEN"), self.op)
        self.assertEqual(code, grpc.StatusCode.ALREADY_EXISTS, msg)

    def test_expiry_default_maximum_and_expired_key(self):
        who = self.delegate("yaw@ben.example")
        key = self.admin.CreateKey(pb.CreateKeyRequest(identity_id=who.id), metadata=self.ben)
        year = time.gmtime(time.time() + 365 * 86400)
        self.assertTrue(key.key.expires_at.startswith(time.strftime("%Y-%m-%d", year)),
                        key.key.expires_at)
        code, msg = self.code_of(self.admin.CreateKey, pb.CreateKeyRequest(
            identity_id=who.id, expires_in_days=401), self.op)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("UNIC_KEY_MAX_DAYS", msg)
        # An expired key: a fresh one whose expiry has passed (set in the database, the only way
        # to make a key older than it is).
        self.stack._psql(self.stack.db_url, "UPDATE auth.api_keys SET expires_at = now() - interval"
                         " '1 second' WHERE id = '%s'" % key.key.id)
        code, msg = self.code_of(self.catalog.ListTopics, catalog_pb2.ListTopicsRequest(),
                                 lib.metadata(key.secret))
        self.assertEqual(code, grpc.StatusCode.UNAUTHENTICATED)
        self.assertIn("expired", msg)

    def test_rotation_keeps_the_old_key_for_the_grace_period(self):
        who = self.delegate("akua@ben.example")
        old = self.admin.CreateKey(pb.CreateKeyRequest(identity_id=who.id, label="ci"), metadata=self.ben)
        self.assertEqual(self.topics(old.secret), grpc.StatusCode.OK)
        new = self.admin.RotateKey(pb.RotateKeyRequest(key_id=old.key.id, grace_seconds=2),
                                   metadata=self.ben)
        self.assertEqual(new.key.label, "ci")
        self.assertEqual(self.topics(new.secret), grpc.StatusCode.OK)
        self.assertEqual(self.topics(old.secret), grpc.StatusCode.OK)
        listed = {k.id: k for k in self.admin.ListKeys(pb.ListKeysRequest(identity_id=who.id),
                                                       metadata=self.ben).keys}
        self.assertEqual(listed[old.key.id].replaced_by, new.key.id)
        time.sleep(2.5)
        self.assertEqual(self.topics(old.secret), grpc.StatusCode.UNAUTHENTICATED)
        self.assertEqual(self.topics(new.secret), grpc.StatusCode.OK)

    def test_last_use_is_recorded(self):
        who = self.delegate("esi@ben.example")
        key = self.admin.CreateKey(pb.CreateKeyRequest(identity_id=who.id), metadata=self.ben)
        self.assertEqual(key.key.last_used_at, "")
        self.assertEqual(self.topics(key.secret), grpc.StatusCode.OK)
        listed = self.admin.ListKeys(pb.ListKeysRequest(identity_id=who.id), metadata=self.ben)
        self.assertNotEqual(listed.keys[0].last_used_at, "")

    def test_audit_log_has_one_event_per_change_and_is_append_only(self):
        before = self.admin.ListAuditEvents(pb.ListAuditEventsRequest(page_size=1), metadata=self.op)
        newest = before.events[0].id if before.events else 0
        who = self.delegate("adjoa@ben.example")
        key = self.admin.CreateKey(pb.CreateKeyRequest(identity_id=who.id), metadata=self.ben)
        new = self.admin.RotateKey(pb.RotateKeyRequest(key_id=key.key.id), metadata=self.ben)
        self.admin.RevokeKey(pb.RevokeKeyRequest(key_id=new.key.id), metadata=self.ben)
        # A refused change writes nothing.
        self.code_of(self.admin.CreateIdentity, pb.CreateIdentityRequest(
            display_name="Q", email="q@gha.example", role=pb.STATE_DELEGATE, state_code="GHA"),
            self.ben)
        events = [e for e in self.admin.ListAuditEvents(pb.ListAuditEventsRequest(),
                                                        metadata=self.op).events if e.id > newest]
        self.assertEqual([(e.method.rsplit("/", 1)[1], e.resource) for e in reversed(events)], [
            ("CreateIdentity", "identity/" + who.id), ("CreateKey", "key/" + key.key.id),
            ("RotateKey", "key/" + key.key.id), ("RevokeKey", "key/" + new.key.id)])
        for e in events:
            self.assertEqual(e.identity_id, self.ben_admin.id)
            self.assertIn("Amina Bello <amina@ben.example>", e.actor)
            self.assertEqual((e.state_code, e.service), ("BEN", "catalog"))
            self.assertNotEqual(e.summary, "")
        # Filters: by resource (exact and kind), identity, time; a State admin sees its State.
        by_key = self.admin.ListAuditEvents(pb.ListAuditEventsRequest(resource="key/" + key.key.id),
                                            metadata=self.op).events
        self.assertEqual(len(by_key), 2)
        kinds = self.admin.ListAuditEvents(pb.ListAuditEventsRequest(resource="identity/"),
                                           metadata=self.op).events
        self.assertTrue(kinds and all(e.resource.startswith("identity/") for e in kinds))
        mine = self.admin.ListAuditEvents(pb.ListAuditEventsRequest(identity_id=self.ben_admin.id),
                                          metadata=self.ben).events
        self.assertTrue(mine and all(e.state_code == "BEN" for e in mine))
        future = self.admin.ListAuditEvents(pb.ListAuditEventsRequest(since="2999-01-01T00:00:00Z"),
                                            metadata=self.op).events
        self.assertEqual(list(future), [])
        code, msg = self.code_of(self.admin.ListAuditEvents, pb.ListAuditEventsRequest(since="yesterday"),
                                 self.op)
        self.assertEqual(code, grpc.StatusCode.INVALID_ARGUMENT)
        page = self.admin.ListAuditEvents(pb.ListAuditEventsRequest(page_size=2), metadata=self.op)
        self.assertEqual(len(page.events), 2)
        rest = self.admin.ListAuditEvents(pb.ListAuditEventsRequest(page_size=2, page_token=page.next_page_token),
                                          metadata=self.op)
        self.assertLess(rest.events[0].id, page.events[-1].id)
        # Append-only, whoever asks (here the database owner itself).
        for sql in ("UPDATE audit.events SET summary = 'x'", "DELETE FROM audit.events",
                    "TRUNCATE audit.events"):
            out = subprocess.run(["psql", self.stack.db_url, "-v", "ON_ERROR_STOP=1", "-qc", sql],
                                 capture_output=True, text=True)
            self.assertNotEqual(out.returncode, 0, sql)
            self.assertIn("append-only", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
