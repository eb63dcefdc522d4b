-- 001_events.sql: the audit log, shared by every service: each appends the changes it makes, in
-- the transaction that makes them (common/audit.c); AdminService.ListAuditEvents reads it.
-- Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, whoever asks.
CREATE TABLE audit.events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),  -- the transaction's time
    service     text NOT NULL,
    identity_id text,                                -- NULL when the key has no identity
    key_id      text NOT NULL,
    actor       text NOT NULL,
    method      text NOT NULL,
    resource    text NOT NULL,
    state_code  char(3),                             -- the State the resource belongs to
    summary     text NOT NULL,
    request_id  text NOT NULL DEFAULT ''
);
CREATE INDEX events_at ON audit.events (at);
CREATE INDEX events_state ON audit.events (state_code, id);
CREATE INDEX events_identity ON audit.events (identity_id, id);
CREATE INDEX events_resource ON audit.events (resource text_pattern_ops, id);

CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit.events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON audit.events
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- The service roles (common/sql/002_service_roles.sql): every service appends; only the catalog,
-- which serves ListAuditEvents, reads. None may UPDATE or DELETE, and the trigger holds for all.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('unic_catalog_svc',
             'unic_responses_svc', 'unic_scoring_svc', 'unic_matching_svc') LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA audit TO %I', r);
        EXECUTE format('GRANT INSERT ON audit.events TO %I', r);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unic_catalog_svc') THEN
        GRANT SELECT ON audit.events TO unic_catalog_svc;
    END IF;
END $$;
