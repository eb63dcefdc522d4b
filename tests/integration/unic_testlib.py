"""unic_testlib: what the Python integration tests stand on: the ctest fixture's PostgreSQL and
Redis, a fresh database per test, the real service binaries as child processes, and gRPC stubs
generated from proto/ at test time with grpc_tools (Debian python3-grpcio, python3-grpc-tools)."""
import atexit
import hashlib
import importlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

import grpc

SOURCE = os.environ.get("UNIC_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("UNIC_BIN_DIR", os.path.join(SOURCE, "build"))
STATE = os.environ.get("UNIC_TEST_STATE_DIR", os.path.join(BIN, "test-infra"))
SERVICES = ["catalog", "responses", "scoring", "matching"]
GATEWAY_PORT_OFFSET = 10  # the gateway's HTTP port is the test's PORT_BASE + 10


def generate_stubs(*protos):
    """Compiles the given protos (paths under proto/) into a temp dir and makes them importable."""
    from grpc_tools import protoc
    out = tempfile.mkdtemp(prefix="unic-py-")
    proto_dir = os.path.join(SOURCE, "proto")
    include = os.path.join(os.path.dirname(protoc.__file__), "_proto")
    args = ["protoc", "-I" + proto_dir, "-I" + include, "--python_out=" + out,
            "--grpc_python_out=" + out] + list(protos)
    if protoc.main(args) != 0:
        raise RuntimeError("grpc_tools.protoc failed for %s" % (protos,))
    sys.path.insert(0, out)
    # grpc/health/v1 lands beside the installed grpc package, whose name it shares: let the
    # package find the generated subpackage too.
    if os.path.isdir(os.path.join(out, "grpc")):
        grpc.__path__.append(os.path.join(out, "grpc"))
    importlib.invalidate_caches()
    return out


def _env_file():
    values = {}
    with open(os.path.join(STATE, "env")) as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            values[key] = value.strip("'")
    return values


class Stack:
    """A test database and the service processes started against it."""

    def __init__(self, name):
        self.name = name
        env = _env_file()
        self.admin_url = env["UNIC_DB_URL"]
        self.redis = env["UNIC_REDIS"]
        self.db_url = self.admin_url.replace("dbname=unic", "dbname=test_" + name)
        self.port_base = int(os.environ["UNIC_TEST_PORT_BASE"])
        self.gateway_port = self.port_base + GATEWAY_PORT_OFFSET  # a test may move it
        self.operator_key = "unic_" + secrets.token_urlsafe(32)
        self.procs = {}
        # A test whose setUpClass fails never reaches its tearDownClass: stop what it started.
        atexit.register(self.close)
        self._psql(self.admin_url, "DROP DATABASE IF EXISTS test_%s WITH (FORCE)" % name)
        self._psql(self.admin_url, "CREATE DATABASE test_%s" % name)

    @staticmethod
    def _psql(url, sql):
        subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                       stdout=subprocess.DEVNULL)

    def query(self, sql):
        """Runs sql on the test's database as its owner; the rows' values, whitespace-split."""
        return subprocess.run(["psql", self.db_url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True,
                              capture_output=True, text=True).stdout.split()

    def addr(self, service):
        return "127.0.0.1:%d" % (self.port_base + SERVICES.index(service))

    def start(self, service, extra_env=None, nofile=None, credentials=None, addr=None):
        """Starts `service` (on `addr`, its own port by default) and waits until it is SERVING,
        asking over TLS with `credentials` (grpc.ssl_channel_credentials) when given; nofile: its
        RLIMIT_NOFILE (soft, hard). The process is self.procs[service], or
        self.procs["service@addr"] with `addr`."""
        # On a shared machine an outgoing connection may hold the port for a moment: try again.
        for _ in range(5):
            if self._start_once(service, extra_env, nofile, credentials, addr):
                return
            sys.stderr.write("port of %s is taken; trying again\n" % service)
            time.sleep(0.5)
        raise RuntimeError("the port of %s stayed taken" % service)

    def _start_once(self, service, extra_env, nofile, credentials, addr):
        """True once SERVING; False when the port was taken; raises on any other failure."""
        env = dict(os.environ)
        env.update({
            "UNIC_LISTEN": self.addr(service), "UNIC_DB_URL": self.db_url, "UNIC_REDIS": self.redis,
            "UNIC_BOOTSTRAP_KEY": self.operator_key, "UNIC_WORKERS": "2",
            # as in harness.c: a loaded machine under ASan must not time caching checks out
            "UNIC_REDIS_TIMEOUT_MS": "2000",
            "UNIC_PAGE_TOKEN_SECRET": "test-page-token-secret-0123456789abcdef",
            "UNIC_CATALOG_ADDR": self.addr("catalog"), "UNIC_RESPONSES_ADDR": self.addr("responses"),
            "UNIC_SCORING_ADDR": self.addr("scoring"), "UNIC_MATCHING_ADDR": self.addr("matching"),
        })
        env.update(extra_env or {})
        if addr:
            env["UNIC_LISTEN"] = addr
        name = service if addr is None else service + "@" + addr
        path = os.path.join(STATE, "py-%s-%s.log" % (self.name, name.replace(":", "_")))
        log = open(path, "w")
        exe = os.path.join(BIN, "services", service, "unic-" + service)
        limit = None
        if nofile:
            import resource
            def limit():
                resource.setrlimit(resource.RLIMIT_NOFILE, nofile)
        self.procs[name] = subprocess.Popen([exe], env=env, stderr=log, stdout=log,
                                            preexec_fn=limit)
        log.close()
        health = self.health_stub(service, credentials, addr)
        from grpc.health.v1 import health_pb2  # noqa: F401 (generated by the caller)
        deadline = time.time() + 30
        bound = False
        while time.time() < deadline:
            if self.procs[name].poll() is not None:
                with open(path) as f:
                    if "could not listen on" in f.read():
                        return False
                raise RuntimeError("%s exited during start-up" % service)
            # Probe only once the port is bound: a channel that finds nothing listening backs off.
            if not bound:
                with open(path) as f:
                    bound = "listening on" in f.read()
            if bound:
                try:
                    if health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                        return True
                except grpc.RpcError:
                    pass
            time.sleep(0.02)
        raise RuntimeError("%s not SERVING after 30 s" % service)

    def gateway_url(self, https=False):
        return "%s://127.0.0.1:%d" % ("https" if https else "http", self.gateway_port)

    def start_gateway(self, extra_env=None, ssl_context=None):
        """Starts unic-gateway in front of this stack's services; waits until it answers (over
        HTTPS with `ssl_context`, an ssl.SSLContext trusting the gateway's CA, when given)."""
        env = dict(os.environ)
        env.update({
            "UNIC_HTTP_LISTEN": "127.0.0.1:%d" % self.gateway_port,
            "UNIC_HTTP_STATIC": os.path.join(SOURCE, "web"),
            "UNIC_CALL_TIMEOUT_MS": "10000",
        })
        for service in SERVICES:
            env["UNIC_%s_ADDR" % service.upper()] = self.addr(service)
        env.update(extra_env or {})
        log = open(os.path.join(STATE, "py-%s-gateway.log" % self.name), "w")
        exe = os.path.join(BIN, "services", "gateway", "unic-gateway")
        self.procs["gateway"] = subprocess.Popen([exe], env=env, stderr=log, stdout=log)
        log.close()
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.procs["gateway"].poll() is not None:
                raise RuntimeError("gateway exited during start-up")
            try:
                with urllib.request.urlopen(self.gateway_url(ssl_context is not None) + "/livez",
                                            timeout=1, context=ssl_context) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gateway not answering after 30 s")

    def health_stub(self, service, credentials=None, addr=None):
        from grpc.health.v1 import health_pb2_grpc
        return health_pb2_grpc.HealthStub(self.channel(service, credentials, addr))

    def channel(self, service, credentials=None, addr=None):
        """A channel to `service` (or `addr`): plaintext, or TLS with `credentials`."""
        target = addr or self.addr(service)
        if credentials is None:
            return grpc.insecure_channel(target)
        return grpc.secure_channel(target, credentials)

    def key(self, role, state=None):
        """Issues a key straight into the test database, stored as its SHA-256 like unic-admin."""
        key = "unic_" + secrets.token_urlsafe(32)
        digest = hashlib.sha256(key.encode()).hexdigest()
        state_sql = "'%s'" % state if state else "NULL"
        self._psql(self.db_url, "INSERT INTO auth.api_keys (id, key_hash, role, state_code, label)"
                   " VALUES ('%s', '%s', '%s', %s, 'python')" % (digest[:16], digest, role, state_sql))
        return key

    def stop(self, service, sig=signal.SIGTERM):
        proc = self.procs.pop(service)
        proc.send_signal(sig)
        return proc.wait(timeout=30)

    def close(self):
        for service in list(self.procs):
            self.stop(service, signal.SIGKILL)


def metadata(key):
    return (("authorization", "Bearer " + key),)
