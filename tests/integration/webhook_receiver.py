"""webhook_receiver: a States' webhook endpoint for the tests (docs/notifications.md): a real HTTP
server on loopback (Python's http.server) that records every POST, answers 200 unless told to
fail a path, can be "down" (bound, not listening: connections refused) until started, and checks
signatures as a receiver should, with Python's hmac."""
import hashlib
import hmac
import http.server
import json
import threading
import time


class Receiver:
    def __init__(self):
        self.seen = []
        self.fail = {}  # path -> how many more attempts to fail (-1: always)
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    left = receiver.fail.get(self.path, 0)
                    if left > 0:
                        receiver.fail[self.path] = left - 1
                    status = 500 if left else 200
                    receiver.seen.append({"path": self.path, "body": body, "status": status,
                                          "id": self.headers["X-UNIC-Event-Id"],
                                          "type": self.headers["X-UNIC-Event-Type"],
                                          "signature": self.headers["X-UNIC-Signature"],
                                          "received": time.time()})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        # Bound but not listening: the receiver is "down" until start().
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        self.server.server_bind()
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = None

    def start(self):
        self.server.server_activate()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        if self.thread:
            self.server.shutdown()
        self.server.server_close()

    def received(self, path, status=None):
        with self.lock:
            return [r for r in self.seen if r["path"] == path and (status is None or r["status"] == status)]

    def events(self, path):
        """The bodies accepted (200) at `path`, parsed, in order."""
        return [json.loads(r["body"]) for r in self.received(path, 200)]


def verify(secret, signature, body, now, tolerance=300):
    """What a receiver does (docs/notifications.md): recompute the HMAC-SHA-256 of "<t>.<body>"
    under the secret, compare in constant time, and refuse a signature whose time is more than
    `tolerance` seconds from its own clock."""
    parts = dict(p.split("=", 1) for p in signature.split(","))
    want = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, parts["v1"]) and abs(now - int(parts["t"])) <= tolerance


def eventually(check, seconds=60):
    """check() once it is truthy, or its last value after `seconds`."""
    deadline = time.time() + seconds
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(0.1)
