"""test_tls: TLS on the listeners and mutual TLS between services, with a CA made here by openssl:
Python grpcio and buf curl trusting the CA succeed, plaintext fails, a SERVICE key needs the
suite's client certificate, a certificate of another CA is refused between services, and SIGHUP
with a new certificate keeps calls succeeding while new handshakes get the new certificate. The
gateway serves HTTPS and reaches the services over mutual TLS, and reloads on SIGHUP too."""
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/responses/v1/responses.proto")
from grpc.health.v1 import health_pb2  # noqa: E402
from unic.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2, responses_pb2_grpc  # noqa: E402

BUF = os.environ.get("UNIC_BUF") or shutil.which("buf")


def make_certs(d, *names):
    """deploy/local/tls: a CA in d (kept when there is one) and a certificate per name."""
    subprocess.run([os.path.join(lib.SOURCE, "deploy", "local", "tls"), d] + list(names),
                   check=True, capture_output=True)


def eventually(call, seconds=60):
    """call() once the path it takes is up: a first TLS connection on a machine as loaded as a
    shared CI runner may time out; a misconfigured one fails for the whole minute."""
    deadline = time.time() + seconds
    while True:
        try:
            return call()
        except (grpc.RpcError, urllib.error.HTTPError) as err:
            unavailable = (err.code() == grpc.StatusCode.UNAVAILABLE if isinstance(err, grpc.RpcError)
                           else err.code == 503)
            if not unavailable or time.time() > deadline:
                raise
            time.sleep(0.5)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="unic-tls-")
        cls.dir = os.path.join(cls.tmp, "suite")
        cls.other = os.path.join(cls.tmp, "other")  # another CA, and a "responses" it signed
        make_certs(cls.dir, "catalog", "responses", "client", "gateway")
        make_certs(cls.other, "responses")
        cls.ca = read(os.path.join(cls.dir, "ca.pem"))
        cls.creds = grpc.ssl_channel_credentials(root_certificates=cls.ca)
        cls.stack = lib.Stack("tls")
        for name in ("catalog", "responses"):
            cls.stack.start(name, cls.env(name), credentials=cls.creds)
        cls.op = lib.metadata(cls.stack.operator_key)
        # The gateway: HTTPS for browsers and curl, mutual TLS to the services behind it.
        cls.https = ssl.create_default_context(cafile=os.path.join(cls.dir, "ca.pem"))
        cls.stack.gateway_port = cls.stack.port_base + 6
        cls.stack.start_gateway(cls.env("gateway"), ssl_context=cls.https)

    @classmethod
    def env(cls, name, certs=None):
        certs = certs or cls.dir
        return {"UNIC_TLS_CERT": os.path.join(certs, name + ".pem"),
                "UNIC_TLS_KEY": os.path.join(certs, name + ".key"),
                "UNIC_TLS_CA": os.path.join(cls.dir, "ca.pem"),
                "UNIC_AUTH_CACHE_SECONDS": "0", "UNIC_CALL_TIMEOUT_MS": "30000"}

    @classmethod
    def tearDownClass(cls):
        codes = {name: cls.stack.stop(name) for name in list(cls.stack.procs)}
        cls.stack.close()
        shutil.rmtree(cls.tmp)
        assert all(c == 0 for c in codes.values()), codes

    def catalog(self, creds=None, addr=None):
        return catalog_pb2_grpc.CatalogServiceStub(self.stack.channel("catalog", creds or self.creds, addr))

    def code_of(self, fn, req, md):
        try:
            fn(req, metadata=md, timeout=10)
            return grpc.StatusCode.OK, ""
        except grpc.RpcError as err:
            return err.code(), err.details()

    def gateway_post(self, path, body, url=None):
        req = urllib.request.Request((url or self.stack.gateway_url(True)) + path,
                                     data=json.dumps(body).encode(), method="POST", headers={
                                         "Content-Type": "application/json",
                                         "Authorization": "Bearer " + self.stack.operator_key})
        with urllib.request.urlopen(req, timeout=30, context=self.https) as r:
            return r.status, json.loads(r.read())

    def served_serial(self, addr=None):
        out = subprocess.run(["openssl", "s_client", "-connect", addr or self.stack.addr("catalog"),
                              "-alpn", "h2", "-CAfile", os.path.join(self.dir, "ca.pem")],
                             input=b"", capture_output=True, timeout=30).stdout.decode("latin-1")
        pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", out, re.S)
        return self.serial_of(pem.group(0)) if pem else None

    @staticmethod
    def serial_of(pem):
        return subprocess.run(["openssl", "x509", "-noout", "-serial"], input=pem,
                              capture_output=True, text=True, check=True).stdout.strip()

    def test_gateway_serves_https_and_calls_services_over_mutual_tls(self):
        status, topics = eventually(
            lambda: self.gateway_post("/unic.catalog.v1.CatalogService/ListTopics", {}))
        self.assertEqual(status, 200)
        self.assertGreaterEqual(len(topics["topics"]), 11)
        status, ids = self.gateway_post("/unic.admin.v1.AdminService/ListIdentities", {})
        self.assertEqual((status, ids), (200, {}))
        with self.assertRaises((urllib.error.URLError, ConnectionError, OSError)):
            urllib.request.urlopen(self.stack.gateway_url() + "/livez", timeout=10).read()

    def test_gateway_sighup_loads_a_new_certificate(self):
        gateway = "127.0.0.1:%d" % self.stack.gateway_port
        old_serial = self.served_serial(gateway)
        renew = os.path.join(self.tmp, "renew-gateway")
        os.makedirs(renew)
        for f in ("ca.pem", "ca.key", "ca.srl"):
            shutil.copy(os.path.join(self.dir, f), renew)
        make_certs(renew, "gateway")
        new_serial = self.serial_of(read(os.path.join(renew, "gateway.pem")).decode())
        self.assertNotEqual(new_serial, old_serial)
        for f in ("gateway.pem", "gateway.key"):
            shutil.copy(os.path.join(renew, f), os.path.join(self.dir, f))
        self.stack.procs["gateway"].send_signal(signal.SIGHUP)
        deadline = time.time() + 20
        while time.time() < deadline and self.served_serial(gateway) != new_serial:
            time.sleep(0.1)
        self.assertEqual(self.served_serial(gateway), new_serial)
        status, topics = self.gateway_post("/unic.catalog.v1.CatalogService/ListTopics", {})
        self.assertEqual(status, 200)

    def test_grpcio_trusting_the_ca_succeeds(self):
        health = self.stack.health_stub("catalog", self.creds)
        self.assertEqual(health.Check(health_pb2.HealthCheckRequest(), timeout=10).status, 1)
        topics = self.catalog().ListTopics(catalog_pb2.ListTopicsRequest(), metadata=self.op, timeout=10)
        self.assertGreaterEqual(len(topics.topics), 11)

    def test_plaintext_client_fails(self):
        stub = catalog_pb2_grpc.CatalogServiceStub(grpc.insecure_channel(self.stack.addr("catalog")))
        code, _ = self.code_of(stub.ListTopics, catalog_pb2.ListTopicsRequest(), self.op)
        self.assertEqual(code, grpc.StatusCode.UNAVAILABLE)

    def test_client_not_trusting_the_ca_fails(self):
        other = grpc.ssl_channel_credentials(root_certificates=read(os.path.join(self.other, "ca.pem")))
        code, _ = self.code_of(self.catalog(other).ListTopics, catalog_pb2.ListTopicsRequest(), self.op)
        self.assertEqual(code, grpc.StatusCode.UNAVAILABLE)

    @unittest.skipUnless(BUF, "buf is not installed")
    def test_buf_curl_trusting_the_ca_succeeds_and_plaintext_fails(self):
        base = [BUF, "curl", "--protocol", "grpc", "--schema", os.path.join(lib.SOURCE, "proto")]
        ok = subprocess.run(base + ["--cacert", os.path.join(self.dir, "ca.pem"),
                                    "https://%s/grpc.health.v1.Health/Check" % self.stack.addr("catalog")],
                            capture_output=True, text=True, timeout=60)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("SERVING", ok.stdout)
        plain = subprocess.run(base + ["--http2-prior-knowledge",
                                       "http://%s/grpc.health.v1.Health/Check" % self.stack.addr("catalog")],
                               capture_output=True, text=True, timeout=60)
        self.assertNotEqual(plain.returncode, 0)

    def test_service_key_needs_a_certificate_of_the_suite(self):
        md = lib.metadata(self.stack.key("SERVICE"))
        code, msg = self.code_of(self.catalog().ListTopics, catalog_pb2.ListTopicsRequest(), md)
        self.assertEqual(code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertIn("mutual TLS", msg)
        mtls = grpc.ssl_channel_credentials(root_certificates=self.ca,
                                            private_key=read(os.path.join(self.dir, "client.key")),
                                            certificate_chain=read(os.path.join(self.dir, "client.pem")))
        code, msg = self.code_of(self.catalog(mtls).ListTopics, catalog_pb2.ListTopicsRequest(), md)
        self.assertEqual(code, grpc.StatusCode.OK, msg)

    def test_client_certificate_of_another_ca_is_refused(self):
        rogue = grpc.ssl_channel_credentials(root_certificates=self.ca,
                                             private_key=read(os.path.join(self.other, "responses.key")),
                                             certificate_chain=read(os.path.join(self.other, "responses.pem")))
        code, _ = self.code_of(self.catalog(rogue).ListTopics, catalog_pb2.ListTopicsRequest(), self.op)
        self.assertEqual(code, grpc.StatusCode.UNAVAILABLE)

    def test_between_services_only_certificates_of_the_suite(self):
        # responses calls the catalog over mutual TLS with its own certificate...
        good = responses_pb2_grpc.ResponseServiceStub(self.stack.channel("responses", self.creds))
        ken = lib.metadata(self.stack.key("STATE", "KEN"))
        made = eventually(lambda: good.CreateAssessment(responses_pb2.CreateAssessmentRequest(
            state_code="KEN", cycle=2025, questionnaire_id="cip-self-assessment"), metadata=ken, timeout=30))
        self.assertEqual(made.id, "KEN-2025-cip-self-assessment")
        # ...a second responses holding a certificate of another CA is refused by the catalog.
        addr = "127.0.0.1:%d" % (self.stack.port_base + 5)
        other = grpc.ssl_channel_credentials(root_certificates=read(os.path.join(self.other, "ca.pem")))
        self.stack.start("responses", self.env("responses", certs=self.other), addr=addr,
                         credentials=other)
        rogue = responses_pb2_grpc.ResponseServiceStub(self.stack.channel("responses", other, addr))
        code, msg = self.code_of(rogue.CreateAssessment, responses_pb2.CreateAssessmentRequest(
            state_code="KEN", cycle=2024, questionnaire_id="cip-self-assessment"), ken)
        self.assertEqual(code, grpc.StatusCode.UNAVAILABLE, msg)
        self.assertEqual(self.stack.stop("responses@" + addr), 0)

    def test_a_process_exits_cleanly_while_its_channel_retries_a_refused_handshake(self):
        """A service whose certificate the service it calls refuses keeps retrying the handshake
        on gRPC's threads, which gRPC 1.51 does not join at grpc_shutdown(): an attempt may still
        be running while the process exits. It must not find OpenSSL's state freed by exit (a
        heap-use-after-free, a hung exit, or OpenSSL's allocations reported leaked, as seen with
        the replica of the case below). The probe exits at sixteen points of the retry cycle
        and lingers in exit as a loaded machine does; before the fix about one such exit in
        eight failed (6 of 48 exits, in 5 of 6 rounds of eight)."""
        probe = os.path.join(lib.BIN, "tests", "tls_exit_probe")  # tests/CMakeLists.txt
        env = dict(os.environ, **self.env("responses", certs=self.other))
        for wait_ms in range(0, 800, 50):
            done = subprocess.run([probe, self.stack.addr("catalog"), str(wait_ms), "1000"], env=env,
                                  capture_output=True, text=True, timeout=60)
            self.assertNotIn("Sanitizer", done.stderr, "exit after %d ms" % wait_ms)
            self.assertEqual(done.returncode, 0, done.stderr)

    def test_after_sighup_a_service_calls_others_with_its_new_certificate(self):
        """A service is a client too: after SIGHUP its new connections to the services it calls
        present the new certificate and trust the new CA. Here the CA itself is replaced: a
        responses still calling with the old set could not reach a catalog started on the new."""
        rot, rot2 = os.path.join(self.tmp, "rot"), os.path.join(self.tmp, "rot2")
        make_certs(rot, "catalog", "responses")
        make_certs(rot2, "catalog", "responses")  # another CA
        catalog_at = "127.0.0.1:%d" % (self.stack.port_base + 7)
        responses_at = "127.0.0.1:%d" % (self.stack.port_base + 8)

        def env(name):
            return {"UNIC_TLS_CERT": os.path.join(rot, name + ".pem"),
                    "UNIC_TLS_KEY": os.path.join(rot, name + ".key"),
                    "UNIC_TLS_CA": os.path.join(rot, "ca.pem"), "UNIC_AUTH_CACHE_SECONDS": "0",
                    "UNIC_CALL_TIMEOUT_MS": "30000", "UNIC_CATALOG_ADDR": catalog_at}

        old_ca, new_ca = read(os.path.join(rot, "ca.pem")), read(os.path.join(rot2, "ca.pem"))
        self.stack.start("catalog", env("catalog"), addr=catalog_at,
                         credentials=grpc.ssl_channel_credentials(root_certificates=old_ca))
        self.stack.start("responses", env("responses"), addr=responses_at,
                         credentials=grpc.ssl_channel_credentials(root_certificates=old_ca))
        both = grpc.ssl_channel_credentials(root_certificates=old_ca + new_ca)
        stub = responses_pb2_grpc.ResponseServiceStub(self.stack.channel("responses", both, responses_at))
        ken = lib.metadata(self.stack.key("STATE", "KEN"))
        made = eventually(lambda: stub.CreateAssessment(responses_pb2.CreateAssessmentRequest(
            state_code="KEN", cycle=2023, questionnaire_id="cip-self-assessment"), metadata=ken, timeout=30))
        self.assertEqual(made.cycle, 2023)

        for f in ("ca.pem", "catalog.pem", "catalog.key", "responses.pem", "responses.key"):
            shutil.copy(os.path.join(rot2, f), os.path.join(rot, f))
        log = os.path.join(lib.STATE, "py-tls-responses@%s.log" % responses_at.replace(":", "_"))
        reloads = read(log).count(b"certificates reloaded")
        self.stack.procs["responses@" + responses_at].send_signal(signal.SIGHUP)
        deadline = time.time() + 20
        while time.time() < deadline and read(log).count(b"certificates reloaded") == reloads:
            time.sleep(0.1)
        self.assertGreater(read(log).count(b"certificates reloaded"), reloads)
        # The catalog comes back on the new CA only: the old connection is gone with it.
        self.assertEqual(self.stack.stop("catalog@" + catalog_at), 0)
        self.stack.start("catalog", env("catalog"), addr=catalog_at,
                         credentials=grpc.ssl_channel_credentials(root_certificates=new_ca))
        again = eventually(lambda: stub.CreateAssessment(responses_pb2.CreateAssessmentRequest(
            state_code="KEN", cycle=2022, questionnaire_id="cip-self-assessment"), metadata=ken, timeout=30))
        self.assertEqual(again.cycle, 2022)
        for name in ("responses@" + responses_at, "catalog@" + catalog_at):
            self.assertEqual(self.stack.stop(name), 0)

    def test_sighup_loads_a_new_certificate_without_dropping_calls(self):
        old_serial = self.served_serial()
        self.assertIsNotNone(old_serial)
        stub = self.catalog()
        failures, calls, stop = [], [0], threading.Event()

        def call_forever():
            while not stop.is_set():
                code, msg = self.code_of(stub.ListTopics, catalog_pb2.ListTopicsRequest(), self.op)
                calls[0] += 1
                if code != grpc.StatusCode.OK:
                    failures.append((code, msg))

        worker = threading.Thread(target=call_forever)
        worker.start()
        try:
            renew = os.path.join(self.tmp, "renew")  # the same CA, a new certificate
            os.makedirs(renew)
            for f in ("ca.pem", "ca.key", "ca.srl"):
                shutil.copy(os.path.join(self.dir, f), renew)
            make_certs(renew, "catalog")
            new_serial = self.serial_of(read(os.path.join(renew, "catalog.pem")).decode())
            self.assertNotEqual(new_serial, old_serial)
            # A broken set first: the key of another certificate. It is refused, the old set stays.
            shutil.copy(os.path.join(renew, "catalog.pem"), os.path.join(self.dir, "catalog.pem"))
            self.stack.procs["catalog"].send_signal(signal.SIGHUP)
            log = os.path.join(lib.STATE, "py-tls-catalog.log")
            deadline = time.time() + 20
            while time.time() < deadline and b"certificates not reloaded" not in read(log):
                time.sleep(0.1)
            self.assertIn(b"certificates not reloaded", read(log))
            self.assertEqual(self.served_serial(), old_serial)
            # Then the whole new set.
            shutil.copy(os.path.join(renew, "catalog.key"), os.path.join(self.dir, "catalog.key"))
            self.stack.procs["catalog"].send_signal(signal.SIGHUP)
            deadline = time.time() + 20
            while time.time() < deadline and self.served_serial() != new_serial:
                time.sleep(0.1)
            self.assertEqual(self.served_serial(), new_serial)
            fresh = self.catalog().ListTopics(catalog_pb2.ListTopicsRequest(), metadata=self.op, timeout=10)
            self.assertGreaterEqual(len(fresh.topics), 11)
        finally:
            stop.set()
            worker.join()
        self.assertGreater(calls[0], 0)
        self.assertEqual(failures, [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
