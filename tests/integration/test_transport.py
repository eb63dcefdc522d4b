"""test_transport: hostile clients at the transport level against a real service on loopback,
bounded in count and time: a connection flood from one peer, an HPACK-indexed header flood
(header-only streams referencing one big header), more connections than the service has
descriptors, and a listening socket whose accept() fails for good. The flood comes from 127.0.0.2 and a well-behaved client from 127.0.0.1, so caps
per peer can be seen working. Each case failed before the fix (docs/hardening.md)."""
import ctypes
import os
import resource
import socket
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto")
from unic.catalog.v1 import catalog_pb2 as cpb, catalog_pb2_grpc  # noqa: E402

SYS_PIDFD_GETFD = 438  # the same number on every architecture
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(kind, flags, stream, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) \
        + payload


def hpack_int(value, prefix_bits, first):
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def literal(name, value, first=0x00):
    """A header literal with a new name: without indexing (0x00) or with incremental (0x40)."""
    return bytes([first]) + hpack_int(len(name), 7, 0) + name + hpack_int(len(value), 7, 0) + value


def request_headers(authority, path, extra=b""):
    return (b"\x83\x86" + b"\x04" + hpack_int(len(path), 7, 0) + path
            + b"\x01" + hpack_int(len(authority), 7, 0) + authority
            + literal(b"content-type", b"application/grpc") + literal(b"te", b"trailers") + extra)


