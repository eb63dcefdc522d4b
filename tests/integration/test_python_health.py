"""test_python_health: a client not written in C (Debian's grpcio) against the real services:
health on every service, malformed bytes, an unknown method, and authentication."""
import datetime
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/catalog/v1/catalog.proto")
from grpc.health.v1 import health_pb2  # noqa: E402
from unic.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402

SERVICES = [s for s in lib.SERVICES
            if os.path.exists(os.path.join(lib.BIN, "services", s, "unic-" + s))]


class PythonClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = lib.Stack("python_health")
        for service in SERVICES:
            cls.stack.start(service)

    @classmethod
    def tearDownClass(cls):
        for service in SERVICES:
            self_code = cls.stack.stop(service)
            assert self_code == 0, "%s exited %d" % (service, self_code)
        cls.stack.close()

    def test_every_service_reports_serving_without_credentials(self):
        self.assertIn("catalog", SERVICES)
        for service in SERVICES:
            reply = self.stack.health_stub(service).Check(health_pb2.HealthCheckRequest(), timeout=5)
            self.assertEqual(reply.status, health_pb2.HealthCheckResponse.SERVING, service)

    def test_unknown_health_service_is_not_found(self):
        with self.assertRaises(grpc.RpcError) as ctx:
            self.stack.health_stub("catalog").Check(
                health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=5)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_garbage_bytes_are_invalid_argument_and_the_server_lives(self):
        channel = grpc.insecure_channel(self.stack.addr("catalog"))
        raw = channel.unary_unary("/unic.catalog.v1.CatalogService/ListTopics",
                                  request_serializer=lambda b: b, response_deserializer=lambda b: b)
        key = self.stack.key("OPERATOR")
        with self.assertRaises(grpc.RpcError) as ctx:
            raw(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01garbage", timeout=5,
                metadata=lib.metadata(key))
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("malformed request", ctx.exception.details())
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        topics = stub.ListTopics(catalog_pb2.ListTopicsRequest(), timeout=5, metadata=lib.metadata(key))
        self.assertGreaterEqual(len(topics.topics), 11)

    def test_unknown_method_is_unimplemented_at_once(self):
        channel = grpc.insecure_channel(self.stack.addr("catalog"))
        raw = channel.unary_unary("/unic.catalog.v1.CatalogService/NoSuchMethod",
                                  request_serializer=lambda b: b, response_deserializer=lambda b: b)
        with self.assertRaises(grpc.RpcError) as ctx:
            raw(b"", timeout=5)
        self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNIMPLEMENTED)

    def test_missing_and_bad_keys_are_unauthenticated(self):
        stub = catalog_pb2_grpc.CatalogServiceStub(grpc.insecure_channel(self.stack.addr("catalog")))
        for md in ((), lib.metadata("unic_wrong"), (("authorization", "Basic abc"),)):
            with self.assertRaises(grpc.RpcError) as ctx:
                stub.ListStates(catalog_pb2.ListStatesRequest(), timeout=5, metadata=md)
            self.assertEqual(ctx.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

    def test_state_reference_data_has_193_members(self):
        stub = catalog_pb2_grpc.CatalogServiceStub(grpc.insecure_channel(self.stack.addr("catalog")))
        states = stub.ListStates(catalog_pb2.ListStatesRequest(), timeout=5,
                                 metadata=lib.metadata(self.stack.key("STATE", "KEN"))).states
        self.assertEqual(len(states), 193)
        ken = [s for s in states if s.code == "KEN"][0]
        self.assertEqual((ken.region, ken.sub_region, ken.intermediate_region, ken.ldc),
                         ("Africa", "Sub-Saharan Africa", "Eastern Africa", False))

        # LDC status is membership on a date (data/country_groups.tsv): 44 in 2025; 41 once
        # Bangladesh, Lao PDR and Nepal graduated on 24 November 2026; `ldc` is today's.
        def ldc_on(s, day):
            return any(m.group == "LDC" and (not m.since or m.since <= day) and
                       (not m.until or day < m.until) for m in s.memberships)
        self.assertEqual(sum(1 for s in states if ldc_on(s, "2025-06-30")), 44)
        self.assertEqual(sum(1 for s in states if ldc_on(s, "2026-11-23")), 44)
        self.assertEqual(sum(1 for s in states if ldc_on(s, "2026-11-24")), 41)
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        self.assertEqual([s.code for s in states if s.ldc], [s.code for s in states if ldc_on(s, today)])
        # Every State has its capital's IANA time zone (data/capital_time_zones.tsv).
        ben = [s for s in states if s.code == "BEN"][0]
        self.assertEqual((ben.capital, ben.time_zone), ("Porto-Novo", "Africa/Porto-Novo"))
        self.assertTrue(all(s.time_zone and s.time_zone != "UTC" for s in states))


class ReplicasTest(unittest.TestCase):
    def states_once_up(self, stack, port, proc=None):
        """ListStates from the catalog on `port`, retried for 30 s until it answers; the test fails
        sooner if `proc` (that catalog's process, when given) exits meanwhile."""
        stub = catalog_pb2_grpc.CatalogServiceStub(grpc.insecure_channel("127.0.0.1:%d" % port))
        deadline = time.time() + 30
        while True:
            try:
                return stub.ListStates(catalog_pb2.ListStatesRequest(), timeout=2,
                                       metadata=lib.metadata(stack.operator_key)).states
            except grpc.RpcError:
                if proc is not None:
                    self.assertIsNone(proc.poll(), "the catalog on %d exited" % port)
                self.assertLess(time.time(), deadline, "the catalog on %d never answered" % port)
                time.sleep(0.2)

    def test_two_replicas_starting_at_once_migrate_once(self):
        """Two catalogs on one empty database: the advisory lock serialises their migrations."""
        import subprocess
        stack = lib.Stack("python_replicas")
        env = dict(os.environ)
        env.update({"UNIC_DB_URL": stack.db_url, "UNIC_REDIS": stack.redis,
                    "UNIC_BOOTSTRAP_KEY": stack.operator_key, "UNIC_WORKERS": "2"})
        exe = os.path.join(lib.BIN, "services", "catalog", "unic-catalog")
        # Inside this test's ten ports (the services take the first four; +10 is the next test's).
        ports = [stack.port_base + 4, stack.port_base + 5]
        procs = []
        for port in ports:
            env["UNIC_LISTEN"] = "127.0.0.1:%d" % port
            log = open(os.path.join(lib.STATE, "py-replica-%d.log" % port), "w")
            procs.append(subprocess.Popen([exe], env=dict(env), stderr=log, stdout=log))
            log.close()
        try:
            for port in ports:
                self.assertEqual(len(self.states_once_up(stack, port)), 193)
            out = subprocess.run(["psql", stack.db_url, "-qAtc",
                                  "SELECT count(*), count(DISTINCT version) FROM catalog.schema_migrations"],
                                 capture_output=True, text=True, check=True).stdout.strip()
            applied, distinct = out.split("|")
            self.assertEqual(applied, distinct)  # each migration recorded exactly once
            self.assertGreaterEqual(int(applied), 4)
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                self.assertEqual(p.wait(timeout=30), 0)

    def test_a_replica_waits_for_the_migration_lock_past_the_lock_timeout(self):
        """Another replica migrating for longer than start-up's 2 s lock_timeout (several
        services migrating at once on a loaded machine): this one waits its turn for the
        migration lock, however long, instead of failing to start."""
        import subprocess
        stack = lib.Stack("python_migration_wait")
        holder = subprocess.Popen(["psql", stack.db_url, "-v", "ON_ERROR_STOP=1", "-qAt", "-f", "-"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        holder.stdin.write("SELECT pg_advisory_lock(hashtext('unic.migrate.auth'));\n"
                           "SELECT 'locked';\n")
        holder.stdin.flush()
        while holder.stdout.readline().strip() != "locked":
            pass
        env = dict(os.environ)
        port = stack.port_base + 6  # inside this test's ten ports, clear of the replicas above
        env.update({"UNIC_DB_URL": stack.db_url, "UNIC_REDIS": stack.redis,
                    "UNIC_BOOTSTRAP_KEY": stack.operator_key, "UNIC_WORKERS": "2",
                    "UNIC_LISTEN": "127.0.0.1:%d" % port})
        path = os.path.join(lib.STATE, "py-migration-wait-%d.log" % port)
        with open(path, "w") as log:
            proc = subprocess.Popen([os.path.join(lib.BIN, "services", "catalog", "unic-catalog")],
                                    env=env, stderr=log, stdout=log)
        try:
            time.sleep(3.5)  # past the 2 s lock_timeout of the session
            with open(path) as f:
                self.assertIsNone(proc.poll(), "the catalog gave up waiting: " + f.read())
            holder.stdin.close()  # the session ends, and its lock with it
            holder.wait(timeout=10)
            self.assertEqual(len(self.states_once_up(stack, port, proc)), 193)
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait()
            holder.stdout.close()
            proc.terminate()
            self.assertEqual(proc.wait(timeout=30), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
