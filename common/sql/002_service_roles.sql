-- 002_service_roles.sql: least privilege in the database (docs/hardening.md). The role that runs
-- the migrations owns every table; each service connects as a login role that owns nothing and
-- is a member of its service's group role below, which holds only the privileges that service
-- needs (each service's own migrations grant them). Roles are per cluster: created once, by
-- whichever database migrates first; without CREATEROLE nothing is created and a NOTICE says so.
DO $$
DECLARE
    r text;
BEGIN
    IF NOT (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RAISE NOTICE 'no CREATEROLE: service roles not created, services connect as the owner';
        RETURN;
    END IF;
    FOREACH r IN ARRAY ARRAY['unic_catalog_svc', 'unic_responses_svc', 'unic_scoring_svc',
                             'unic_matching_svc'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- made already, or by a database migrating at the same moment
        END;
    END LOOP;
END $$;

-- Every service reads keys; only the owner (start-up, unic-admin) writes them.
DO $$
DECLARE
    r text;
BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('unic_catalog_svc',
             'unic_responses_svc', 'unic_scoring_svc', 'unic_matching_svc') LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA auth TO %I', r);
        EXECUTE format('GRANT SELECT ON auth.api_keys TO %I', r);
    END LOOP;
END $$;
