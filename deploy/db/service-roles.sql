-- service-roles.sql: the login role of each service (docs/hardening.md), member of the group
-- role its migrations grant to, owning nothing. Run as a role with CREATEROLE, with the four
-- passwords as psql variables:
--   psql "$OWNER_URL" -v ON_ERROR_STOP=1 -v catalog_pw=... -v responses_pw=... \
--     -v scoring_pw=... -v matching_pw=... -f deploy/db/service-roles.sql
-- Safe to run again: roles already there keep their grants and get the password given.
-- Used by deploy/local/up and by the postgres container of docker-compose.yml (first start).
SELECT format('CREATE ROLE %I NOLOGIN', 'unic_' || s || '_svc')
  FROM unnest(ARRAY['catalog', 'responses', 'scoring', 'matching']) AS s
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unic_' || s || '_svc') \gexec
SELECT format('CREATE ROLE %I LOGIN IN ROLE %I', 'unic_' || s, 'unic_' || s || '_svc')
  FROM unnest(ARRAY['catalog', 'responses', 'scoring', 'matching']) AS s
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'unic_' || s) \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', 'unic_' || s, pw)
  FROM (VALUES ('catalog', :'catalog_pw'), ('responses', :'responses_pw'),
               ('scoring', :'scoring_pw'), ('matching', :'matching_pw')) AS v(s, pw) \gexec
