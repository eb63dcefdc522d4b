-- 007_state_time_zones.sql: each State's capital and its IANA time zone, from
-- data/capital_time_zones.tsv. A State meets a deadline when it meets it in its own time zone
-- (31 December in Porto-Novo is not 31 December in UTC), and every report says which zone it used.
-- Filled at start-up with the rest of the reference data; 'UTC' only until then.

ALTER TABLE catalog.states
    ADD COLUMN capital text NOT NULL DEFAULT '',
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
