-- 002_service_role.sql: what unic-responses's own login role may do (common/sql/
-- 002_service_roles.sql): read and write its tables, its history (responses.revisions) only by
-- INSERT, nothing else; it owns nothing, so it can neither alter a table nor disable a trigger.
-- Tables added by later migrations get the same through the default privileges.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unic_responses_svc') THEN
        RAISE NOTICE 'role unic_responses_svc missing: no grants';
        RETURN;
    END IF;
    GRANT USAGE ON SCHEMA responses TO unic_responses_svc;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA responses TO unic_responses_svc;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA responses TO unic_responses_svc;
    ALTER DEFAULT PRIVILEGES IN SCHEMA responses
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO unic_responses_svc;
    ALTER DEFAULT PRIVILEGES IN SCHEMA responses GRANT USAGE, SELECT ON SEQUENCES TO unic_responses_svc;
    REVOKE ALL ON responses.schema_migrations FROM unic_responses_svc;
    -- History: INSERT, never UPDATE or DELETE (the trigger refuses them too, for the owner).
    REVOKE UPDATE, DELETE ON responses.revisions FROM unic_responses_svc;
END $$;
