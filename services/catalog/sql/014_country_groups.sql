-- 014_country_groups.sql: the UN country groups (LDC, SIDS, LLDC) as memberships with dates,
-- and the history of the changes operators record.
-- A State's LDC status is no longer a flag: it is whether a membership covers a date, so a plan
-- or a report dated before a graduation sees the State as it was then (data/README.md).

CREATE TABLE catalog.country_groups (
    id     text PRIMARY KEY CHECK (id ~ '^[A-Z]{2,8}$'),
    name   text NOT NULL,
    source text NOT NULL
);

INSERT INTO catalog.country_groups (id, name, source) VALUES
    ('LDC', 'Least developed countries',
     'the UN list kept by the Committee for Development Policy (CDP) and UN-OHRLLS'),
    ('SIDS', 'Small island developing States', 'the UN-OHRLLS list of small island developing States'),
    ('LLDC', 'Landlocked developing countries', 'the UN-OHRLLS list of landlocked developing countries');

-- One period of membership. A State is a member on day D when member_from <= D < member_until:
-- member_until is the first day it is not (the day a graduation takes effect). '-infinity' and
-- NULL are the open ends ("since before any date the platform uses", "no end decided").
-- changed_by is '' for a row as data/country_groups.tsv ships it, which start-up keeps in step
-- with the file; once an operator records a change to it, it names them and the file no longer
-- touches it.
CREATE TABLE catalog.group_memberships (
    group_id     text    NOT NULL REFERENCES catalog.country_groups (id),
    state_code   char(3) NOT NULL REFERENCES catalog.states (code),
    member_from  date    NOT NULL DEFAULT '-infinity',
    member_until date,
    source       text    NOT NULL,
    changed_by   text    NOT NULL DEFAULT '',
    PRIMARY KEY (group_id, state_code, member_from),
    CHECK (member_until IS NULL OR member_until > member_from),
    CHECK (member_until IS NULL OR isfinite(member_until))
);

-- Every change an operator records (RecordGroupChange), never updated nor deleted: the legal
-- history of the groups as the platform learnt it.
CREATE TABLE catalog.group_changes (
    id              bigserial PRIMARY KEY,
    group_id        text    NOT NULL REFERENCES catalog.country_groups (id),
    state_code      char(3) NOT NULL REFERENCES catalog.states (code),
    kind            text    NOT NULL CHECK (kind IN ('ADMISSION', 'GRADUATION', 'POSTPONEMENT')),
    effective       date,            -- NULL only for a postponement to a date not yet set
    previous_until  date,            -- the membership's end before the change (NULL: none)
    member_from     date    NOT NULL, -- the membership changed (its start)
    legal_reference text    NOT NULL CHECK (legal_reference <> ''),
    note            text    NOT NULL DEFAULT '',
    recorded_by     text    NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    request_id      text    NOT NULL DEFAULT ''
);
CREATE INDEX group_changes_state ON catalog.group_changes (state_code, id);

CREATE FUNCTION catalog.refuse_history_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'catalog.group_changes is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER group_changes_append_only BEFORE UPDATE OR DELETE ON catalog.group_changes
    FOR EACH ROW EXECUTE FUNCTION catalog.refuse_history_change();
CREATE TRIGGER group_changes_no_truncate BEFORE TRUNCATE ON catalog.group_changes
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.refuse_history_change();

-- The intermediate region of M49 ("Western Africa", "Caribbean"), where the State's sub-region
-- has them; the LDC flag gives way to the memberships above.
ALTER TABLE catalog.states ADD COLUMN intermediate_region text NOT NULL DEFAULT '';
ALTER TABLE catalog.states DROP COLUMN ldc;
