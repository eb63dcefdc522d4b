-- The summary of each event as a stable code and its arguments as well as in English, so that the
-- portal says it in the reader's language (common/audit.c's table, web/messages "audit.<code>").
-- Events written before have no code ('') and are shown in their English.
ALTER TABLE audit.events
    ADD COLUMN summary_code text NOT NULL DEFAULT '',
    ADD COLUMN summary_args text[] NOT NULL DEFAULT '{}';
