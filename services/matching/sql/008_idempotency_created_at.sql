-- The hourly purge of idempotency keys older than 24 hours (common/idem.h, IDEM_SQL's purge:
-- DELETE ... WHERE created_at < now() - interval '24 hours') reads this index instead of the
-- whole table, as responses.idempotency's does (responses 001).
CREATE INDEX idempotency_keys_created_at ON matching.idempotency_keys (created_at);
