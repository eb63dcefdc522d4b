-- 005_match_lifecycle.sql: the life of a match after it is accepted (docs/matching-model.md,
-- "The life of a match"): IN_DELIVERY, DELIVERED, COMPLETED or CANCELLED; a version for its
-- etag; what was delivered and the recipient's feedback; and the history of every step, who
-- took it (an operator for a State says so, and why), when, and why.
ALTER TABLE matching.matches DROP CONSTRAINT matches_status_check;
ALTER TABLE matching.matches
    ADD CONSTRAINT matches_status_check CHECK (status IN ('PROPOSED', 'OFFERED', 'ACCEPTED',
        'DECLINED', 'SUPERSEDED', 'IN_DELIVERY', 'DELIVERED', 'COMPLETED', 'CANCELLED')),
    ADD COLUMN version            int     NOT NULL DEFAULT 1 CHECK (version > 0),
    ADD COLUMN delivered_quantity bigint,
    ADD COLUMN rating             int     CHECK (rating BETWEEN 1 AND 5),
    ADD COLUMN feedback           text,
    ADD COLUMN completed_at       timestamptz,
    ADD CONSTRAINT matches_delivered CHECK (delivered_quantity BETWEEN 0 AND quantity),
    ADD CONSTRAINT matches_completed CHECK ((status = 'COMPLETED') = (completed_at IS NOT NULL)
                                            AND (status <> 'COMPLETED' OR rating IS NOT NULL));

CREATE TABLE matching.match_events (
    id                 bigserial PRIMARY KEY,
    match_id           uuid    NOT NULL REFERENCES matching.matches (id),
    from_status        text    NOT NULL,
    to_status          text    NOT NULL,
    party              text    NOT NULL CHECK (party IN ('DONOR', 'RECIPIENT')),
    actor              text    NOT NULL,  -- the principal's label: identity and key
    on_behalf_of       char(3),           -- the State an operator acted for
    on_behalf_reason   text    NOT NULL DEFAULT '',
    reason             text    NOT NULL DEFAULT '',
    note               text    NOT NULL DEFAULT '',
    delivered_quantity bigint,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((on_behalf_of IS NULL) = (on_behalf_reason = ''))
);
CREATE INDEX match_events_match ON matching.match_events (match_id, id);

-- The history is append-only: what happened stays as it was recorded.
CREATE FUNCTION matching.match_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'matching.match_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER match_events_append_only BEFORE UPDATE OR DELETE ON matching.match_events
    FOR EACH ROW EXECUTE FUNCTION matching.match_events_append_only();