def header_flood():
    """What one hostile connection sends: 100 header-only streams, each referencing one big
    header of the HPACK dynamic table three times."""
    big = literal(b"x-pad", b"v" * 3900, 0x40)  # one entry of the dynamic table
    path = b"/unic.catalog.v1.CatalogService/ListTopics"

    def streams(sock):
        out = bytearray(PREFACE + frame(4, 0, 0))
        for i in range(100):
            # Headers only, never a body or END_STREAM: each stream waits, holding them.
            extra = big if i == 0 else b"\xbe" * 3  # index 62: the big header, again
            out += frame(1, 0x4, 2 * i + 1, request_headers(b"x", path, extra))
        return bytes(out)
    return streams


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def connect_from(source, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(2)
    s.connect(("127.0.0.1", port))
    return s


def listening_socket_of(pid, port):
    """A duplicate of the socket process `pid` listens on at `port` (pidfd_getfd(2))."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        for name in os.listdir("/proc/%d/fd" % pid):
            try:
                if not os.readlink("/proc/%d/fd/%s" % (pid, name)).startswith("socket:"):
                    continue
            except OSError:
                continue
            fd = libc.syscall(SYS_PIDFD_GETFD, pidfd, int(name), 0)
            if fd < 0:
                raise OSError(ctypes.get_errno(), "pidfd_getfd")
            s = socket.socket(fileno=fd)
            if (s.type == socket.SOCK_STREAM and s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                    and s.getsockname()[1] == port):
                return s
            s.close()
    finally:
        os.close(pidfd)
    raise AssertionError("no socket of %d listens on port %d" % (pid, port))


class TransportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("transport")
        cls.port = int(cls.stack.addr("catalog").rsplit(":", 1)[1])

    @classmethod
    def tearDownClass(cls):
        cls.stack.close()

    def setUp(self):
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            s.close()
        if "catalog" in self.stack.procs:
            self.assertEqual(self.stack.stop("catalog"), 0)

    def served(self, addr=None):
        """A well-behaved client, on a connection of its own, gets its answer."""
        channel = grpc.insecure_channel(addr or self.stack.addr("catalog"),
                                        options=[("grpc.use_local_subchannel_pool", 1)])
        try:
            stub = catalog_pb2_grpc.CatalogServiceStub(channel)
            stub.ListTopics(cpb.ListTopicsRequest(), timeout=10,
                            metadata=lib.metadata(self.stack.operator_key))
        finally:
            channel.close()

    def flood(self, n, send=None, port=None):
        """Opens up to n connections from 127.0.0.2 (each sending `send`); returns how many."""
        opened = 0
        for _ in range(n):
            s = None
            try:
                s = connect_from("127.0.0.2", port or self.port)
                if send:
                    s.sendall(send(s))
            except OSError:
                if s:
                    s.close()
                continue
            self.socks.append(s)
            opened += 1
        return opened

    def log(self):
        with open(os.path.join(lib.STATE, "py-transport-catalog.log")) as f:
            return f.read()

    def test_a_connection_flood_from_one_peer_leaves_others_served(self):
        self.stack.start("catalog", {"UNIC_MAX_CONNECTIONS_PER_PEER": "40"})
        self.flood(300, lambda s: PREFACE + frame(4, 0, 0))
        time.sleep(0.5)
        self.served()
        self.assertIn("UNIC_MAX_CONNECTIONS_PER_PEER reached", self.log())

    def test_an_hpack_header_flood_stays_bounded_and_others_are_served(self):
        # AddressSanitizer keeps up to 256 MB of freed memory in quarantine: that is not held by
        # the service, so keep it small to measure what is.
        asan = os.environ.get("ASAN_OPTIONS", "")
        self.stack.start("catalog", {"ASAN_OPTIONS": asan + ":quarantine_size_mb=8"})
        pid = self.stack.procs["catalog"].pid
        before = rss_mb(pid)
        streams = header_flood()
        sent = self.flood(300, streams)
        time.sleep(2)
        after = rss_mb(pid)
        print("hpack flood: %d connections opened, RSS %.0f MB -> %.0f MB" % (sent, before, after))
        self.served()
        # 300 connections x 100 streams x ~12 KB of headers: gigabytes if held; a few MB are.
        self.assertLess(after - before, 150)

    def test_more_connections_than_descriptors_and_the_listener_recovers(self):
        self.stack.start("catalog", {"UNIC_MAX_CONNECTIONS": "100000",
                                     "UNIC_MAX_CONNECTIONS_PER_PEER": "100000"},
                         nofile=(256, 256))
        self.flood(400, lambda s: PREFACE + frame(4, 0, 0))
        time.sleep(0.5)
        for s in self.socks:
            s.close()
        self.socks = []
        time.sleep(0.5)
        self.served()
        self.assertIn("capped at", self.log())
        self.assertEqual(self.stack.procs["catalog"].poll(), None)

    def test_a_listener_that_accepts_nothing_makes_the_watchdog_exit_saying_why(self):
        # The process is held at its descriptor limit for good: its limit lowered, from outside,
        # below every descriptor it may open (a new descriptor takes the lowest free number, so a
        # limit of the count it has open would still let one in wherever a lower number is free,
        # as one closed after start-up leaves). Nothing new can be accepted, and no client is
        # left to make accept() return: the watchdog's health checks through fresh connections
        # fail, and after three it exits with status 3 so that the supervisor restarts it.
        self.stack.start("catalog", {"UNIC_WATCHDOG_SECONDS": "1"})
        proc = self.stack.procs["catalog"]
        resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (3, 3))  # stdin, stdout, stderr
        self.assertEqual(self.exit_code("catalog", 60), 3)
        log = self.log()
        self.assertIn("watchdog: no answer through a fresh connection", log)
        self.assertIn("listener dead", log)
        self.assertIn("exiting so that the supervisor restarts the process", log)

    def exit_code(self, name, timeout):
        """The status `name` exits with by itself within timeout s; killed, and forgotten, either way."""
        proc = self.stack.procs[name]
        try:
            return proc.wait(timeout=timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            self.stack.procs.pop(name)

    def test_a_listener_whose_accept_fails_makes_the_watchdog_exit(self):
        # The running service's listening socket is shut down from outside, through a duplicate
        # of its descriptor (pidfd_getfd: a parent may take its child's): from then on accept()
        # fails with EINVAL at every try and new connections are refused. Such an error is the
        # listener failing, not a sign of life: the watchdog's failed health checks are counted
        # without a break (before, an accept() failing while one ran counted as alive and reset
        # the count, most times), and after three it exits with status 3, naming the error.
        self.stack.start("catalog", {"UNIC_WATCHDOG_SECONDS": "1"})
        proc = self.stack.procs["catalog"]
        listening = listening_socket_of(proc.pid, self.port)
        listening.shutdown(socket.SHUT_RDWR)
        listening.close()
        self.assertEqual(self.exit_code("catalog", 30), 3)
        log = self.log()
        self.assertIn("accept failed", log)
        self.assertEqual(log.count("fresh connection to %s (1 in a row)" % self.stack.addr("catalog")),
                         1, log)
        self.assertIn("(3 in a row)", log)
        self.assertIn("listener dead", log)
        self.assertIn("accept() failing: Invalid argument", log)

    def test_the_haproxy_front_serves_and_holds_the_flood_back(self):
        asan = os.environ.get("ASAN_OPTIONS", "")
        self.stack.start("catalog", {"ASAN_OPTIONS": asan + ":quarantine_size_mb=8"})
        pid = self.stack.procs["catalog"].pid
        front = "127.0.0.1:%d" % (self.stack.port_base + 5)
        env = dict(os.environ, UNIC_FRONT_BIND=front, UNIC_CATALOG_ADDR=self.stack.addr("catalog"),
                   UNIC_RESPONSES_ADDR=self.stack.addr("responses"),
                   UNIC_SCORING_ADDR=self.stack.addr("scoring"),
                   UNIC_MATCHING_ADDR=self.stack.addr("matching"))
        cfg = os.path.join(lib.SOURCE, "deploy", "haproxy", "haproxy.cfg")
        haproxy = subprocess.Popen(["haproxy", "-db", "-f", cfg], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", self.stack.port_base + 5), 1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            self.served(front)
            before = rss_mb(pid)
            sent = self.flood(300, header_flood(), port=self.stack.port_base + 5)
            time.sleep(2)
            after = rss_mb(pid)
            print("hpack flood through haproxy: %d connections, RSS %.0f MB -> %.0f MB"
                  % (sent, before, after))
            self.served(front)
            self.assertLess(after - before, 60)
        finally:
            haproxy.terminate()
            haproxy.wait(timeout=10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
