"""test_reminders: the paragraph 8 reminders, 60, 30 and 7 days before 31 December, to a State that
has not reported, counted in its own time zone, with the fixed clock (UNIC_FIXED_CLOCK) of the
catalog (whose worker writes them) and of the scoring service (whose ListDue says what is due).
The Gambia (UTC) has not reported; Barbados, with its zone set to Pacific/Honolulu (UTC-10), has
not either; Lesotho has (a 2026 self-assessment submitted and shown to UNIC). At 05:00 UTC on
1 November only the Gambia is 60 days from the deadline; at noon Barbados is too. Each reminder is
written once per State, year and threshold, however many sweeps and restarts see it due, and
arrives signed at the State's webhook, a real HTTP server on loopback."""
import hashlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402
from webhook_receiver import Receiver, eventually, verify  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/catalog/v1/notifications.proto",
                   "unic/responses/v1/responses.proto")
from unic.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402
from unic.catalog.v1 import notifications_pb2 as pb, notifications_pb2_grpc  # noqa: E402
from unic.common.v1 import common_pb2  # noqa: E402
from unic.responses.v1 import responses_pb2 as rpb, responses_pb2_grpc  # noqa: E402

STATES = ("GMB", "BRB", "LSO")


class RemindersTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rx = Receiver()
        cls.rx.start()
        cls.stack = lib.Stack("reminders")
        cls.tmp = tempfile.TemporaryDirectory()
        cls.key_file = os.path.join(cls.tmp.name, "reminder.key")
        with open(cls.key_file, "w") as f:
            f.write(cls.stack.operator_key + "\n")
        cls.stack.start("catalog")
        cls.stack.start("responses", {"UNIC_FIXED_CLOCK": "2026-10-01T09:00:00Z"})
        cls.stack.start("matching")
        cls.md = {s: lib.metadata(cls.stack.key("STATE", s)) for s in STATES}
        channel = grpc.insecure_channel(cls.stack.addr("catalog"))
        notify = notifications_pb2_grpc.NotificationServiceStub(channel)
        cls.secret = {s: notify.SetWebhook(pb.SetWebhookRequest(url="%s/%s" % (cls.rx.url, s.lower())),
                                           metadata=cls.md[s]).secret for s in STATES}
        catalog_pb2_grpc.CatalogServiceStub(channel).SetStateTimeZone(
            catalog_pb2.SetStateTimeZoneRequest(time_zone="Pacific/Honolulu"), metadata=cls.md["BRB"])
        responses = responses_pb2_grpc.ResponseServiceStub(grpc.insecure_channel(cls.stack.addr("responses")))
        a = responses.CreateAssessment(rpb.CreateAssessmentRequest(
            state_code="LSO", cycle=2026, questionnaire_id="cip-self-assessment"), metadata=cls.md["LSO"])
        a = responses.SaveAnswers(rpb.SaveAnswersRequest(assessment_id=a.id, etag=a.etag, answers=[
            rpb.Answer(question_id="q1", level=3)]), metadata=cls.md["LSO"])
        a = responses.SubmitAssessment(rpb.SubmitAssessmentRequest(assessment_id=a.id, etag=a.etag),
                                       metadata=cls.md["LSO"])
        responses.SetVisibility(rpb.SetVisibilityRequest(assessment_id=a.id, etag=a.etag,
                                                         visibility=common_pb2.UNIC), metadata=cls.md["LSO"])

    @classmethod
    def tearDownClass(cls):
        cls.rx.close()
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        cls.tmp.cleanup()
        assert all(c == 0 for c in codes.values()), codes

    def at(self, when):
        """The catalog and scoring, restarted with their clocks fixed at `when` (UTC)."""
        for service in ("catalog", "scoring"):
            if service in self.stack.procs:
                self.assertEqual(self.stack.stop(service), 0)
        self.stack.start("scoring", {"UNIC_FIXED_CLOCK": when})
        self.stack.start("catalog", {"UNIC_FIXED_CLOCK": when, "UNIC_REMINDER_KEY_FILE": self.key_file,
                                     "UNIC_REMINDER_POLL_MS": "200", "UNIC_WEBHOOK_POLL_MS": "100"})

    def sweeps(self):
        """About ten sweeps at 200 ms: a reminder that was to come has come."""
        time.sleep(2)

    def reminders(self, state):
        return [e["data"]["threshold_days"] for e in self.rx.events("/" + state.lower())
                if e["type"] == "report.reminder"]

    def rows(self):
        out = subprocess.run(["psql", self.stack.db_url, "-Atc", "SELECT state_code || ':' || days FROM"
                              " notify.reminders ORDER BY state_code, days DESC"],
                             check=True, capture_output=True, text=True).stdout.split()
        return out

    def test_reminders_at_60_30_and_7_days_in_each_states_zone_once_each(self):
        self.at("2026-11-01T05:00:00Z")  # 1 November in Banjul, still 31 October in Honolulu
        self.assertEqual(eventually(lambda: self.reminders("GMB")), [60])
        self.sweeps()
        self.assertEqual(self.reminders("BRB"), [])
        event = self.rx.events("/gmb")[0]
        self.assertEqual(event["data"], {"year": 2026, "due_date": "2026-12-31", "today": "2026-11-01",
                                         "time_zone": "Africa/Banjul", "days_left": 60, "threshold_days": 60,
                                         "item": "para8-report-2026"})
        self.at("2026-11-01T12:00:00Z")  # 02:00 on 1 November in Honolulu
        self.assertEqual(eventually(lambda: self.reminders("BRB")), [60])
        self.assertEqual(self.rx.events("/brb")[0]["data"]["time_zone"], "Pacific/Honolulu")
        self.at("2026-12-01T12:00:00Z")
        eventually(lambda: len(self.reminders("GMB")) == 2 and len(self.reminders("BRB")) == 2)
        self.at("2026-12-24T12:00:00Z")
        eventually(lambda: len(self.reminders("GMB")) == 3 and len(self.reminders("BRB")) == 3)
        self.sweeps()
        self.at("2026-12-24T12:00:00Z")  # a restart on the same day writes nothing again
        self.sweeps()
        self.assertEqual(self.reminders("GMB"), [60, 30, 7])
        self.assertEqual(self.reminders("BRB"), [60, 30, 7])
        self.assertEqual(self.reminders("LSO"), [])  # it reported: nothing
        self.assertEqual(self.rows(), ["BRB:60", "BRB:30", "BRB:7", "GMB:60", "GMB:30", "GMB:7"])
        for state in ("GMB", "BRB"):
            got = self.rx.received("/" + state.lower())
            self.assertEqual(len({r["id"] for r in got}), 3)
            for r in got:
                self.assertTrue(verify(self.secret[state], r["signature"], r["body"], r["received"]))


