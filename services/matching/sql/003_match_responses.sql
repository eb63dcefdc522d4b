-- 003_match_responses.sql: who answered a match for each party, by name (the principal's label:
-- the identity and key), beside the yes/no it gave.
ALTER TABLE matching.matches
    ADD COLUMN donor_responded_by     text,
    ADD COLUMN recipient_responded_by text;
