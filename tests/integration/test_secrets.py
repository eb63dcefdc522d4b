"""test_secrets: no secret has a default. docker-compose refuses to start without the database
and Redis passwords; the services log in to a Redis that requires a password (requirepass) or an
ACL user, and a wrong password only makes them run uncached, never fail."""
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto")
from unic.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402

PASSWORD = "s3cret+/with=signs"


class SecretsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("secrets")
        cls.redis_port = cls.stack.port_base + 5
        cls.redis_dir = os.path.join(lib.STATE, "redis-secrets")
        os.makedirs(cls.redis_dir, exist_ok=True)
        # The password through the configuration on stdin, as docker-compose.yml does.
        cls.redis = subprocess.Popen(
            ["redis-server", "-", "--port", str(cls.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", cls.redis_dir],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.redis.stdin.write(("requirepass \"%s\"\n" % PASSWORD).encode())
        cls.redis.stdin.close()
        deadline = time.time() + 20
        while time.time() < deadline and cls.cli("PING") != "PONG":
            time.sleep(0.1)
        assert cls.cli("PING") == "PONG"
        assert cls.cli("ACL", "SETUSER", "unic", "on", ">acl-pass", "~unic:*", "+get", "+set") == "OK"

    @classmethod
    def cli(cls, *args, user=None, password=PASSWORD):
        cmd = ["redis-cli", "-p", str(cls.redis_port), "--no-auth-warning", "-a", password]
        if user:
            cmd += ["--user", user]
        return subprocess.run(cmd + list(args), capture_output=True, text=True).stdout.strip()

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()
        cls.redis.terminate()
        cls.redis.wait(timeout=30)

    def questionnaire_cached(self, env):
        addr = "127.0.0.1:%d" % (self.stack.port_base + len(self.stack.procs))
        env = dict(env, UNIC_REDIS="127.0.0.1:%d" % self.redis_port)
        self.stack.start("catalog", env, addr=addr)
        stub = catalog_pb2_grpc.CatalogServiceStub(self.stack.channel("catalog", addr=addr))
        for _ in range(2):
            q = stub.GetQuestionnaire(catalog_pb2.GetQuestionnaireRequest(
                questionnaire_id="cip-self-assessment"), metadata=lib.metadata(self.stack.operator_key),
                timeout=10)
            self.assertEqual(q.id, "cip-self-assessment")
        self.assertEqual(self.stack.stop("catalog@" + addr), 0)
        with open(os.path.join(lib.STATE, "py-secrets-catalog@%s.log" % addr.replace(":", "_"))) as f:
            return f.read()

    def test_password_logs_in_and_caches(self):
        self.cli("FLUSHALL")
        log = self.questionnaire_cached({"UNIC_REDIS_PASSWORD": PASSWORD})
        self.assertNotIn("unavailable", log)
        self.assertNotEqual(self.cli("KEYS", "unic:catalog:*"), "")

    def test_acl_user_logs_in_and_caches(self):
        self.cli("FLUSHALL")
        log = self.questionnaire_cached({"UNIC_REDIS_USER": "unic", "UNIC_REDIS_PASSWORD": "acl-pass"})
        self.assertNotIn("unavailable", log)
        self.assertNotEqual(self.cli("KEYS", "unic:catalog:*"), "")

    def test_wrong_password_runs_uncached(self):
        self.cli("FLUSHALL")
        log = self.questionnaire_cached({"UNIC_REDIS_PASSWORD": "wrong"})
        self.assertIn("authentication refused", log)
        self.assertNotIn("wrong", log.replace("WRONGPASS", ""))  # the password is never logged
        self.assertEqual(self.cli("KEYS", "unic:catalog:*"), "")

    @unittest.skipUnless(shutil.which("docker-compose"), "docker-compose is not installed")
    def test_compose_refuses_to_start_without_passwords(self):
        compose = os.path.join(lib.SOURCE, "docker-compose.yml")
        env = {k: v for k, v in os.environ.items() if not k.startswith("UNIC_")}
        env["PATH"] = os.environ["PATH"]
        run = lambda e: subprocess.run(["docker-compose", "-f", compose, "config", "-q"], env=e,  # noqa: E731
                                       capture_output=True, text=True, cwd=lib.SOURCE)
        secrets = ("UNIC_DB_PASSWORD", "UNIC_REDIS_PASSWORD", "UNIC_CATALOG_DB_PASSWORD",
                   "UNIC_RESPONSES_DB_PASSWORD", "UNIC_SCORING_DB_PASSWORD",
                   "UNIC_MATCHING_DB_PASSWORD")
        given = dict(env, **{name: "pass-" + name.lower() for name in secrets})
        for missing in secrets:
            e = dict(given)
            del e[missing]
            out = run(e)
            self.assertNotEqual(out.returncode, 0, missing)
            self.assertIn(missing, out.stderr)
        out = run(given)
        self.assertEqual(out.returncode, 0, out.stderr)
        # Least privilege: only the migration job has the owner's password, the gateway none.
        config = subprocess.run(["docker-compose", "-f", compose, "config"], env=given,
                                capture_output=True, text=True, cwd=lib.SOURCE).stdout
        services = ("\n" + config).split("\nservices:\n", 1)[1]
        blocks = re.split(r"\n  (?=[a-z]+:\n)", "\n" + services)
        owner = [b.split(":", 1)[0] for b in blocks if "pass-unic_db_password" in b]
        self.assertEqual(sorted(owner), ["migrate", "postgres"])
        gateway = [b for b in blocks if b.startswith("gateway:")][0]
        self.assertNotIn("UNIC_DB_URL", gateway)
        with open(compose) as f:
            self.assertNotIn("unic-local-only", f.read())


if __name__ == "__main__":
    unittest.main(verbosity=2)
