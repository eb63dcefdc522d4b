-- 001_api_keys.sql: API keys, shared by every service. Only SHA-256 hashes are stored: a leak of
-- this table gives no usable key.
CREATE TABLE auth.api_keys (
    id         text PRIMARY KEY,              -- first 16 hex digits of the hash, shown to operators
    key_hash   text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    role       text NOT NULL CHECK (role IN ('OPERATOR', 'STATE', 'SERVICE')),
    state_code char(3) CHECK (state_code ~ '^[A-Z]{3}$'),
    label      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK ((role = 'STATE') = (state_code IS NOT NULL))
);
