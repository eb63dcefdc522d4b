-- 007_match_grounds.sql: why a match was made and why a need was left unmet, as facts a client
-- words in the reader's language (unic.matching.v1.MatchGrounds and UnmetGrounds), beside the
-- English sentences. Rows planned before have none (NULL): they keep their sentence only.
ALTER TABLE matching.matches
    -- how the offer admitted the recipient (docs/matching-model.md, rule 4); NULL = no grounds
    ADD COLUMN grounds_eligibility text CHECK (grounds_eligibility IN ('ALL', 'NAMED', 'REGION', 'GROUP')),
    ADD COLUMN grounds_eligible_by text,       -- the region or group of REGION and GROUP, else ''
    ADD COLUMN grounds_question text,          -- the gap's question, '' when none
    ADD COLUMN grounds_severity_milli int CHECK (grounds_severity_milli BETWEEN 0 AND 100000),
    ADD COLUMN grounds_languages text[],       -- shared; '{}' = no language constraint
    ADD COLUMN grounds_ldc boolean,            -- LDC on the plan date: priority x1.5 applied
    ADD CONSTRAINT matches_grounds_whole CHECK (
        (grounds_eligibility IS NULL) = (grounds_eligible_by IS NULL)
        AND (grounds_eligibility IS NULL) = (grounds_question IS NULL)
        AND (grounds_eligibility IS NULL) = (grounds_severity_milli IS NULL)
        AND (grounds_eligibility IS NULL) = (grounds_languages IS NULL)
        AND (grounds_eligibility IS NULL) = (grounds_ldc IS NULL)
        AND (grounds_eligibility IS NULL
             OR (grounds_eligibility IN ('REGION', 'GROUP')) = (grounds_eligible_by <> '')));

ALTER TABLE matching.plan_unmet
    ADD COLUMN reason_code text CHECK (reason_code IN ('NO_COMPATIBLE_OFFER', 'CAPACITY_EXHAUSTED')),
    ADD COLUMN grounds_kind text,              -- the request's kind
    ADD COLUMN grounds_topics text[],          -- every topic of the request, its first first
    ADD CONSTRAINT plan_unmet_grounds_whole CHECK (
        (reason_code IS NULL) = (grounds_kind IS NULL)
        AND (reason_code IS NULL) = (grounds_topics IS NULL));
