"""test_reflection: server reflection (grpc.reflection.v1 and v1alpha) in every service, used by
buf curl (a Go client) with no .proto files: it lists each service's methods and calls them."""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto")
BUF = os.environ["UNIC_BUF"]


def buf_curl(*args, key=None, body=None):
    cmd = [BUF, "curl", "--protocol", "grpc", "--http2-prior-knowledge"]
    if key:
        cmd += ["-H", "authorization: Bearer " + key]
    if body is not None:
        cmd += ["-d", json.dumps(body)]
    out = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60)
    return out.returncode, out.stdout, out.stderr


def proto_methods(service):
    """The methods the contract declares: "pkg.Service/Method" for each rpc of proto/."""
    path = os.path.join(lib.SOURCE, "proto", "unic", service, "v1", service + ".proto")
    text = open(path).read()
    package = re.search(r"^package ([\w.]+);", text, re.M).group(1)
    found = set()
    for name, body in re.findall(r"^service (\w+) \{(.*?)^\}", text, re.M | re.S):
        for method in re.findall(r"^\s*rpc (\w+)\(", body, re.M):
            found.add("%s.%s/%s" % (package, name, method))
    return found


class ReflectionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("reflection")
        for service in lib.SERVICES:
            cls.stack.start(service)

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def test_list_methods_without_schema_names_every_method(self):
        for service in lib.SERVICES:
            for protocol in ("grpc-v1", "grpc-v1alpha"):
                rc, out, err = buf_curl("--list-methods", "--reflect-protocol", protocol,
                                        "http://%s" % self.stack.addr(service))
                self.assertEqual(rc, 0, "%s %s: %s" % (service, protocol, err))
                listed = set(out.split())
                want = proto_methods(service)
                self.assertTrue(want, service)
                self.assertTrue(want <= listed, "%s %s lacks %s" % (service, protocol, want - listed))
                self.assertIn("grpc.health.v1.Health/Check", listed)
                self.assertIn("grpc.reflection.v1.ServerReflection/ServerReflectionInfo", listed)

    def test_calls_without_schema(self):
        rc, out, err = buf_curl("http://%s/grpc.health.v1.Health/Check" % self.stack.addr("scoring"))
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out), {"status": "SERVING"})
        rc, out, err = buf_curl(
            "http://%s/unic.catalog.v1.CatalogService/GetQuestionnaire" % self.stack.addr("catalog"),
            key=self.stack.operator_key, body={"questionnaire_id": "cip-self-assessment", "locale": "fr"})
        self.assertEqual(rc, 0, err)
        q = json.loads(out)
        self.assertEqual(q["id"], "cip-self-assessment")
        self.assertEqual(q["locale"], "fr")
        self.assertEqual(len(q["sections"]), 7)

    def test_unknown_method_is_reported_by_the_client(self):
        rc, out, err = buf_curl(
            "http://%s/unic.catalog.v1.CatalogService/NoSuchMethod" % self.stack.addr("catalog"))
        self.assertNotEqual(rc, 0)
        self.assertIn("NoSuchMethod", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
