-- 005_expect_rows.sql: a check a statement can carry to the server. A write's last statements
-- and its COMMIT go in one round trip (services/responses/store.c), so a row count read back
-- afterwards would come too late to stop the COMMIT: a statement that changed other than the rows
-- expected fails instead, and the server skips the COMMIT queued behind it.
CREATE FUNCTION responses.expect_rows(got bigint, want bigint, sqlstate text, message text)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION USING ERRCODE = sqlstate, MESSAGE = message;
    END IF;
    RETURN got;
END $$;
