-- 001_schema.sql: the matching service's tables: donor offers, recipient requests, match plans and
-- their matches, and the idempotency keys of the create calls. The model: docs/matching-model.md.
--
-- Every row that a plan draws on (offers, requests) carries a version, bumped by every change;
-- its etag is that version. A plan records the versions it was computed from, so committing it
-- can tell, under row locks, whether anything moved since.

CREATE TABLE matching.offers (
    id               uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    seq              bigserial UNIQUE,            -- listing order and page tokens
    donor_state      char(3) NOT NULL CHECK (donor_state ~ '^[A-Z]{3}$'),
    kind             text    NOT NULL CHECK (kind IN ('EXPERTISE', 'FUNDS', 'EQUIPMENT', 'TRAINING')),
    topics           text[]  NOT NULL CHECK (cardinality(topics) > 0),
    capacity         bigint  NOT NULL CHECK (capacity BETWEEN 1 AND 1000000000),
    remaining        bigint  NOT NULL CHECK (remaining BETWEEN 0 AND capacity),
    eligible_states  text[]  NOT NULL DEFAULT '{}',
    eligible_regions text[]  NOT NULL DEFAULT '{}',
    languages        text[]  NOT NULL DEFAULT '{}',
    valid_from       date,
    valid_until      date,
    title            text    NOT NULL,
    description      text    NOT NULL DEFAULT '',
    status           text    NOT NULL DEFAULT 'OPEN'
                             CHECK (status IN ('OPEN', 'WITHDRAWN', 'EXHAUSTED')),
    version          int     NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by       text    NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_until >= valid_from),
    CHECK (NOT (donor_state = ANY (eligible_states)))
);
CREATE INDEX offers_donor ON matching.offers (donor_state, seq);
CREATE INDEX offers_open ON matching.offers (kind) WHERE status = 'OPEN' AND remaining > 0;

CREATE TABLE matching.requests (
    id                 uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    seq                bigserial UNIQUE,
    state_code         char(3) NOT NULL CHECK (state_code ~ '^[A-Z]{3}$'),
    kind               text    NOT NULL CHECK (kind IN ('EXPERTISE', 'FUNDS', 'EQUIPMENT', 'TRAINING')),
    topic              text    NOT NULL,
    quantity           bigint  NOT NULL CHECK (quantity BETWEEN 1 AND 1000000000),
    remaining          bigint  NOT NULL CHECK (remaining BETWEEN 0 AND quantity),
    priority           int     NOT NULL CHECK (priority BETWEEN 1 AND 5),
    -- The gap a derived request comes from: '' and 0 for a request a State wrote itself.
    source_question_id text    NOT NULL DEFAULT '',
    source_cycle       int     NOT NULL DEFAULT 0 CHECK (source_cycle >= 0),
    gap_severity_milli bigint  NOT NULL DEFAULT 0 CHECK (gap_severity_milli BETWEEN 0 AND 100000),
    -- Snapshots of the catalog's reference data when the request was made: a plan is computed
    -- from what the request said then, not from whatever the catalog says on the day.
    ldc                boolean NOT NULL,
    region             text    NOT NULL,
    sub_region         text    NOT NULL,
    languages          text[]  NOT NULL DEFAULT '{}',
    status             text    NOT NULL DEFAULT 'OPEN'
                               CHECK (status IN ('OPEN', 'WITHDRAWN', 'FULFILLED')),
    version            int     NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by         text    NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((source_question_id = '') = (source_cycle = 0))
);
CREATE INDEX requests_state ON matching.requests (state_code, seq);
CREATE INDEX requests_open ON matching.requests (kind) WHERE status = 'OPEN' AND remaining > 0;
-- DeriveRequests is idempotent per (State, cycle, gap question, topic, kind): a second call
-- inserts nothing (ON CONFLICT DO NOTHING against this index) and returns the same rows.
CREATE UNIQUE INDEX requests_derived ON matching.requests
    (state_code, source_cycle, source_question_id, topic, kind) WHERE source_question_id <> '';

CREATE TABLE matching.plans (
    id             uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    as_of          date    NOT NULL,
    scope          text[]  NOT NULL DEFAULT '{}',  -- recipient States; empty = all
    objective      bigint  NOT NULL CHECK (objective >= 0),  -- benefit, micro-units (10^6 = 1.0)
    solve_ms       bigint  NOT NULL CHECK (solve_ms >= 0),
    offers_seen    int     NOT NULL,               -- open offers and requests given to the solver
    requests_seen  int     NOT NULL,
    arcs           bigint  NOT NULL,               -- compatible pairs the solver found
    -- SHA-256 over "o:<id>:<version>" of the offers and "r:<id>:<version>" of the requests the
    -- plan's matches draw on, each list in id order: committing recomputes it under row locks.
    fingerprint    text    NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    status         text    NOT NULL DEFAULT 'PROPOSED' CHECK (status IN ('PROPOSED', 'COMMITTED')),
    created_by     text    NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    committed_by   text,
    committed_at   timestamptz,
    CHECK ((status = 'COMMITTED') = (committed_at IS NOT NULL))
);

CREATE TABLE matching.matches (
    id                 uuid    PRIMARY KEY DEFAULT gen_random_uuid(),
    seq                bigserial UNIQUE,
    plan_id            uuid    NOT NULL REFERENCES matching.plans (id),
    position           int     NOT NULL,           -- order within the plan (request id, offer id)
    offer_id           uuid    NOT NULL REFERENCES matching.offers (id),
    request_id         uuid    NOT NULL REFERENCES matching.requests (id),
    offer_version      int     NOT NULL,           -- the versions the plan was computed from
    request_version    int     NOT NULL,
    donor_state        char(3) NOT NULL,
    recipient_state    char(3) NOT NULL,
    kind               text    NOT NULL,
    topic              text    NOT NULL,
    quantity           bigint  NOT NULL CHECK (quantity > 0),
    unit_benefit       bigint  NOT NULL,           -- micro-units
    benefit            bigint  NOT NULL,           -- quantity x unit_benefit
    explanation        text    NOT NULL,
    status             text    NOT NULL DEFAULT 'PROPOSED'
                               CHECK (status IN ('PROPOSED', 'OFFERED', 'ACCEPTED', 'DECLINED',
                                                 'SUPERSEDED')),
    donor_accepted     boolean NOT NULL DEFAULT false,
    recipient_accepted boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (plan_id, position),
    UNIQUE (plan_id, offer_id, request_id)
);
CREATE INDEX matches_offer ON matching.matches (offer_id);
CREATE INDEX matches_request ON matching.matches (request_id);
CREATE INDEX matches_donor ON matching.matches (donor_state, seq);
CREATE INDEX matches_recipient ON matching.matches (recipient_state, seq);

CREATE TABLE matching.plan_unmet (
    plan_id    uuid    NOT NULL REFERENCES matching.plans (id),
    position   int     NOT NULL,
    request_id uuid    NOT NULL REFERENCES matching.requests (id),
    state_code char(3) NOT NULL,
    remaining  bigint  NOT NULL CHECK (remaining > 0),
    reason     text    NOT NULL,
    PRIMARY KEY (plan_id, position)
);

-- Create calls carrying a request_id: the response is stored in the same transaction as the
-- row it reports, so a retry gets the same answer, and the same id with another body is refused.
CREATE TABLE matching.idempotency_keys (
    principal    text NOT NULL,   -- the API key's public id
    request_id   text NOT NULL,
    method       text NOT NULL,
    request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    response     bytea NOT NULL,  -- the packed reply message
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (principal, request_id)
);
