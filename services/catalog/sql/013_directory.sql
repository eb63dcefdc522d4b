-- 013_directory.sql: the directory of national points of contact and CERTs (Resolution #1
-- para 6), every version of each State's entry (the history is the table: nothing is
-- overwritten), reachability rounds, and the idempotency keys of the catalog's writes.
-- docs/directory.md describes the rules.

-- One row per State that has recorded an entry: its current version, for locking and etags
-- (0 only inside the transaction that records the first version).
CREATE TABLE catalog.directory_entries (
    state_code        char(3) PRIMARY KEY REFERENCES catalog.states (code),
    version           int NOT NULL CHECK (version >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_confirmed_at timestamptz
);

CREATE TABLE catalog.directory_versions (
    state_code      char(3) NOT NULL REFERENCES catalog.directory_entries (state_code),
    version         int NOT NULL CHECK (version > 0),
    unit            text NOT NULL,
    role_titles     text[] NOT NULL,
    email           text NOT NULL,
    phone           text NOT NULL,
    secure_channel  text NOT NULL,
    languages       text[] NOT NULL,
    hours           text NOT NULL,
    hours_time_zone text NOT NULL,
    established_on  date,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    recorded_by     text NOT NULL,
    PRIMARY KEY (state_code, version)
);

CREATE TABLE catalog.directory_certs (
    state_code         char(3) NOT NULL,
    version            int NOT NULL,
    position           int NOT NULL CHECK (position > 0),
    name               text NOT NULL,
    first_member       boolean NOT NULL,
    accreditation_date date,
    website            text NOT NULL,
    contact            text NOT NULL,
    PRIMARY KEY (state_code, version, position),
    FOREIGN KEY (state_code, version) REFERENCES catalog.directory_versions
);

CREATE TABLE catalog.reachability_rounds (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT now(),
    closes_at  timestamptz NOT NULL,
    started_by text NOT NULL,
    note       text NOT NULL DEFAULT '',
    CHECK (closes_at > started_at)
);

-- The States asked in a round: those with an entry when it started.
CREATE TABLE catalog.reachability_asked (
    round_id     bigint NOT NULL REFERENCES catalog.reachability_rounds (id),
    state_code   char(3) NOT NULL REFERENCES catalog.directory_entries (state_code),
    confirmed_at timestamptz,
    confirmed_by text,
    PRIMARY KEY (round_id, state_code),
    CHECK ((confirmed_at IS NULL) = (confirmed_by IS NULL))
);

-- Writes carrying a request_id (common/idem.h): the reply is stored in the transaction of the
-- change, so a retry gets the same answer and the same id with another body is refused.
CREATE TABLE catalog.idempotency_keys (
    principal    text NOT NULL,
    request_id   text NOT NULL,
    method       text NOT NULL,
    request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    response     bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (principal, request_id)
);
