-- Global search: activity subjects join the full-text search, rare words are read from the
-- index instead of walking for them, and a typo is corrected from the words of record names.

-- +goose Up
-- An expression index rather than a stored column, so the biggest table is not rewritten.
CREATE INDEX activities_search_idx ON activities USING gin (owner_id, team_id, to_tsvector('simple', subject));
CREATE INDEX activities_owner_newest_idx ON activities (owner_id, id);
CREATE INDEX activities_team_newest_idx ON activities (team_id, id);

-- crm_search_<table>(q, owner, team, after_id, lim), activities now included: the ids of the
-- newest records that match q, that the user may see and (when given) that one owner or team
-- holds, newest first, after after_id, at most lim. The newest thousand records in view are read
-- first. A word met there is common enough to be met again soon walking on in list order; a word
-- met less than ten times in a thousand is rare, and its matches are read from the GIN index and
-- then ordered. (Left to itself the planner guessed 2% for every prefix, walked a rep's whole
-- history looking for a word that was not there, and took 300 ms.) Owner's rights, because
-- full-text matching is not leakproof; the view scope of the policies is applied here.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
    vectors CONSTANT jsonb := '{"leads": "r.search", "accounts": "r.search", "contacts": "r.search",
        "opportunities": "r.search", "activities": "to_tsvector(''simple'', r.subject)"}';
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        EXECUTE format($f$
CREATE OR REPLACE FUNCTION %1$I(q text, owner bigint, team bigint, after_id bigint, lim int) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 50 SET search_path = pg_catalog, public, pg_temp AS $body$
DECLARE
    query tsquery := crm_prefix_query(q);
    scope text := nullif(current_setting('crm.scopes', true), '')::jsonb ->> %2$L;
    mine bigint := CASE WHEN scope = 'own' THEN nullif(current_setting('crm.user_id', true), '')::bigint END;
    ours bigint := CASE WHEN scope = 'team' THEN nullif(current_setting('crm.team_id', true), '')::bigint END;
    walked bigint;
    found bigint[];
BEGIN
    IF query IS NULL OR query = ''::tsquery OR lim < 1 OR scope IS NULL OR scope NOT IN ('all', 'own', 'team') THEN
        RETURN;
    END IF;
    IF scope = 'team' AND ours IS NULL THEN -- a user without a team sees their own records
        mine := nullif(current_setting('crm.user_id', true), '')::bigint;
    END IF;
    WITH walk AS MATERIALIZED (
        SELECT r.id, %4$s AS search FROM %3$I r
        WHERE (scope = 'all' OR r.owner_id = mine OR r.team_id = ours)
          AND (owner IS NULL OR r.owner_id = owner) AND (team IS NULL OR r.team_id = team)
          AND (after_id IS NULL OR r.id < after_id)
        ORDER BY r.id DESC LIMIT 1000)
    SELECT (SELECT min(w.id) FROM walk w), ARRAY(SELECT w.id FROM walk w WHERE w.search @@ query ORDER BY w.id DESC LIMIT lim)
    INTO walked, found;
    RETURN QUERY SELECT unnest(found);
    IF cardinality(found) >= lim OR walked IS NULL THEN
        RETURN;
    ELSIF cardinality(found) >= 10 THEN
        RETURN QUERY SELECT r.id FROM %3$I r
        WHERE %4$s @@ query AND r.id < walked
          AND (scope = 'all' OR r.owner_id = mine OR r.team_id = ours)
          AND (owner IS NULL OR r.owner_id = owner) AND (team IS NULL OR r.team_id = team)
        ORDER BY r.id DESC LIMIT lim - cardinality(found);
    ELSE
        RETURN QUERY SELECT m.id FROM (
            SELECT r.id FROM %3$I r
            WHERE %4$s @@ query AND r.id < walked
              AND (scope = 'all' OR r.owner_id = mine OR r.team_id = ours)
              AND (owner IS NULL OR r.owner_id = owner) AND (team IS NULL OR r.team_id = team)
            OFFSET 0) m -- a fence: every match from the index first, then the newest of them
        ORDER BY m.id DESC LIMIT lim - cardinality(found);
    END IF;
END
$body$
$f$, 'crm_search_' || t, t || '.view', t, vectors ->> t);
        EXECUTE format('REVOKE ALL ON FUNCTION %I(text, bigint, bigint, bigint, int) FROM PUBLIC', 'crm_search_' || t);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I(text, bigint, bigint, bigint, int) TO crm_app', 'crm_search_' || t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- The words of every record's name, for "did you mean": when nothing matches what was typed, each
