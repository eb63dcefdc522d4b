-- 003_evidence.sql: evidence documents attached to answers (docs/evidence.md). Contents are kept
-- once per SHA-256 in bytea, not as large objects: a bytea row is an ordinary row, so it is
-- dumped, replicated, granted (to unic_responses_svc through the default privileges of 002) and
-- deleted in the transaction that deletes its last document, where a large object lives beside
-- the tables with permissions of its own and is leaked by any path that forgets lo_unlink.
-- Documents are at most 10 MiB, far below bytea's 1 GB.

CREATE TABLE responses.evidence_blobs (
    sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size       int NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    content    bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The address is the content's: no code path can file bytes under another hash.
    CHECK (octet_length(content) = size AND sha256 = encode(sha256(content), 'hex'))
);
-- Out of line and uncompressed: PDFs and images are compressed already, and a download reads
-- substring() of the value, which then fetches only the TOAST chunks it needs.
ALTER TABLE responses.evidence_blobs ALTER COLUMN content SET STORAGE EXTERNAL;

-- One row per document attached to an answer. `revision` is the assessment's revision when it
-- was attached: a compliance report read by UNIC as its last submitted revision shows only the
-- documents attached by then.
CREATE TABLE responses.evidence_documents (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assessment_id text NOT NULL REFERENCES responses.assessments (id),
    state_code    char(3) NOT NULL,
    question_id   text NOT NULL CHECK (question_id <> ''),
    filename      text NOT NULL CHECK (filename <> ''),
    content_type  text NOT NULL,
    sha256        text NOT NULL REFERENCES responses.evidence_blobs (sha256),
    revision      int NOT NULL CHECK (revision > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL
);
CREATE INDEX evidence_documents_assessment ON responses.evidence_documents (assessment_id, question_id);
CREATE INDEX evidence_documents_state ON responses.evidence_documents (state_code, sha256);
CREATE INDEX evidence_documents_sha256 ON responses.evidence_documents (sha256);

-- Uploads in progress: chunks appended in order, joined and checked at commit. An upload stays
-- after its commit (document_seq set), so a repeated commit returns the same document.
CREATE TABLE responses.evidence_uploads (
    id            text PRIMARY KEY,
    assessment_id text NOT NULL REFERENCES responses.assessments (id),
    state_code    char(3) NOT NULL,
    question_id   text NOT NULL CHECK (question_id <> ''),
    filename      text NOT NULL CHECK (filename <> ''),
    size          int NOT NULL CHECK (size BETWEEN 1 AND 10485760),
    sha256        text NOT NULL DEFAULT '' CHECK (sha256 = '' OR sha256 ~ '^[0-9a-f]{64}$'),
    received      int NOT NULL DEFAULT 0 CHECK (received BETWEEN 0 AND size),
    document_seq  bigint REFERENCES responses.evidence_documents (seq) ON DELETE SET NULL,
    committed_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    created_by    text NOT NULL
);
CREATE INDEX evidence_uploads_state ON responses.evidence_uploads (state_code, expires_at);

CREATE TABLE responses.evidence_chunks (
    upload_id text NOT NULL REFERENCES responses.evidence_uploads (id) ON DELETE CASCADE,
    "offset"  int NOT NULL CHECK ("offset" >= 0),
    data      bytea NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 1048576),
    PRIMARY KEY (upload_id, "offset")
);
ALTER TABLE responses.evidence_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
