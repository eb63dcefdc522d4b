"""test_balancing: a client of the runtime (here the gateway) spreads its calls over every address
its target resolves to, as it must over a headless Kubernetes Service's pods (docs/operations.md,
"Balancing gRPC"), and keeps serving when one replica goes. Two catalog replicas, one gateway
whose UNIC_CATALOG_ADDR names both; each replica's own metrics count the calls it served."""
import json
import os
import re
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto")

CALL = "/unic.catalog.v1.CatalogService/GetQuestionnaire"


class BalancingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("balancing")
        base = cls.stack.port_base
        cls.replicas = ["127.0.0.1:%d" % base, "127.0.0.1:%d" % (base + 5)]
        cls.metrics = ["127.0.0.1:%d" % (base + 6), "127.0.0.1:%d" % (base + 7)]
        try:
            cls.stack.start("catalog", {"UNIC_METRICS_LISTEN": cls.metrics[0]})
            cls.stack.start("catalog", {"UNIC_METRICS_LISTEN": cls.metrics[1]}, addr=cls.replicas[1])
            # gRPC's ipv4: target with two addresses stands for a DNS name with two records.
            cls.stack.start_gateway({"UNIC_CATALOG_ADDR": "ipv4:" + ",".join(cls.replicas)})
        except Exception:
            cls.stack.close()
            raise
        cls.url = cls.stack.gateway_url()

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def call(self):
        req = urllib.request.Request(
            self.url + CALL, data=json.dumps({"questionnaireId": "cip-self-assessment"}).encode(),
            headers={"Content-Type": "application/json",
                     "Authorization": "Bearer " + self.stack.operator_key})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status

    def served(self, metrics):
        """GetQuestionnaire calls answered OK by the replica whose metrics are at `metrics`."""
        with urllib.request.urlopen("http://%s/metrics" % metrics, timeout=10) as r:
            text = r.read().decode()
        total = 0
        for line in text.splitlines():
            if line.startswith("unic_rpc_calls_total{") and 'method="%s"' % CALL in line \
                    and 'code="OK"' in line:
                total += int(float(line.rsplit(" ", 1)[1]))
        return total

    def test_calls_are_spread_over_every_replica_and_survive_one_going(self):
        before = [self.served(m) for m in self.metrics]
        for _ in range(40):
            self.assertEqual(self.call(), 200)
        spread = [self.served(m) - b for m, b in zip(self.metrics, before)]
        self.assertEqual(sum(spread), 40, spread)
        # round_robin: each replica takes its turn (pick_first would give one of them all 40).
        self.assertGreaterEqual(min(spread), 10, spread)

        self.assertEqual(self.stack.stop("catalog@" + self.replicas[1]), 0)
        # The drained replica's connection closes with GOAWAY; calls go to the one left.
        deadline = time.time() + 10
        while time.time() < deadline:
            before = self.served(self.metrics[0])
            try:
                if self.call() == 200 and self.served(self.metrics[0]) == before + 1:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        for _ in range(20):
            self.assertEqual(self.call(), 200)


if __name__ == "__main__":
    unittest.main(verbosity=2)
