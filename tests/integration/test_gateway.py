"""test_gateway: unic-gateway in front of the four real services. buf curl (a Go client) over
Connect and gRPC-Web gets the messages direct gRPC gets; plain HTTP (curl and http.client) gets
JSON, binary, GET reads, the errors and limits, the static files; a killed service answers 503
while the others keep working."""
import base64
import gzip
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto", "unic/responses/v1/responses.proto")
from unic.catalog.v1 import catalog_pb2  # noqa: E402
from unic.responses.v1 import responses_pb2 as rpb  # noqa: E402

EXCHANGE_MAX = 8 * 1024 * 1024  # the largest exchange file (responses.proto, common/size_limits.h)

BUF = os.environ["UNIC_BUF"]
ORIGIN = "https://portal.unic.example"
CATALOG = "/unic.catalog.v1.CatalogService/"
RESPONSES = "/unic.responses.v1.ResponseService/"
SCORING = "/unic.scoring.v1.ScoringService/"
MATCHING = "/unic.matching.v1.MatchingService/"


def buf_curl(protocol, url, path, key, body):
    cmd = [BUF, "curl", "--protocol", protocol, "--schema", os.path.join(lib.SOURCE, "proto"),
           "-H", "authorization: Bearer " + key, "-d", json.dumps(body)]
    if protocol == "grpc":
        cmd.append("--http2-prior-knowledge")
    cmd.append(url + path)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return out.returncode, out.stdout, out.stderr


class GatewayTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("gateway")
        try:
            for service in lib.SERVICES:
                cls.stack.start(service)
            cls.stack.start_gateway({"UNIC_HTTP_CORS_ORIGINS": ORIGIN + ", http://other.example",
                                     "UNIC_HTTP_MAX_BODY_BYTES": str(1024 * 1024)})
        except Exception:
            cls.stack.close()  # tearDownClass does not run when setUpClass fails
            raise
        cls.url = cls.stack.gateway_url()
        cls.port = int(cls.url.rsplit(":", 1)[1])
        cls.operator = cls.stack.operator_key
        cls.ken = cls.stack.key("STATE", "KEN")

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def connect(self, path, body, key=None, headers=None):
        h = {"Content-Type": "application/json", "Connect-Protocol-Version": "1"}
        if key:
            h["Authorization"] = "Bearer " + key
        h.update(headers or {})
        status, hdrs, data = self.request("POST", path, body, h)
        return status, hdrs, json.loads(data) if data else None

    def same_via_gateway(self, path, key, body):
        """buf curl over gRPC to the service, and over Connect and gRPC-Web to the gateway."""
        service = {CATALOG: "catalog", RESPONSES: "responses", SCORING: "scoring",
                   MATCHING: "matching"}[path[:path.rindex("/") + 1]]
        rc, direct, err = buf_curl("grpc", "http://" + self.stack.addr(service), path, key, body)
        self.assertEqual(rc, 0, err)
        direct = json.loads(direct)
        volatile = ("computedAt",)  # a scorecard says when it was computed
        for field in volatile:
            direct.pop(field, None)
        for protocol in ("connect", "grpcweb"):
            rc, out, err = buf_curl(protocol, self.url, path, key, body)
            self.assertEqual(rc, 0, "%s %s: %s" % (protocol, path, err))
            out = json.loads(out)
            for field in volatile:
                out.pop(field, None)
            self.assertEqual(out, direct, "%s %s" % (protocol, path))
        return direct

    # ---- Every service through buf curl: the same messages as direct gRPC ----

    def test_buf_curl_connect_and_grpc_web_get_what_grpc_gets(self):
        q = self.same_via_gateway(CATALOG + "GetQuestionnaire", self.ken,
                                  {"questionnaire_id": "cip-self-assessment", "locale": "fr"})
        self.assertEqual((q["id"], q["locale"]), ("cip-self-assessment", "fr"))
        self.same_via_gateway(CATALOG + "ListStates", self.operator, {})

        # A write through the gateway, then reads of it from each service.
        status, _, created = self.connect(RESPONSES + "CreateAssessment",
                                          {"stateCode": "KEN", "cycle": 2025,
                                           "questionnaireId": "cip-self-assessment"}, self.ken)
        self.assertEqual(status, 200, created)
        answers = [{"questionId": "q%d" % i, "level": i % 6} for i in range(1, 19)]
        status, _, saved = self.connect(RESPONSES + "SaveAnswers",
                                        {"assessmentId": created["id"], "etag": created["etag"],
                                         "answers": answers}, self.ken)
        self.assertEqual(status, 200, saved)
        self.assertEqual(saved["revision"], 2)
        self.assertEqual(saved["answers"][0]["level"], 1)
        # a oneof at its default is still written: level 0 is an answer, not a missing one
        self.assertEqual([a for a in saved["answers"] if a["questionId"] == "q6"][0]["level"], 0)
        status, _, submitted = self.connect(RESPONSES + "SubmitAssessment",
                                            {"assessmentId": created["id"], "etag": saved["etag"]},
                                            self.ken)
        self.assertEqual(status, 200, submitted)
        self.same_via_gateway(RESPONSES + "GetAssessment", self.ken, {"assessment_id": created["id"]})
        card = self.same_via_gateway(SCORING + "GetScorecard", self.ken,
                                     {"assessment_id": created["id"]})
        self.assertIn("overallIndex", card)
        # shown to UNIC, the operator reads it too, through every dialect alike
        status, _, shown = self.connect(RESPONSES + "SetVisibility",
                                        {"assessmentId": created["id"], "visibility": "UNIC",
                                         "etag": submitted["etag"]}, self.ken)
        self.assertEqual((status, shown["visibility"]), (200, "UNIC"), shown)
        self.same_via_gateway(RESPONSES + "GetAssessment", self.operator,
                              {"assessment_id": created["id"]})
        self.same_via_gateway(SCORING + "GetScorecard", self.operator,
                              {"assessment_id": created["id"]})
        self.same_via_gateway(MATCHING + "ListOffers", self.operator, {})
        self.same_via_gateway(MATCHING + "ListRequests", self.ken, {})

    # ---- Plain HTTP ----

    def test_curl_gets_a_questionnaire_as_json(self):
        out = subprocess.run(
            ["curl", "-sS", "-H", "Authorization: Bearer " + self.ken,
             "-H", "Content-Type: application/json",
             "-d", '{"questionnaireId": "cip-self-assessment", "locale": "en"}',
             "-w", "\n%{http_code}", self.url + CATALOG + "GetQuestionnaire"],
            capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        body, code = out.stdout.rsplit("\n", 1)
        self.assertEqual(code, "200")
        q = json.loads(body)
        self.assertEqual(q["id"], "cip-self-assessment")
        self.assertEqual(len(q["sections"]), 7)
        self.assertEqual(q["state"], "PUBLISHED")  # enums by name

    def test_curl_without_a_key_is_401_unauthenticated(self):
        out = subprocess.run(
            ["curl", "-sS", "-H", "Content-Type: application/json", "-d", "{}",
             "-w", "\n%{http_code}", self.url + CATALOG + "ListQuestionnaires"],
            capture_output=True, text=True, timeout=30)
        body, code = out.stdout.rsplit("\n", 1)
        self.assertEqual(code, "401")
        self.assertEqual(json.loads(body)["code"], "unauthenticated")

    def test_curl_get_reads_and_is_never_stored(self):
        message = json.dumps({"questionnaireId": "unic-compliance", "questionId": "para8-report"})
        out = subprocess.run(
            ["curl", "-sS", "-G", "-D", "-", "-H", "Authorization: Bearer " + self.ken,
             "--data-urlencode", "encoding=json", "--data-urlencode", "message=" + message,
             self.url + CATALOG + "GetQuestion"], capture_output=True, text=True, timeout=30)
        head, _, body = out.stdout.partition("\n\n")  # text mode reads \r\n as \n
        self.assertTrue(head.startswith("HTTP/1.1 200"), head)
        self.assertIn("cache-control: no-store", head.lower())
        self.assertEqual(json.loads(body)["id"], "para8-report")
        # base64 of the binary message works too
        raw = catalog_pb2.GetQuestionRequest(questionnaire_id="unic-compliance",
                                             question_id="para8-report").SerializeToString()
        q = urllib.parse.urlencode({"encoding": "proto", "base64": "1", "connect": "v1",
                                    "message": base64.urlsafe_b64encode(raw).decode().rstrip("=")})
        status, hdrs, data = self.request("GET", CATALOG + "GetQuestion?" + q,
                                          headers={"Authorization": "Bearer " + self.ken})
        self.assertEqual((status, hdrs["content-type"]), (200, "application/proto"))
        self.assertEqual(catalog_pb2.Question.FromString(data).id, "para8-report")

    def test_get_of_a_method_that_writes_is_refused(self):
        status, hdrs, data = self.request("GET", RESPONSES + "SaveAnswers?encoding=json&message=%7B%7D",
                                          headers={"Authorization": "Bearer " + self.ken})
        self.assertEqual(status, 405)
        self.assertEqual(hdrs["allow"], "POST")
        self.assertEqual(json.loads(data)["code"], "unimplemented")

    def test_the_largest_exchange_file_passes_in_json_and_binary_and_one_byte_more_is_refused(self):
        # An exchange file of exactly the documented largest size goes through the gateway to
        # responses in Connect JSON (base64: a third larger than the file, beyond this gateway's
        # 1 MiB UNIC_HTTP_MAX_BODY_BYTES and the default 4 MiB) and in binary; one byte more is
        # RESOURCE_EXHAUSTED naming the limit, in both.
        status, _, a = self.connect(RESPONSES + "CreateAssessment",
                                    {"stateCode": "KEN", "cycle": 2019,
                                     "questionnaireId": "cip-self-assessment"}, self.ken)
        self.assertEqual(status, 200, a)
        status, _, out = self.connect(RESPONSES + "ExportAssessment",
                                      {"assessmentId": a["id"], "format": "JSON"}, self.ken)
        self.assertEqual(status, 200, out)
        exported = base64.b64decode(out["bytes"])
        largest = exported + b" " * (EXCHANGE_MAX - len(exported))  # trailing blanks: still the file
        for content, fits in ((largest, True), (largest + b" ", False)):
            as_json = {"assessmentId": a["id"], "format": "JSON", "etag": a["etag"], "validateOnly": True,
                       "content": base64.b64encode(content).decode()}
            status, _, r = self.connect(RESPONSES + "ImportAnswers", as_json, self.ken)
            binary = rpb.ImportAnswersRequest(assessment_id=a["id"], format=rpb.JSON, content=content,
                                              etag=a["etag"], validate_only=True).SerializeToString()
            bstatus, hdrs, data = self.request("POST", RESPONSES + "ImportAnswers", binary, {
                "Content-Type": "application/proto", "Authorization": "Bearer " + self.ken})
            if fits:
                self.assertGreater(len(json.dumps(as_json)), 4 * 1024 * 1024)
                self.assertEqual(status, 200, r)
                self.assertTrue(r["valid"], r)
                self.assertEqual(bstatus, 200, data[:300])
                self.assertTrue(rpb.ImportAnswersResponse.FromString(data).valid)
            else:
                self.assertEqual((status, r["code"]), (429, "resource_exhausted"), r)
                self.assertIn("at most %d" % EXCHANGE_MAX, r["message"])
                err = json.loads(data)
                self.assertEqual((bstatus, err["code"]), (429, "resource_exhausted"), err)
                self.assertIn("at most %d" % EXCHANGE_MAX, err["message"])
        # Beyond what even the largest file takes in JSON, the gateway refuses before reading,
        # naming its limit and the file's.
        big = os.path.join(lib.STATE, "gateway-import-big.json")
        with open(big, "w") as f:
            f.write("x" * (12 * 1024 * 1024))
        out = subprocess.run(["curl", "-sS", "-H", "Authorization: Bearer " + self.ken,
                              "-H", "Content-Type: application/json", "--data-binary", "@" + big,
                              "-w", "\n%{http_code}", self.url + RESPONSES + "ImportAnswers"],
                             capture_output=True, text=True, timeout=30)
        os.unlink(big)
        body, code = out.stdout.rsplit("\n", 1)
        err = json.loads(body)
        self.assertEqual((code, err["code"]), ("413", "resource_exhausted"), err)
        self.assertIn("larger than 11250348 bytes (an exchange file of at most %d bytes" % EXCHANGE_MAX,
                      err["message"])

    def test_curl_oversized_body_is_413(self):
        big = os.path.join(lib.STATE, "gateway-big.json")
        with open(big, "w") as f:
            f.write('{"questionnaireId": "%s"}' % ("x" * (2 * 1024 * 1024)))
        for extra in ([], ["-H", "Transfer-Encoding: chunked"]):
            out = subprocess.run(
                ["curl", "-sS", "-H", "Authorization: Bearer " + self.ken,
                 "-H", "Content-Type: application/json"] + extra +
                ["--data-binary", "@" + big, "-w", "\n%{http_code}",
                 self.url + CATALOG + "GetQuestionnaire"], capture_output=True, text=True, timeout=30)
            body, code = out.stdout.rsplit("\n", 1)
            self.assertEqual(code, "413", extra)
            self.assertEqual(json.loads(body)["code"], "resource_exhausted")
        os.unlink(big)

    def test_curl_unknown_method_is_404_unimplemented(self):
        for path in (CATALOG + "DropEverything", "/unic.nope.v1.Nope/Get"):
            out = subprocess.run(
                ["curl", "-sS", "-H", "Authorization: Bearer " + self.ken,
                 "-H", "Content-Type: application/json", "-d", "{}", "-w", "\n%{http_code}",
                 self.url + path], capture_output=True, text=True, timeout=30)
            body, code = out.stdout.rsplit("\n", 1)
            self.assertEqual(code, "404", path)
            self.assertEqual(json.loads(body)["code"], "unimplemented")

    def test_errors_carry_code_message_and_status(self):
        status, hdrs, err = self.connect(CATALOG + "GetQuestionnaire",
                                         {"questionnaireId": "cip-self-assessment", "colour": 1},
                                         self.ken)
        self.assertEqual((status, err["code"]), (400, "invalid_argument"))
        self.assertIn('"colour"', err["message"])
        self.assertEqual(hdrs["cache-control"], "no-store")
        status, _, err = self.connect(CATALOG + "GetQuestionnaire", {"questionnaireId": "nope"},
                                      self.ken)
        self.assertEqual((status, err["code"]), (404, "not_found"))
        # an assessment of another State: 403 from the service, mapped
        status, _, err = self.connect(RESPONSES + "CreateAssessment",
                                      {"stateCode": "FRA", "cycle": 2025,
                                       "questionnaireId": "cip-self-assessment"}, self.ken)
        self.assertEqual((status, err["code"]), (403, "permission_denied"))
        # a state change its row does not allow: 412 (reopening a draft)
        status, _, draft = self.connect(RESPONSES + "CreateAssessment",
                                        {"stateCode": "KEN", "cycle": 2021,
                                         "questionnaireId": "cip-self-assessment"}, self.ken)
        self.assertEqual(status, 200, draft)
        status, _, err = self.connect(RESPONSES + "ReopenAssessment",
                                      {"assessmentId": draft["id"], "etag": draft["etag"],
                                       "reason": "a correction"}, self.ken)
        self.assertEqual((status, err["code"]), (412, "failed_precondition"), err)
        self.assertIn("DRAFT", err["message"])
        status, _, err = self.connect(CATALOG + "ListStates", "{not json", self.ken)
        self.assertEqual((status, err["code"]), (400, "invalid_argument"))
        status, _, err = self.connect(CATALOG + "ListStates", {}, self.ken,
                                      {"Connect-Timeout-Ms": "soon"})
        self.assertEqual((status, err["code"]), (400, "invalid_argument"))
        status, hdrs, data = self.request("POST", CATALOG + "ListStates", "{}",
                                          {"Content-Type": "text/plain"})
        self.assertEqual(status, 415)

    def test_connect_binary_and_request_ids(self):
        req = catalog_pb2.GetQuestionnaireRequest(questionnaire_id="cip-self-assessment", locale="fr")
        status, hdrs, data = self.request(
            "POST", CATALOG + "GetQuestionnaire", req.SerializeToString(),
            {"Content-Type": "application/proto", "Authorization": "Bearer " + self.ken,
             "Connect-Timeout-Ms": "10000", "X-Request-Id": "trace-42"})
        self.assertEqual((status, hdrs["content-type"]), (200, "application/proto"))
        self.assertEqual(catalog_pb2.Questionnaire.FromString(data).locale, "fr")
        self.assertEqual(hdrs["x-request-id"], "trace-42")

    def test_grpc_web_text(self):
        req = catalog_pb2.GetQuestionRequest(questionnaire_id="unic-compliance",
                                             question_id="para8-report").SerializeToString()
        frame = b"\x00" + len(req).to_bytes(4, "big") + req
        status, hdrs, data = self.request(
            "POST", CATALOG + "GetQuestion", base64.b64encode(frame),
            {"Content-Type": "application/grpc-web-text", "Authorization": "Bearer " + self.ken,
             "X-Grpc-Web": "1"})
        self.assertEqual((status, hdrs["content-type"]), (200, "application/grpc-web-text+proto"))
        body = base64.b64decode(data)
        n = int.from_bytes(body[1:5], "big")
        self.assertEqual(body[0], 0)
        self.assertEqual(catalog_pb2.Question.FromString(body[5:5 + n]).id, "para8-report")
        trailer = body[5 + n:]
        self.assertEqual(trailer[0], 0x80)
        self.assertIn(b"grpc-status:0\r\n", trailer[5:])

    # ---- Static files, CORS, health ----

    def test_static_files_with_etag_gzip_csp_and_the_portal_fallback(self):
        status, hdrs, page = self.request("GET", "/")
        self.assertEqual((status, hdrs["content-type"]), (200, "text/html; charset=utf-8"))
        self.assertIn(b'<script type="module" src="/js/app.js">', page)  # the portal
        csp = hdrs["content-security-policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        etag = hdrs["etag"]
        status, hdrs, data = self.request("GET", "/index.html", headers={"If-None-Match": etag})
        self.assertEqual((status, data), (304, b""))
        status, hdrs, data = self.request("GET", "/", headers={"Accept-Encoding": "gzip"})
        self.assertEqual(hdrs.get("content-encoding"), "gzip")
        self.assertEqual(gzip.decompress(data), page)
        self.assertNotEqual(hdrs["etag"], etag)
        status, hdrs, data = self.request("GET", "/app.css")
        self.assertEqual((status, hdrs["content-type"]), (200, "text/css; charset=utf-8"))
        # a portal route is the page; a missing file or a way out of the directory is not
        self.assertEqual(self.request("GET", "/assessments/KEN-2025")[2], page)
        self.assertEqual(self.request("GET", "/missing.js")[0], 404)
        self.assertEqual(self.request("GET", "/../CMakeLists.txt")[0], 404)
        self.assertEqual(self.request("GET", "/%2e%2e/CMakeLists.txt")[0], 404)
        self.assertEqual(self.request("DELETE", "/")[0], 405)

    def test_cors_only_for_listed_origins(self):
        body = {"questionnaireId": "cip-self-assessment"}
        _, hdrs, _ = self.connect(CATALOG + "GetQuestionnaire", body, self.ken, {"Origin": ORIGIN})
        self.assertEqual(hdrs["access-control-allow-origin"], ORIGIN)
        _, hdrs, _ = self.connect(CATALOG + "GetQuestionnaire", body, self.ken,
                                  {"Origin": "https://evil.example"})
        self.assertNotIn("access-control-allow-origin", hdrs)
        status, hdrs, _ = self.request("OPTIONS", CATALOG + "GetQuestionnaire",
                                       headers={"Origin": ORIGIN,
                                                "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 204)
        self.assertIn("authorization", hdrs["access-control-allow-headers"])
        status, _, _ = self.request("OPTIONS", CATALOG + "GetQuestionnaire",
                                    headers={"Origin": "https://evil.example"})
        self.assertEqual(status, 403)

    def test_health_checks_the_four_services(self):
        status, hdrs, data = self.request("GET", "/healthz")
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data), {"status": "SERVING", "services": {
            s: "SERVING" for s in lib.SERVICES}})

    def test_the_log_has_one_line_per_request_and_never_the_key(self):
        self.connect(CATALOG + "ListTopics", {}, self.ken, {"X-Request-Id": "log-check-1"})
        path = os.path.join(lib.STATE, "py-gateway-gateway.log")
        # the line is written once the reply has gone out, so it may follow the reply by a moment
        for _ in range(100):
            with open(path) as f:
                text = f.read()
            lines = [json.loads(line) for line in text.splitlines() if "log-check-1" in line]
            if lines:
                break
            time.sleep(0.05)
        self.assertNotIn(self.ken, text)
        self.assertNotIn(self.operator, text)
        self.assertEqual(len(lines), 1)
        self.assertEqual((lines[0]["http_status"], lines[0]["status"]), (200, "OK"))
        self.assertTrue(lines[0]["caller"].startswith("key:"))

    # ---- Last: a service down ----

    def test_zz_a_killed_service_answers_503_while_the_others_work(self):
        self.stack.stop("scoring", signal.SIGKILL)
        status, _, err = self.connect(SCORING + "GetComplianceReport", {"stateCode": "KEN"}, self.ken)
        self.assertEqual((status, err["code"]), (503, "unavailable"))
        status, _, q = self.connect(CATALOG + "GetQuestionnaire",
                                    {"questionnaireId": "cip-self-assessment"}, self.ken)
        self.assertEqual(status, 200)
        status, _, _ = self.connect(MATCHING + "ListOffers", {}, self.ken)
        self.assertEqual(status, 200)
        status, _, data = self.request("GET", "/healthz")
        self.assertEqual(status, 503)
        self.assertEqual(json.loads(data)["services"]["scoring"], "NOT_SERVING")
        rc, _, err = buf_curl("grpcweb", self.url, SCORING + "GetComplianceReport", self.ken,
                              {"state_code": "KEN"})
        self.assertNotEqual(rc, 0)
        self.assertIn("unavailable", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
