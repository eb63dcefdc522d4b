-- 003_identities.sql: keys belong to people and machines (identities), expire, and show their
-- last use. Keys issued before, and by unic-admin, have no identity and never expire.
CREATE TABLE auth.identities (
    id           text PRIMARY KEY DEFAULT gen_random_uuid()::text,
    display_name text NOT NULL CHECK (display_name <> ''),
    email        text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    role         text NOT NULL CHECK (role IN ('OPERATOR', 'STATE_ADMIN', 'STATE_DELEGATE', 'SERVICE')),
    state_code   char(3) CHECK (state_code ~ '^[A-Z]{3}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL,
    CHECK ((role IN ('STATE_ADMIN', 'STATE_DELEGATE')) = (state_code IS NOT NULL))
);
CREATE UNIQUE INDEX identities_email ON auth.identities (lower(email));
CREATE INDEX identities_state ON auth.identities (state_code);

ALTER TABLE auth.api_keys
    ADD COLUMN identity_id  text REFERENCES auth.identities (id),
    ADD COLUMN expires_at   timestamptz,  -- NULL: never (unic-admin's keys)
    ADD COLUMN last_used_at timestamptz,  -- bumped by lookups at most once a minute
    ADD COLUMN replaced_by  text REFERENCES auth.api_keys (id);
CREATE INDEX api_keys_identity ON auth.api_keys (identity_id);

-- The service roles of 002: every service reads identities and records a key's last use; the
-- catalog (AdminService) creates identities and keys and revokes and rotates keys.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('unic_catalog_svc',
             'unic_responses_svc', 'unic_scoring_svc', 'unic_matching_svc') LOOP
        EXECUTE format('GRANT SELECT ON auth.identities TO %I', r);
        EXECUTE format('GRANT UPDATE (last_used_at) ON auth.api_keys TO %I', r);
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unic_catalog_svc') THEN
        GRANT INSERT ON auth.identities TO unic_catalog_svc;
        GRANT INSERT, UPDATE ON auth.api_keys TO unic_catalog_svc;
    END IF;
END $$;