class ReminderKeyFileTest(unittest.TestCase):
    """UNIC_REMINDER_KEY_FILE as the deployments give it (docs/notifications.md, "Paragraph 8
    reminders"): a key of the reminders' own, stored by the migration job, then used by the
    catalog serving as a role that only checks. Unset: reminders off. Set, a file that gives no key
    (missing, a directory, empty, too short) stops start-up, naming the path; a key revoked since
    turns the reminders off with a warning naming its id."""

    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("reminder_keys")
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()
        cls.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def migrate(self, key_file):
        """The catalog's migration job (UNIC_MIGRATE=only) with `key_file`: its exit code and log."""
        env = dict(os.environ, UNIC_DB_URL=self.stack.db_url, UNIC_MIGRATE="only", UNIC_REDIS="off",
                   UNIC_REMINDER_KEY_FILE=key_file)
        env.pop("UNIC_BOOTSTRAP_KEY", None)
        run = subprocess.run([os.path.join(lib.BIN, "services", "catalog", "unic-catalog")], env=env,
                             capture_output=True, text=True, timeout=60)
        return run.returncode, run.stdout + run.stderr

    def serve(self, extra):
        """The catalog serving with `extra` in its environment: its log so far."""
        self.stack.start("catalog", extra)
        log = os.path.join(lib.STATE, "py-reminder_keys-catalog.log")
        time.sleep(0.3)  # the worker's start-up lines follow the listener's
        self.assertEqual(self.stack.stop("catalog"), 0)
        with open(log) as f:
            return f.read()

    def keys(self):
        return subprocess.run(["psql", self.stack.db_url, "-Atc", "SELECT role || ':' || (revoked_at IS NULL)"
                               " FROM auth.api_keys WHERE label = 'reminders'"],
                              check=True, capture_output=True, text=True).stdout.split()

    def test_a_key_file_that_gives_no_key_stops_start_up_naming_it(self):
        os.mkdir(os.path.join(self.tmp.name, "a-directory"))
        cases = {os.path.join(self.tmp.name, "missing.key"): "No such file or directory",
                 os.path.join(self.tmp.name, "a-directory"): "Is a directory",
                 self.write("empty.key", ""): "no key on its first line",
                 self.write("short.key", "unic_short\n"): "at least 20 characters"}
        for path, why in cases.items():
            code, log = self.migrate(path)
            self.assertNotEqual(code, 0, path)
            self.assertIn("UNIC_REMINDER_KEY_FILE", log)
            self.assertIn(why, log)
            if "characters" not in why:
                self.assertIn(path, log)
            self.assertIn("unset UNIC_REMINDER_KEY_FILE to run without reminders", log)
        self.assertEqual(self.keys(), [])

    def test_the_migration_job_stores_the_key_and_the_catalog_uses_it_until_revoked(self):
        key = "unic_" + secrets.token_urlsafe(32)
        path = self.write("reminder.key", key + "\n")
        code, log = self.migrate(path)
        self.assertEqual(code, 0, log)
        self.assertIn("reminders operator key", log)
        self.assertEqual(self.keys(), ["OPERATOR:true"])
        audited = subprocess.run(["psql", self.stack.db_url, "-Atc", "SELECT actor || ' ' || method FROM"
                                  " audit.events WHERE actor = 'reminders'"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        self.assertEqual(audited, "reminders start-up (UNIC_REMINDER_KEY_FILE)")
        self.assertEqual(self.migrate(path)[0], 0)  # a second run leaves it as it is
        self.assertEqual(self.keys(), ["OPERATOR:true"])
        # The key is an operator's: the catalog answers it, and its worker keeps the reminders on.
        log = self.serve({"UNIC_REMINDER_KEY_FILE": path})
        self.assertNotIn("reminders are off", log)
        self.stack.start("catalog", {"UNIC_REMINDER_KEY_FILE": path})
        catalog = catalog_pb2_grpc.CatalogServiceStub(grpc.insecure_channel(self.stack.addr("catalog")))
        catalog.ListTopics(catalog_pb2.ListTopicsRequest(), timeout=10, metadata=lib.metadata(key))
        self.assertEqual(self.stack.stop("catalog"), 0)
        # Revoked, it stays revoked (the migration job does not revive it) and the reminders are off.
        subprocess.run(["psql", self.stack.db_url, "-qc", "UPDATE auth.api_keys SET revoked_at = now()"
                        " WHERE label = 'reminders'"], check=True)
        code, log = self.migrate(path)
        self.assertEqual(code, 0, log)
        self.assertIn("stays revoked", log)
        self.assertEqual(self.keys(), ["OPERATOR:false"])
        key_id = hashlib.sha256(key.encode()).hexdigest()[:16]
        log = self.serve({"UNIC_REMINDER_KEY_FILE": path})
        self.assertIn("paragraph 8 reminders are off: the key of UNIC_REMINDER_KEY_FILE (key %s) is not an"
                      " active operator key" % key_id, log)

    def test_without_the_variable_the_reminders_are_off_and_the_catalog_says_so(self):
        log = self.serve({"UNIC_REMINDER_KEY_FILE": ""})
        self.assertIn("paragraph 8 reminders are off: UNIC_REMINDER_KEY_FILE is not set", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
