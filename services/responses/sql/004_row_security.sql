-- 004_row_security.sql: row-level security on the States' assessments, their answers, revisions
-- and evidence (docs/hardening.md, "Row-level security"). The service checks who may read and
-- write what (services/responses/access.c); these policies hold the same line in the database,
-- so that a statement with a missing or wrong condition still cannot read another State's
-- PRIVATE rows nor write any row of another State.
--
-- Whose call a statement serves is in two settings that common/db.c sets from the
-- authenticated principal for every call (db_call_scope), in the statement that starts each
-- transaction and ahead of the first statement outside one: unic.role (OPERATOR, STATE,
-- SERVICE) and unic.state (a STATE caller's code). FORCE applies the policies to the owner too,
-- so a service run as the owner (UNIC_MIGRATE=apply, the development stack and the tests) is
-- held to them as its own role is.

-- No call's settings: true for a session that is not a service's role (the owner's), false for
-- a member of unic_responses_svc (or of any service's group role).
CREATE FUNCTION responses.no_caller() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT 1 FROM pg_roles g
                       WHERE g.rolname IN ('unic_catalog_svc', 'unic_responses_svc',
                                           'unic_scoring_svc', 'unic_matching_svc')
                         AND pg_has_role(current_user, g.oid, 'MEMBER'))
$$;

-- Which rows of assessment heads a caller reads: the rules of access.c (access_may_read, and
-- the compliance report to UNIC, docs/compliance-reports.md) at the grain of the assessment; a
-- PRIVATE compliance report's drafts are the service's to hide from operators, as they are. A
-- session serving no call (the owner migrating, an administrator's psql) reads every row; a
-- service role's session serving no call reads none.
CREATE FUNCTION responses.row_readable(state char(3), visibility text, questionnaire text)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE current_setting('unic.role', true)
        WHEN 'STATE' THEN state = current_setting('unic.state', true) OR visibility = 'PUBLIC'
        WHEN 'OPERATOR' THEN visibility IN ('UNIC', 'PUBLIC') OR questionnaire = 'unic-compliance'
        WHEN 'SERVICE' THEN visibility = 'PUBLIC'
        ELSE responses.no_caller()
    END
$$;

-- Only a State writes, and only its own rows (access_may_write); a session serving no call is
-- the owner's or nobody's, as above.
CREATE FUNCTION responses.row_writable(state char(3)) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT CASE current_setting('unic.role', true)
        WHEN 'STATE' THEN state = current_setting('unic.state', true)
        WHEN 'OPERATOR' THEN false
        WHEN 'SERVICE' THEN false
        ELSE responses.no_caller()
    END
$$;

-- Heads carry the State and visibility. Rows of an assessment carry its id, whose first three
-- letters are its State (001_schema.sql: id = state_code || '-' || cycle || '-' || questionnaire),
-- so a write is checked without looking up the head, which a row written in the same statement
-- (CreateAssessment's CTE) would not yet find.
ALTER TABLE responses.assessments ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY readable ON responses.assessments FOR SELECT
    USING (responses.row_readable(state_code, visibility, questionnaire_id));
CREATE POLICY writable ON responses.assessments
    USING (responses.row_writable(state_code)) WITH CHECK (responses.row_writable(state_code));

-- Answers, revisions and evidence documents: read as their assessment is (its head's policy
-- applies inside the EXISTS), written as their State may.
ALTER TABLE responses.answers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY readable ON responses.answers FOR SELECT
    USING (EXISTS (SELECT 1 FROM responses.assessments a WHERE a.id = assessment_id));
CREATE POLICY writable ON responses.answers
    USING (responses.row_writable(left(assessment_id, 3)::char(3)))
    WITH CHECK (responses.row_writable(left(assessment_id, 3)::char(3)));

ALTER TABLE responses.revisions ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY readable ON responses.revisions FOR SELECT
    USING (EXISTS (SELECT 1 FROM responses.assessments a WHERE a.id = assessment_id));
CREATE POLICY writable ON responses.revisions
    USING (responses.row_writable(left(assessment_id, 3)::char(3)))
    WITH CHECK (responses.row_writable(left(assessment_id, 3)::char(3)));

ALTER TABLE responses.evidence_documents ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY readable ON responses.evidence_documents FOR SELECT
    USING (EXISTS (SELECT 1 FROM responses.assessments a WHERE a.id = assessment_id));
CREATE POLICY writable ON responses.evidence_documents
    USING (responses.row_writable(state_code)) WITH CHECK (responses.row_writable(state_code)
                                                           AND left(assessment_id, 3) = state_code);

-- Uploads in progress are their State's alone (GetEvidenceUpload is for the State).
ALTER TABLE responses.evidence_uploads ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON responses.evidence_uploads
    USING (responses.row_writable(state_code)) WITH CHECK (responses.row_writable(state_code)
                                                           AND left(assessment_id, 3) = state_code);

-- A content is stored once for every State that attached it (evidence_blobs has no State): it
-- may be released only when no document of any State holds it, which the releasing State's
-- policies would not let it see. This function answers that one question as the owner with the
-- caller's settings cleared for its one query, and puts them back. (A SET clause on the
-- function would say it more simply, but PostgreSQL 15 lets only a superuser give a custom
-- setting there.)
CREATE FUNCTION responses.evidence_held(sha text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    caller text := coalesce(current_setting('unic.role', true), '');
    held boolean;
BEGIN
    PERFORM set_config('unic.role', '', true);
    SELECT EXISTS (SELECT 1 FROM responses.evidence_documents d WHERE d.sha256 = sha) INTO held;
    PERFORM set_config('unic.role', caller, true);
    RETURN held;
END $$;
REVOKE ALL ON FUNCTION responses.evidence_held(text) FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unic_responses_svc') THEN
        GRANT EXECUTE ON FUNCTION responses.evidence_held(text) TO unic_responses_svc;
    END IF;
END $$;