-- word that is in no name is replaced by the closest one that is. Kept by statement triggers (a
-- bulk load adds its words in one pass); words of deleted records stay, harmlessly: a correction
-- is only shown with the results it finds. Not readable by crm_app.
CREATE TABLE search_words (word text PRIMARY KEY);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);

-- +goose StatementBegin
CREATE FUNCTION crm_name_words(name text) RETURNS SETOF text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT w FROM unnest(tsvector_to_array(to_tsvector('simple', name))) w WHERE length(w) BETWEEN 3 AND 40 AND w !~ '^[0-9]+$'
$$;

CREATE FUNCTION keep_search_words() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    -- TG_ARGV[0] is the table's name expression, written by the migration.
    EXECUTE format('INSERT INTO search_words (word) SELECT DISTINCT w FROM added r, crm_name_words(%s) w ON CONFLICT DO NOTHING', TG_ARGV[0]);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    t text;
    names CONSTANT jsonb := '{"leads": "r.first_name || '' '' || r.last_name || '' '' || r.company",
        "contacts": "r.first_name || '' '' || r.last_name", "accounts": "r.name", "opportunities": "r.name"}';
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION keep_search_words(%L)', t || '_words_new', t, names ->> t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION keep_search_words(%L)', t || '_words_changed', t, names ->> t);
    END LOOP;
END
$$;
-- +goose StatementEnd

INSERT INTO search_words (word)
SELECT w FROM leads r, crm_name_words(r.first_name || ' ' || r.last_name || ' ' || r.company) w
UNION SELECT w FROM contacts r, crm_name_words(r.first_name || ' ' || r.last_name) w
UNION SELECT w FROM accounts r, crm_name_words(r.name) w
UNION SELECT w FROM opportunities r, crm_name_words(r.name) w;

-- crm_correct_words(q): q with each word that is in no record's name replaced by the most
-- similar one that is (trigram similarity of at least 0.4: a letter or two off), or NULL when
-- nothing would change.
-- +goose StatementBegin
CREATE FUNCTION crm_correct_words(q text) RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp SET pg_trgm.similarity_threshold = 0.4 AS $$
    SELECT nullif(string_agg(coalesce(
        (SELECT s.word FROM search_words s WHERE s.word = t.w),
        (SELECT s.word FROM search_words s WHERE s.word % t.w ORDER BY similarity(s.word, t.w) DESC, s.word LIMIT 1),
        t.w), ' ' ORDER BY t.n), string_agg(t.w, ' ' ORDER BY t.n))
    FROM regexp_split_to_table(lower(left(q, 100)), '[^[:alnum:]]+') WITH ORDINALITY AS t(w, n)
    WHERE t.w <> ''
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION crm_correct_words(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_correct_words(text) TO crm_app;

ANALYZE activities;

-- +goose Down
DROP FUNCTION crm_correct_words(text);
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_words_new', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_words_changed', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION keep_search_words(), crm_name_words(text);
DROP TABLE search_words;
DROP FUNCTION crm_search_activities(text, bigint, bigint, bigint, int);
DROP INDEX activities_search_idx, activities_owner_newest_idx, activities_team_newest_idx;
-- The other search functions keep the rare-word path; 00005's version differs only in speed.
