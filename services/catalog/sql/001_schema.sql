-- 001_schema.sql: the catalog's tables: topics, reference States, and versioned questionnaires.
-- Structure (ids, numbers, types, weights) is language-independent; text lives per locale.

CREATE TABLE catalog.topics (
    id          text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,39}$'),
    position    int  NOT NULL UNIQUE,
    title       text NOT NULL,
    description text NOT NULL
);

CREATE TABLE catalog.states (
    code       char(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    m49        int     NOT NULL UNIQUE,
    name       text    NOT NULL,
    region     text    NOT NULL,
    sub_region text    NOT NULL,
    ldc        boolean NOT NULL
);

CREATE TABLE catalog.questionnaires (
    id         text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9-]{1,63}$'),
    kind       text NOT NULL CHECK (kind IN ('SELF_ASSESSMENT', 'COMPLIANCE')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE catalog.versions (
    questionnaire_id text NOT NULL REFERENCES catalog.questionnaires (id),
    version          int  NOT NULL CHECK (version > 0),
    state            text NOT NULL CHECK (state IN ('DRAFT', 'PUBLISHED')),
    source           text NOT NULL DEFAULT '',
    created_by       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    published_at     timestamptz,
    PRIMARY KEY (questionnaire_id, version),
    CHECK ((state = 'PUBLISHED') = (published_at IS NOT NULL))
);

CREATE TABLE catalog.version_texts (
    questionnaire_id text NOT NULL,
    version          int  NOT NULL,
    locale           text NOT NULL,
    title            text NOT NULL,
    PRIMARY KEY (questionnaire_id, version, locale),
    FOREIGN KEY (questionnaire_id, version) REFERENCES catalog.versions
);

CREATE TABLE catalog.sections (
    questionnaire_id text NOT NULL,
    version          int  NOT NULL,
    id               text NOT NULL,
    number           int  NOT NULL CHECK (number > 0),
    PRIMARY KEY (questionnaire_id, version, id),
    UNIQUE (questionnaire_id, version, number),
    FOREIGN KEY (questionnaire_id, version) REFERENCES catalog.versions
);

CREATE TABLE catalog.section_texts (
    questionnaire_id text NOT NULL,
    version          int  NOT NULL,
    section_id       text NOT NULL,
    locale           text NOT NULL,
    title            text NOT NULL,
    PRIMARY KEY (questionnaire_id, version, section_id, locale),
    FOREIGN KEY (questionnaire_id, version, section_id) REFERENCES catalog.sections
);

CREATE TABLE catalog.questions (
    questionnaire_id text    NOT NULL,
    version          int     NOT NULL,
    id               text    NOT NULL,
    section_id       text    NOT NULL,
    number           int     NOT NULL CHECK (number > 0),
    answer_type      text    NOT NULL CHECK (answer_type IN ('MATURITY_LEVEL', 'YES_NO', 'TEXT')),
    weight           double precision NOT NULL DEFAULT 1 CHECK (weight > 0),
    required         boolean NOT NULL DEFAULT true,
    deadline         date,
    recurrence       text    NOT NULL DEFAULT 'NONE' CHECK (recurrence IN ('NONE', 'ANNUAL')),
    topics           text[]  NOT NULL DEFAULT '{}',
    PRIMARY KEY (questionnaire_id, version, id),
    UNIQUE (questionnaire_id, version, number),
    FOREIGN KEY (questionnaire_id, version, section_id) REFERENCES catalog.sections
);

CREATE TABLE catalog.question_texts (
    questionnaire_id text   NOT NULL,
    version          int    NOT NULL,
    question_id      text   NOT NULL,
    locale           text   NOT NULL,
    text             text   NOT NULL,
    guidance         text   NOT NULL DEFAULT '',
    sub_items        text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (questionnaire_id, version, question_id, locale),
    FOREIGN KEY (questionnaire_id, version, question_id) REFERENCES catalog.questions
);

CREATE TABLE catalog.level_texts (
    questionnaire_id text NOT NULL,
    version          int  NOT NULL,
    question_id      text NOT NULL,
    locale           text NOT NULL,
    level            int  NOT NULL CHECK (level BETWEEN 0 AND 5),
    name             text NOT NULL,
    description      text NOT NULL,
    PRIMARY KEY (questionnaire_id, version, question_id, locale, level),
    FOREIGN KEY (questionnaire_id, version, question_id) REFERENCES catalog.questions
);

-- A published version is immutable: refuse any change to it or to anything hanging off it,
-- whatever code path tries.
CREATE FUNCTION catalog.refuse_published_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    qid text;
    ver int;
BEGIN
    IF TG_OP = 'INSERT' THEN
        qid := NEW.questionnaire_id; ver := NEW.version;
    ELSE
        qid := OLD.questionnaire_id; ver := OLD.version;
    END IF;
    IF TG_TABLE_NAME = 'versions' THEN
        IF TG_OP <> 'INSERT' AND OLD.state = 'PUBLISHED' THEN
            RAISE EXCEPTION 'questionnaire "%" v% is published and cannot change', qid, ver
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM catalog.versions v
                  WHERE v.questionnaire_id = qid AND v.version = ver AND v.state = 'PUBLISHED') THEN
        RAISE EXCEPTION 'questionnaire "%" v% is published and cannot change', qid, ver
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER versions_immutable BEFORE UPDATE OR DELETE ON catalog.versions
    FOR EACH ROW EXECUTE FUNCTION catalog.refuse_published_change();
CREATE TRIGGER version_texts_immutable BEFORE INSERT OR UPDATE OR DELETE ON catalog.version_texts
    FOR EACH ROW EXECUTE FUNCTION catalog.refuse_published_change();
CREATE TRIGGER sections_immutable BEFORE INSERT OR UPDATE OR DELETE ON catalog.sections
    FOR EACH ROW EXECUTE FUNCTION catalog.refuse_published_change();
CREATE TRIGGER section_texts_immutable BEFORE INSERT OR UPDATE OR DELETE ON catalog.section_texts
    FOR EACH ROW EXECUTE FUNCTION catalog.refuse_published_change();
CREATE TRIGGER questions_immutable BEFORE INSERT OR UPDATE OR DELETE ON catalog.questions
    FOR EACH ROW EXECUTE FUNCTION catalog.refuse_published_change();
CREATE TRIGGER question_texts_immutable BEFORE INSERT OR UPDATE OR DELETE ON catalog.question_texts
    FOR EACH ROW EXECUTE FUNCTION catalog.refuse_published_change();
CREATE TRIGGER level_texts_immutable BEFORE INSERT OR UPDATE OR DELETE ON catalog.level_texts
    FOR EACH ROW EXECUTE FUNCTION catalog.refuse_published_change();
