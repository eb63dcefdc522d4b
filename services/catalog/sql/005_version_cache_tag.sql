-- 005_version_cache_tag.sql: a random tag per stored version, part of its Redis cache key.
-- A published version never changes, so its cached form is keyed by id, version and locale and
-- never deleted. But Redis may outlive the database it was filled from (a restore from backup, a
-- re-seeded test database, two deployments sharing one Redis): "v2" of one copy need not be "v2"
-- of another. The tag, drawn when the version row is created, tells the copies apart, so a
-- cached entry can only ever be read back by the database that wrote it.
-- Adding the column rewrites the table without firing row triggers, so published rows get their
-- tag too without touching the immutability rule.

ALTER TABLE catalog.versions ADD COLUMN cache_tag uuid NOT NULL DEFAULT gen_random_uuid();
