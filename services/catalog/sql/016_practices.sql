-- 016_practices.sql: best practices shared by States and UNIC (A/RES/64/211 op. 2), their
-- curation, full-text search in each practice's own language, and the compilations UNIC publishes
-- per year and topic (docs/practices.md).

-- The text search configuration of a language tag: PostgreSQL's own where it has one (its
-- snowball stemmers), 'simple' otherwise (Chinese among them: no stemmer, words as written).
CREATE FUNCTION catalog.practice_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE split_part(lower(language), '-', 1)
        WHEN 'ar' THEN 'arabic' WHEN 'da' THEN 'danish' WHEN 'de' THEN 'german'
        WHEN 'el' THEN 'greek' WHEN 'en' THEN 'english' WHEN 'es' THEN 'spanish'
        WHEN 'fi' THEN 'finnish' WHEN 'fr' THEN 'french' WHEN 'ga' THEN 'irish'
        WHEN 'hu' THEN 'hungarian' WHEN 'id' THEN 'indonesian' WHEN 'it' THEN 'italian'
        WHEN 'lt' THEN 'lithuanian' WHEN 'ne' THEN 'nepali' WHEN 'nl' THEN 'dutch'
        WHEN 'no' THEN 'norwegian' WHEN 'nb' THEN 'norwegian' WHEN 'pt' THEN 'portuguese'
        WHEN 'ro' THEN 'romanian' WHEN 'ru' THEN 'russian' WHEN 'sr' THEN 'serbian'
        WHEN 'sv' THEN 'swedish' WHEN 'ta' THEN 'tamil' WHEN 'tr' THEN 'turkish'
        ELSE 'simple' END)::regconfig
$$;

CREATE TABLE catalog.practices (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title            text NOT NULL,
    summary          text NOT NULL,
    topics           text[] NOT NULL,
    state_code       char(3) REFERENCES catalog.states (code),
    organisation     text NOT NULL DEFAULT '',
    language         text NOT NULL,
    link             text NOT NULL DEFAULT '',
    body             text NOT NULL DEFAULT '',
    dated            date NOT NULL,
    visibility       text NOT NULL CHECK (visibility IN ('MEMBER_STATES', 'PUBLIC')),
    status           text NOT NULL DEFAULT 'SUBMITTED'
                     CHECK (status IN ('SUBMITTED', 'ACCEPTED', 'REJECTED')),
    rejection_reason text NOT NULL DEFAULT '',
    submitted_by     text NOT NULL,
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    curated_by       text,
    curated_at       timestamptz,
    search           tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(catalog.practice_config(language), title), 'A') ||
        setweight(to_tsvector(catalog.practice_config(language), summary), 'B') ||
        setweight(to_tsvector(catalog.practice_config(language), body), 'C')) STORED,
    CHECK (state_code IS NOT NULL OR organisation <> ''),
    CHECK (link <> '' OR body <> ''),
    CHECK ((status = 'REJECTED') = (rejection_reason <> ''))
);
CREATE INDEX practices_search ON catalog.practices USING gin (search);
CREATE INDEX practices_topics ON catalog.practices USING gin (topics);
CREATE INDEX practices_status ON catalog.practices (status, id);

-- Each publication of a year and topic is an edition; its practices are those accepted then.
CREATE TABLE catalog.compilations (
    year         int NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    topic        text NOT NULL REFERENCES catalog.topics (id),
    edition      int NOT NULL CHECK (edition > 0),
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by text NOT NULL,
    PRIMARY KEY (year, topic, edition)
);
CREATE TABLE catalog.compilation_practices (
    year        int NOT NULL,
    topic       text NOT NULL,
    edition     int NOT NULL,
    practice_id bigint NOT NULL REFERENCES catalog.practices (id),
    PRIMARY KEY (year, topic, edition, practice_id),
    FOREIGN KEY (year, topic, edition) REFERENCES catalog.compilations
);
