-- 015_version_notify.sql: every replica keeps published versions in memory (published.c) and
-- must learn when what a request resolves to may have changed: a version published (version 0
-- moves), a locale added to a published version (its fallback changes), a version created or
-- removed. Each such statement notifies channel unic_catalog_versions when its transaction
-- commits (NOTIFY is transactional, and repeats within one transaction are sent once); the
-- replicas LISTEN on it and forget what they resolved.

CREATE FUNCTION catalog.notify_versions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('unic_catalog_versions', '');
    RETURN NULL;
END $$;

CREATE TRIGGER versions_notify AFTER INSERT OR UPDATE OR DELETE ON catalog.versions
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_versions();
CREATE TRIGGER versions_truncate_notify AFTER TRUNCATE ON catalog.versions
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_versions();
CREATE TRIGGER version_texts_notify AFTER INSERT OR UPDATE OR DELETE ON catalog.version_texts
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_versions();
CREATE TRIGGER version_texts_truncate_notify AFTER TRUNCATE ON catalog.version_texts
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_versions();
