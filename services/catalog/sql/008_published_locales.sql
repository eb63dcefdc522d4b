-- 008_published_locales.sql: a published version may gain texts in a locale, never change them.
-- Texts in a new language do not change a version's definition (ids, numbers, types, weights,
-- deadlines) nor any text already served, so assessments answered against it stay valid. The
-- immutability trigger of 001_schema.sql is narrowed accordingly: under a published version an
-- INSERT into one of the four text tables is allowed; every UPDATE or DELETE is still refused,
-- and an existing text cannot be overwritten (the primary keys refuse a second row). A new
-- locale must be complete when its transaction commits: a locale is served only if the version
-- has a title in it (store.c, SQL_RESOLVE), and a served locale missing a section or question
-- text would drop that section or question from the reply.

CREATE OR REPLACE FUNCTION catalog.refuse_published_change() RETURNS trigger
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
    ELSIF TG_OP = 'INSERT'
          AND TG_TABLE_NAME IN ('version_texts', 'section_texts', 'question_texts', 'level_texts') THEN
        NULL; -- a text in a new locale; completeness is checked at commit
    ELSIF EXISTS (SELECT 1 FROM catalog.versions v
                  WHERE v.questionnaire_id = qid AND v.version = ver AND v.state = 'PUBLISHED') THEN
        RAISE EXCEPTION 'questionnaire "%" v% is published and cannot change', qid, ver
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

-- At commit, a locale added to a published version has every text the base locale "en" has:
-- a title (the row that fired), each section's title, each question's text with as many
-- sub-items, and as many level descriptors per question.
CREATE FUNCTION catalog.check_locale_complete() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM catalog.versions v
                   WHERE v.questionnaire_id = NEW.questionnaire_id AND v.version = NEW.version
                     AND v.state = 'PUBLISHED') THEN
        RETURN NULL;
    END IF;
    SELECT string_agg(m, ', ') INTO missing FROM (
        SELECT 'section ' || s.id AS m FROM catalog.sections s
        WHERE s.questionnaire_id = NEW.questionnaire_id AND s.version = NEW.version
          AND NOT EXISTS (SELECT 1 FROM catalog.section_texts t
                          WHERE t.questionnaire_id = s.questionnaire_id AND t.version = s.version
                            AND t.section_id = s.id AND t.locale = NEW.locale)
        UNION ALL
        SELECT 'question ' || e.question_id FROM catalog.question_texts e
        WHERE e.questionnaire_id = NEW.questionnaire_id AND e.version = NEW.version AND e.locale = 'en'
          AND NOT EXISTS (SELECT 1 FROM catalog.question_texts t
                          WHERE t.questionnaire_id = e.questionnaire_id AND t.version = e.version
                            AND t.question_id = e.question_id AND t.locale = NEW.locale
                            AND cardinality(t.sub_items) = cardinality(e.sub_items))
        UNION ALL
        SELECT 'levels of ' || e.question_id FROM catalog.level_texts e
        WHERE e.questionnaire_id = NEW.questionnaire_id AND e.version = NEW.version AND e.locale = 'en'
          AND NOT EXISTS (SELECT 1 FROM catalog.level_texts t
                          WHERE t.questionnaire_id = e.questionnaire_id AND t.version = e.version
                            AND t.question_id = e.question_id AND t.locale = NEW.locale
                            AND t.level = e.level)
        GROUP BY e.question_id
    ) AS gaps;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'could not add locale "%" to questionnaire "%" v%: no text for %',
            NEW.locale, NEW.questionnaire_id, NEW.version, missing
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER version_texts_locale_complete AFTER INSERT ON catalog.version_texts
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION catalog.check_locale_complete();
