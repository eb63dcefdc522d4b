-- 001_schema.sql: States' assessments, their current answers, the append-only history of every
-- revision, and the idempotency keys of writes. Every write of one request is one transaction.

-- One row per (State, cycle, questionnaire): the head of the assessment. Its id is built from that
-- key ("KEN-2025-cip-self-assessment"), so a caller's right to a write is decided from the id alone,
-- before anything is looked up.
CREATE TABLE responses.assessments (
    id                    text PRIMARY KEY,
    state_code            char(3) NOT NULL CHECK (state_code ~ '^[A-Z]{3}$'),
    cycle                 int  NOT NULL CHECK (cycle BETWEEN 2010 AND 9999),
    questionnaire_id      text NOT NULL CHECK (questionnaire_id ~ '^[a-z][a-z0-9-]{1,63}$'),
    questionnaire_version int  NOT NULL CHECK (questionnaire_version > 0),
    status                text NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED')),
    visibility            text NOT NULL DEFAULT 'PRIVATE'
                               CHECK (visibility IN ('PRIVATE', 'UNIC', 'PUBLIC')),
    revision              int  NOT NULL CHECK (revision > 0),
    etag                  text NOT NULL CHECK (etag <> ''),
    completeness          double precision NOT NULL CHECK (completeness BETWEEN 0 AND 1),
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    submitted_at          timestamptz,
    updated_by            text NOT NULL,
    UNIQUE (state_code, cycle, questionnaire_id),
    CHECK (id = state_code || '-' || cycle::text || '-' || questionnaire_id),
    CHECK ((status = 'SUBMITTED') = (submitted_at IS NOT NULL))
);

-- Every revision of every assessment, never changed once written: who, when, what changed, and
-- the packed unic.responses.v1.Assessment exactly as the write returned it, so that any past
-- revision reads back byte for byte.
CREATE TABLE responses.revisions (
    assessment_id     text NOT NULL REFERENCES responses.assessments (id),
    revision          int  NOT NULL CHECK (revision > 0),
    created_at        timestamptz NOT NULL,
    author            text NOT NULL,
    action            text NOT NULL
                           CHECK (action IN ('CREATE', 'SAVE', 'SUBMIT', 'REOPEN', 'VISIBILITY')),
    changed_questions text[] NOT NULL DEFAULT '{}',
    reason            text NOT NULL DEFAULT '',
    status            text NOT NULL CHECK (status IN ('DRAFT', 'SUBMITTED')),
    visibility        text NOT NULL CHECK (visibility IN ('PRIVATE', 'UNIC', 'PUBLIC')),
    snapshot          bytea NOT NULL,
    PRIMARY KEY (assessment_id, revision)
);

-- History is append-only whatever code path tries otherwise.
CREATE FUNCTION responses.refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'responses.revisions is append-only: % refused', TG_OP
        USING ERRCODE = 'object_not_in_prerequisite_state';
END $$;

CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON responses.revisions
    FOR EACH ROW EXECUTE FUNCTION responses.refuse_history_change();
CREATE TRIGGER revisions_no_truncate BEFORE TRUNCATE ON responses.revisions
    FOR EACH STATEMENT EXECUTE FUNCTION responses.refuse_history_change();

-- The current answers in relational form, for SQL reporting and as a second line of checks;
-- written in the same transaction as the revision whose snapshot they mirror.
CREATE TABLE responses.answers (
    assessment_id text NOT NULL REFERENCES responses.assessments (id),
    question_id   text NOT NULL CHECK (question_id <> ''),
    level         smallint CHECK (level BETWEEN 0 AND 5),
    target_level  smallint CHECK (target_level BETWEEN 0 AND 5),
    yes           boolean,
    date          date,
    narrative     text NOT NULL DEFAULT '' CHECK (char_length(narrative) <= 20000),
    evidence      jsonb NOT NULL DEFAULT '[]'
                        CHECK (jsonb_typeof(evidence) = 'array' AND jsonb_array_length(evidence) <= 20),
    updated_at    timestamptz NOT NULL,
    updated_by    text NOT NULL,
    PRIMARY KEY (assessment_id, question_id)
);

-- Idempotency keys: one per (API key, request_id), written in the same transaction as the data
-- and holding the hash of the request and the reply sent. Kept at least 24 hours.
CREATE TABLE responses.idempotency (
    key_id       text NOT NULL,
    request_id   text NOT NULL CHECK (char_length(request_id) BETWEEN 1 AND 128),
    method       text NOT NULL,
    request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
    response     bytea, -- NULL only inside the transaction that claimed the id
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, request_id)
);
CREATE INDEX idempotency_created_at ON responses.idempotency (created_at);
