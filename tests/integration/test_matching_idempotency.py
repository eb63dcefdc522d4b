"""test_matching_idempotency: matching's idempotency keys (matching.idempotency_keys) are purged
once older than 24 hours, as responses' and the catalog's are (common/idem.h, idem_purge_due):
after a keyed write, at most once an hour, the first time right after start. A key aged past 24 h
is gone after the next keyed write of a restarted matching, and its request_id then makes a new
offer; a fresh key still answers its retry with the first reply. The purge's DELETE reads an index
on created_at in matching and in the catalog (migrations 008 and 018), not the whole table."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import unic_testlib as lib  # noqa: E402

import grpc  # noqa: E402, F401 (the stubs need it loaded)

lib.generate_stubs("grpc/health/v1/health.proto", "unic/common/v1/common.proto",
                   "unic/matching/v1/matching.proto")
from unic.common.v1 import common_pb2  # noqa: E402
from unic.matching.v1 import matching_pb2 as mpb, matching_pb2_grpc  # noqa: E402


class MatchingIdempotencyPurgeTest(unittest.TestCase):
    def test_an_expired_key_is_purged_and_a_fresh_one_still_dedupes(self):
        stack = lib.Stack("matching_idempotency")
        try:
            stack.start("catalog")
            stack.start("matching")
            fra = lib.metadata(stack.key("STATE", "FRA"))

            def create(request_id):
                m = matching_pb2_grpc.MatchingServiceStub(stack.channel("matching"))
                return m.CreateOffer(mpb.CreateOfferRequest(request_id=request_id, offer=mpb.Offer(
                    kind=common_pb2.TRAINING, topics=["cip"], capacity=10, title="CIP course")),
                    metadata=fra).id

            old = create("old-1")
            self.assertEqual(create("old-1"), old)  # a retry while young: the same offer
            stack.query("UPDATE matching.idempotency_keys SET created_at = now() - interval '25 hours'"
                        " WHERE request_id = 'old-1'")
            self.assertEqual(stack.stop("matching"), 0)
            stack.start("matching")
            fresh = create("fresh-1")  # the first keyed write since the start purges
            self.assertEqual(self.request_ids(stack), ["fresh-1"])
            self.assertEqual(create("fresh-1"), fresh)  # the fresh key still answers
            with open(os.path.join(lib.STATE, "py-matching_idempotency-matching.log")) as f:
                self.assertIn("purged 1 idempotency keys older than 24 h", f.read())  # before the reply
            again = create("old-1")  # the purged one is a new write: a new offer
            self.assertNotEqual(again, old)
            self.assertEqual(create("old-1"), again)
            # The purge's very statement (common/idem.h, IDEM_SQL) has an index to read: with
            # sequential scans priced out, its plan uses it (a table of a few rows is otherwise
            # scanned whatever indexes it has).
            for table in ("matching.idempotency_keys", "catalog.idempotency_keys"):
                plan = " ".join(stack.query("SET enable_seqscan = off; EXPLAIN DELETE FROM %s"
                                            " WHERE created_at < now() - interval '24 hours'" % table))
                self.assertRegex(plan, r"Index Scan (using|on) idempotency_keys_created_at", table)
            self.assertEqual(stack.stop("matching"), 0)
            self.assertEqual(stack.stop("catalog"), 0)
        finally:
            stack.close()

    def request_ids(self, stack):
        return stack.query("SELECT request_id FROM matching.idempotency_keys ORDER BY request_id")


if __name__ == "__main__":
    unittest.main(verbosity=2)
