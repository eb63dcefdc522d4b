-- 004_requests_per_gap.sql: a request derived from a gap is one per (gap, kind), carrying every
-- topic of the gap's question (docs/matching-model.md), no longer one per
-- topic. Requests derived before keep their one topic and are marked per_gap = false; deriving
-- the same cycle again files no per-gap request where such a request already exists for the
-- (question, kind), so a cycle is never asked for twice.
ALTER TABLE matching.requests ADD COLUMN topics text[];
UPDATE matching.requests SET topics = ARRAY[topic];
ALTER TABLE matching.requests
    ALTER COLUMN topics SET NOT NULL,
    ADD CONSTRAINT requests_topics_first CHECK (cardinality(topics) > 0 AND topics[1] = topic),
    ADD COLUMN per_gap boolean NOT NULL DEFAULT false;
DROP INDEX matching.requests_derived;
-- The requests of the earlier rule, still unique as they were.
CREATE UNIQUE INDEX requests_derived_per_topic ON matching.requests
    (state_code, source_cycle, source_question_id, topic, kind)
    WHERE source_question_id <> '' AND NOT per_gap;
-- DeriveRequests is idempotent per (State, cycle, gap question, kind): a second call inserts
-- nothing (ON CONFLICT DO NOTHING against this index) and returns the same rows.
CREATE UNIQUE INDEX requests_derived ON matching.requests
    (state_code, source_cycle, source_question_id, kind)
    WHERE source_question_id <> '' AND per_gap;
CREATE INDEX requests_topics ON matching.requests USING gin (topics);
