"""test_prometheus: Debian's prometheus scrapes the four services' and the gateway's metrics, and its
HTTP API then holds the call counter and latency histogram that this test's own calls raised.
Also: a call's request id (x-request-id) is in its log lines and in the downstream service's."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/responses/v1/responses.proto")
from unic.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402
from unic.responses.v1 import responses_pb2, responses_pb2_grpc  # noqa: E402

CALLS = 7
METHOD = "/unic.catalog.v1.CatalogService/ListTopics"


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def exposed(text, name, **labels):
    """The value of metric `name` with (at least) `labels` in a /metrics exposition, 0 if absent."""
    total = 0.0
    for line in text.splitlines():
        m = re.match(r'%s(?:\{(.*)\})? (\S+)$' % re.escape(name), line)
        if m and labels.items() <= dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"',
                                                   m.group(1) or "")).items():
            total += float(m.group(2))
    return total


class PrometheusScrapeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("prometheus")
        base = cls.stack.port_base
        cls.metrics = {s: "127.0.0.1:%d" % (base + 4 + i) for i, s in enumerate(lib.SERVICES)}
        for s in lib.SERVICES:
            cls.stack.start(s, {"UNIC_METRICS_LISTEN": cls.metrics[s]})
        cls.metrics["gateway"] = "127.0.0.1:%d" % (base + 9)
        cls.stack.start_gateway({"UNIC_METRICS_LISTEN": cls.metrics["gateway"]})
        cls.dir = tempfile.mkdtemp(prefix="unic-prometheus-")
        config = os.path.join(cls.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
                    "scrape_configs:\n"
                    "  - job_name: unic\n"
                    "    static_configs:\n"
                    "      - targets: [%s]\n" % ", ".join(cls.metrics.values()))
        cls.web = "127.0.0.1:%d" % (base + 8)
        cls.log = open(os.path.join(lib.STATE, "py-prometheus.log"), "w")
        cls.prom = subprocess.Popen(
            ["prometheus", "--config.file=" + config, "--storage.tsdb.path=" + cls.dir + "/data",
             "--web.listen-address=" + cls.web, "--log.level=warn"],
            stdout=cls.log, stderr=cls.log)
        deadline = time.time() + 60
        while True:
            try:
                if http_get("http://%s/-/ready" % cls.web)[0] == 200:
                    break
            except OSError:
                pass
            if cls.prom.poll() is not None or time.time() > deadline:
                raise RuntimeError("prometheus did not become ready (see %s)" % cls.log.name)
            time.sleep(0.2)

    @classmethod
    def tearDownClass(cls):
        cls.prom.terminate()
        cls.prom.wait(timeout=30)
        cls.log.close()
        shutil.rmtree(cls.dir, ignore_errors=True)
        cls.stack.close()

    def query(self, promql):
        status, body = http_get("http://%s/api/v1/query?%s" % (
            self.web, urllib.parse.urlencode({"query": promql})))
        self.assertEqual(status, 200)
        reply = json.loads(body)
        self.assertEqual(reply["status"], "success", reply)
        return reply["data"]["result"]

    def wait_for(self, promql, want, seconds=30):
        """The value of a one-sample query once it equals `want` (Prometheus scrapes every 1 s)."""
        deadline = time.time() + seconds
        got = None
        while time.time() < deadline:
            result = self.query(promql)
            got = float(result[0]["value"][1]) if len(result) == 1 else None
            if got == want:
                return got
            time.sleep(0.5)
        self.fail("%s: %r after %d s, wanted %r" % (promql, got, seconds, want))

    def test_scraped_counters_hold_this_tests_calls(self):
        # Every target is up: each service's listener answered Prometheus.
        up = {r["metric"]["instance"]: r["value"][1] for r in self.query('up{job="unic"}')}
        deadline = time.time() + 30
        while sorted(up) != sorted(self.metrics.values()) or set(up.values()) != {"1"}:
            self.assertLess(time.time(), deadline, up)
            time.sleep(0.5)
            up = {r["metric"]["instance"]: r["value"][1] for r in self.query('up{job="unic"}')}

        # The catalog's own count first: the other services ask it for ListTopics too (the shared
        # reference data, common/catalog_ref.h, when another test of this class made them
        # check a State or a topic), and this test counts only its own calls.
        scraped = http_get("http://%s/metrics" % self.metrics["catalog"])[1]
        ok_before = exposed(scraped, "unic_rpc_calls_total", method=METHOD, code="OK")
        count_before = exposed(scraped, "unic_rpc_duration_seconds_count", method=METHOD)
        stub = catalog_pb2_grpc.CatalogServiceStub(grpc.insecure_channel(self.stack.addr("catalog")))
        for _ in range(CALLS):
            stub.ListTopics(catalog_pb2.ListTopicsRequest(), timeout=10,
                            metadata=lib.metadata(self.stack.operator_key))
        with self.assertRaises(grpc.RpcError):  # no key: counted under its own status
            stub.ListTopics(catalog_pb2.ListTopicsRequest(), timeout=10)
        # One more through the gateway (Connect, JSON): counted by the gateway and the catalog.
        req = urllib.request.Request(self.stack.gateway_url() + METHOD, data=b"{}", headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer " + self.stack.operator_key})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 200)

        catalog = 'instance="%s"' % self.metrics["catalog"]
        self.wait_for('unic_rpc_calls_total{%s,method="%s",code="OK"}' % (catalog, METHOD),
                      ok_before + CALLS + 1)
        gateway = 'instance="%s"' % self.metrics["gateway"]
        self.wait_for('unic_rpc_calls_total{%s,method="%s",code="OK"}' % (gateway, METHOD), 1)
        self.wait_for('unic_client_calls_total{%s,method="%s",code="OK"}' % (gateway, METHOD), 1)
        self.wait_for('unic_rpc_calls_total{%s,method="%s",code="UNAUTHENTICATED"}'
                      % (catalog, METHOD), 1)
        self.wait_for('unic_rpc_duration_seconds_count{%s,method="%s"}' % (catalog, METHOD),
                      count_before + CALLS + 2)
        # The database statements the calls made, and the executable's identity.
        self.assertTrue(self.query('unic_db_statement_duration_seconds_count{%s}' % catalog))
        info = self.query('unic_build_info{%s}' % catalog)
        self.assertEqual(info[0]["metric"]["service"], "catalog")

    def test_request_id_follows_the_call_downstream(self):
        stub = responses_pb2_grpc.ResponseServiceStub(
            grpc.insecure_channel(self.stack.addr("responses")))
        rid = "trace-prometheus-test.1"
        key = self.stack.key("STATE", "KEN")
        stub.CreateAssessment(responses_pb2.CreateAssessmentRequest(
            state_code="KEN", cycle=2026, questionnaire_id="cip-self-assessment"), timeout=10,
            metadata=lib.metadata(key) + (("x-request-id", rid),))
        # The responses service asked the catalog for the questionnaire under the same id.
        for service in ("responses", "catalog"):
            path = os.path.join(lib.STATE, "py-prometheus-%s.log" % service)
            deadline = time.time() + 10
            while True:
                lines = [json.loads(l) for l in open(path) if rid in l]
                if lines or time.time() > deadline:
                    break
                time.sleep(0.2)
            self.assertTrue(lines, service)
            self.assertTrue(all(l["request_id"] == rid for l in lines), lines)
            self.assertTrue(any(l.get("msg") == "call" for l in lines), lines)
        # A request id that is not a plain token is replaced, never logged as sent.
        stub.GetAssessment(responses_pb2.GetAssessmentRequest(
            state_code="KEN", cycle=2026, questionnaire_id="cip-self-assessment"), timeout=10,
            metadata=lib.metadata(key) + (("x-request-id", 'bad"id'),))
        self.assertNotIn('bad\\"id', open(os.path.join(lib.STATE, "py-prometheus-responses.log")).read())

    def test_listener_serves_metrics_and_health_only(self):
        status, body = http_get("http://%s/metrics" % self.metrics["responses"])
        self.assertEqual(status, 200)
        self.assertIn("# TYPE unic_rpc_calls_total counter", body)
        self.assertIn("process_resident_memory_bytes", body)
        self.assertEqual(http_get("http://%s/healthz" % self.metrics["responses"]),
                         (200, "SERVING\n"))
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            http_get("http://%s/anything-else" % self.metrics["responses"])
        self.assertEqual(ctx.exception.code, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
