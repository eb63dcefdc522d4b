-- 001_outbox.sql: notifications to States' webhooks (docs/notifications.md), shared by the suite
-- like the audit log: a service writes an event to the outbox in the very transaction of the
-- change it reports (common/notify.c), so an event exists exactly when its change committed; the
-- catalog's delivery worker (services/catalog/webhooks.c) posts it to the State's endpoint, at
-- least once and always with the same event id, and logs every attempt.

-- Each State's one endpoint, and the secret its deliveries are signed with (catalog only).
CREATE TABLE notify.webhooks (
    state_code char(3) PRIMARY KEY,
    url        text NOT NULL CHECK (url ~ '^https?://'),
    secret     text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL
);

-- One row per event and State: event_id is what every attempt carries (header and body), so a
-- receiver that has seen it drops the repeat. The body is fixed when the event is written, so
-- every attempt posts the same bytes.
CREATE TABLE notify.outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    state_code      char(3) NOT NULL,
    kind            text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz,
    dead_at         timestamptz,
    last_error      text NOT NULL DEFAULT '',
    CHECK (delivered_at IS NULL OR dead_at IS NULL)
);
CREATE INDEX outbox_pending ON notify.outbox (next_attempt_at, id)
    WHERE delivered_at IS NULL AND dead_at IS NULL;

-- Every attempt, for the State to read (NotificationService.ListDeliveries).
CREATE TABLE notify.deliveries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id   bigint NOT NULL REFERENCES notify.outbox (id),
    state_code  char(3) NOT NULL,
    attempt     int NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    url         text NOT NULL,
    http_status int NOT NULL,          -- 0 when no answer came
    outcome     text NOT NULL CHECK (outcome IN ('DELIVERED', 'RETRY', 'DEAD')),
    error       text NOT NULL DEFAULT ''
);
CREATE INDEX deliveries_state ON notify.deliveries (state_code, id);
CREATE INDEX deliveries_outbox ON notify.deliveries (outbox_id);

-- The paragraph 8 reminders written, one per State, year and threshold (60, 30, 7 days before
-- 31 December): the primary key makes writing one twice a no-op, whoever tries.
CREATE TABLE notify.reminders (
    state_code char(3) NOT NULL,
    year       int NOT NULL,
    days       int NOT NULL CHECK (days IN (60, 30, 7)),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (state_code, year, days)
);

-- The service roles (common/sql/002_service_roles.sql): every service may write events, for the
-- States that have an endpoint (so it reads which do, never the URL or the secret); only the
-- catalog, which registers endpoints, delivers and writes the reminders, does the rest. None may
-- delete.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('unic_catalog_svc',
             'unic_responses_svc', 'unic_scoring_svc', 'unic_matching_svc') LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA notify TO %I', r);
        EXECUTE format('GRANT INSERT ON notify.outbox TO %I', r);
        EXECUTE format('GRANT SELECT (state_code) ON notify.webhooks TO %I', r);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unic_catalog_svc') THEN
        GRANT SELECT, INSERT, UPDATE ON notify.webhooks TO unic_catalog_svc;
        GRANT SELECT, UPDATE ON notify.outbox TO unic_catalog_svc;
        GRANT SELECT, INSERT ON notify.deliveries TO unic_catalog_svc;
        GRANT SELECT, INSERT ON notify.reminders TO unic_catalog_svc;
    END IF;
END $$;
