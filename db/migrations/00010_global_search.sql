-- Global search: activity subjects join the full-text search, and names that almost match (a
-- typo) are found by trigram similarity when no word matches.

-- +goose Up
-- An expression index rather than a stored column, so the biggest table is not rewritten.
CREATE INDEX activities_search_idx ON activities USING gin (owner_id, team_id, to_tsvector('simple', subject));
CREATE INDEX activities_owner_newest_idx ON activities (owner_id, id);
CREATE INDEX activities_team_newest_idx ON activities (team_id, id);

-- crm_search_activities(q, owner, team, after_id, lim): as crm_search_<table> in 00005, over
-- activity subjects.
-- +goose StatementBegin
CREATE FUNCTION crm_search_activities(q text, owner bigint, team bigint, after_id bigint, lim int) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 50 SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    query tsquery := crm_prefix_query(q);
    scope text := nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'activities.view';
    mine bigint := CASE WHEN scope = 'own' THEN nullif(current_setting('crm.user_id', true), '')::bigint END;
    ours bigint := CASE WHEN scope = 'team' THEN nullif(current_setting('crm.team_id', true), '')::bigint END;
    walked bigint;
    found bigint[];
BEGIN
    IF query IS NULL OR query = ''::tsquery OR lim < 1 OR scope IS NULL OR scope NOT IN ('all', 'own', 'team') THEN
        RETURN;
    END IF;
    IF scope = 'team' AND ours IS NULL THEN
        mine := nullif(current_setting('crm.user_id', true), '')::bigint;
    END IF;
    WITH walk AS MATERIALIZED (
        SELECT r.id, r.subject FROM activities r
        WHERE (scope = 'all' OR r.owner_id = mine OR r.team_id = ours)
          AND (owner IS NULL OR r.owner_id = owner) AND (team IS NULL OR r.team_id = team)
          AND (after_id IS NULL OR r.id < after_id)
        ORDER BY r.id DESC LIMIT 1000)
    SELECT (SELECT min(w.id) FROM walk w),
           ARRAY(SELECT w.id FROM walk w WHERE to_tsvector('simple', w.subject) @@ query ORDER BY w.id DESC LIMIT lim)
    INTO walked, found;
    RETURN QUERY SELECT unnest(found);
    IF cardinality(found) >= lim OR walked IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT r.id FROM activities r
    WHERE to_tsvector('simple', r.subject) @@ query AND r.id < walked
      AND (scope = 'all' OR r.owner_id = mine OR r.team_id = ours)
      AND (owner IS NULL OR r.owner_id = owner) AND (team IS NULL OR r.team_id = team)
    ORDER BY r.id DESC LIMIT lim - cardinality(found);
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION crm_search_activities(text, bigint, bigint, bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_search_activities(text, bigint, bigint, bigint, int) TO crm_app;

-- Each record type's name, as typed, for "did you mean": a trigram index beside the owner and
-- team, so a rep's lookup reads only the team's near matches.
CREATE INDEX leads_similar_idx ON leads USING gin (owner_id, team_id, (first_name || ' ' || last_name || ' ' || company) gin_trgm_ops);
CREATE INDEX accounts_similar_idx ON accounts USING gin (owner_id, team_id, name gin_trgm_ops);
CREATE INDEX contacts_similar_idx ON contacts USING gin (owner_id, team_id, (first_name || ' ' || last_name) gin_trgm_ops);
CREATE INDEX opportunities_similar_idx ON opportunities USING gin (owner_id, team_id, name gin_trgm_ops);

-- crm_similar_<table>(q, lim): the ids of at most lim records the user may see whose name holds
-- a word like q (trigram word similarity of at least 0.4, so one or two typed letters off),
-- closest first. Owner's rights for the same reason as the search functions: the similarity
-- operator is not leakproof.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
    names CONSTANT jsonb := '{"leads": "first_name || '' '' || last_name || '' '' || company", "accounts": "name",
                              "contacts": "first_name || '' '' || last_name", "opportunities": "name"}';
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities'] LOOP
        EXECUTE format($f$
CREATE FUNCTION %1$I(q text, lim int) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 10
SET search_path = pg_catalog, public, pg_temp SET pg_trgm.word_similarity_threshold = 0.4 AS $body$
DECLARE
    scope text := nullif(current_setting('crm.scopes', true), '')::jsonb ->> %2$L;
    mine bigint := CASE WHEN scope IN ('own', 'team') THEN nullif(current_setting('crm.user_id', true), '')::bigint END;
    ours bigint := CASE WHEN scope = 'team' THEN nullif(current_setting('crm.team_id', true), '')::bigint END;
BEGIN
    IF length(btrim(q)) < 3 OR lim < 1 OR scope IS NULL OR scope NOT IN ('all', 'own', 'team') THEN
        RETURN;
    END IF;
    IF scope = 'all' THEN
        RETURN QUERY SELECT r.id FROM %3$I r WHERE q <%% (%4$s)
        ORDER BY word_similarity(q, %4$s) DESC, r.id DESC LIMIT lim;
    ELSIF ours IS NOT NULL THEN
        RETURN QUERY SELECT r.id FROM %3$I r WHERE r.team_id = ours AND q <%% (%4$s)
        ORDER BY word_similarity(q, %4$s) DESC, r.id DESC LIMIT lim;
    ELSE
        RETURN QUERY SELECT r.id FROM %3$I r WHERE r.owner_id = mine AND q <%% (%4$s)
        ORDER BY word_similarity(q, %4$s) DESC, r.id DESC LIMIT lim;
    END IF;
END
$body$
$f$, 'crm_similar_' || t, t || '.view', t, names ->> t);
        EXECUTE format('REVOKE ALL ON FUNCTION %I(text, int) FROM PUBLIC', 'crm_similar_' || t);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I(text, int) TO crm_app', 'crm_similar_' || t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION crm_similar_leads(text, int), crm_similar_accounts(text, int), crm_similar_contacts(text, int),
    crm_similar_opportunities(text, int), crm_search_activities(text, bigint, bigint, bigint, int);
DROP INDEX leads_similar_idx, accounts_similar_idx, contacts_similar_idx, opportunities_similar_idx,
    activities_search_idx, activities_owner_newest_idx, activities_team_newest_idx;
