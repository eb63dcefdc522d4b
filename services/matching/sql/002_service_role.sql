-- 002_service_role.sql: what unic-matching's own login role may do (common/sql/
-- 002_service_roles.sql): read and write its tables, nothing else; it owns nothing, so it
-- can neither alter a table nor disable a trigger. Tables added by later migrations get the
-- same through the default privileges.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unic_matching_svc') THEN
        RAISE NOTICE 'role unic_matching_svc missing: no grants';
        RETURN;
    END IF;
    GRANT USAGE ON SCHEMA matching TO unic_matching_svc;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA matching TO unic_matching_svc;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA matching TO unic_matching_svc;
    ALTER DEFAULT PRIVILEGES IN SCHEMA matching
        GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO unic_matching_svc;
    ALTER DEFAULT PRIVILEGES IN SCHEMA matching GRANT USAGE, SELECT ON SEQUENCES TO unic_matching_svc;
    REVOKE ALL ON matching.schema_migrations FROM unic_matching_svc;
END $$;
