"""test_buf_curl: buf curl (npm @bufbuild/buf), a gRPC client written in Go, against the real
services with only the .proto files of proto/: health on every service and a questionnaire as JSON."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto")
BUF = os.environ["UNIC_BUF"]


def buf_curl(addr, path, key=None, body=None):
    cmd = [BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--schema",
           os.path.join(lib.SOURCE, "proto")]
    if key:
        cmd += ["-H", "authorization: Bearer " + key]
    if body is not None:
        cmd += ["-d", json.dumps(body)]
    cmd.append("http://%s/%s" % (addr, path))
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return out.returncode, out.stdout, out.stderr


class BufCurlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("buf_curl")
        cls.services = [s for s in lib.SERVICES
                        if os.path.exists(os.path.join(lib.BIN, "services", s, "unic-" + s))]
        for service in cls.services:
            cls.stack.start(service)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def test_every_service_is_serving(self):
        self.assertEqual(self.services, lib.SERVICES)
        for service in self.services:
            rc, out, err = buf_curl(self.stack.addr(service), "grpc.health.v1.Health/Check")
            self.assertEqual(rc, 0, err)
            self.assertEqual(json.loads(out), {"status": "SERVING"}, service)

    def test_questionnaire_comes_back_as_json(self):
        rc, out, err = buf_curl(self.stack.addr("catalog"),
                                "unic.catalog.v1.CatalogService/GetQuestionnaire",
                                key=self.stack.operator_key,
                                body={"questionnaire_id": "cip-self-assessment", "locale": "fr"})
        self.assertEqual(rc, 0, err)
        q = json.loads(out)
        self.assertEqual(q["id"], "cip-self-assessment")
        self.assertEqual(q["locale"], "fr")
        self.assertEqual(q["state"], "PUBLISHED")
        self.assertEqual(len(q["sections"]), 7)
        self.assertEqual(sum(len(s["questions"]) for s in q["sections"]), 18)

    def test_errors_carry_their_grpc_status(self):
        rc, out, err = buf_curl(self.stack.addr("catalog"),
                                "unic.catalog.v1.CatalogService/GetQuestionnaire",
                                key=self.stack.operator_key, body={"questionnaire_id": "no-such"})
        self.assertNotEqual(rc, 0)  # buf writes the error status as JSON on stderr
        self.assertEqual(json.loads(err)["code"], "not_found")
        rc, out, err = buf_curl(self.stack.addr("catalog"), "unic.catalog.v1.CatalogService/ListTopics")
        self.assertNotEqual(rc, 0)
        self.assertEqual(json.loads(err)["code"], "unauthenticated")


if __name__ == "__main__":
    unittest.main(verbosity=2)
