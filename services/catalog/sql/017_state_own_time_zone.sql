-- 017_state_own_time_zone.sql: the time zone a State chose for its deadlines (SetStateTimeZone),
-- kept apart from its capital's, which start-up reloads from data/capital_time_zones.tsv; NULL
-- means the capital's.
ALTER TABLE catalog.states ADD COLUMN own_time_zone text;
