-- The global search ranks inside the database, plans once per connection and reads only what it
-- needs: crm_find_<table>(q, candidates, top) returns the best matches of one record type,
-- best first, for the header box and /search. (The lists keep crm_search_<table>, which
-- pages in list order.)
--
-- Measured at 1M contacts before this: a rep's search took 31 ms of SQL alone, an admin's 12 ms.
-- The rep's functions walked the primary key and threw away 50 rows for each row of their own
-- (random_page_cost 4 prices a heap page read at four sequential ones, but every page here is in
-- memory); each of the 5 functions planned its statements again on every call (custom plans),
-- the query around them took 1.4 ms to plan, the probe read 1,000 rows of each type (computing
-- each activity subject's words again), and each call sent a NOTICE for an empty tsquery literal.

-- +goose Up
-- Activity subjects get a stored search vector like the other record types: the probe below
-- reads it for each of the newest activities in view, where computing it took as long as reading
-- the row. Rewrites the table: about a minute for 5 million activities. (The indexes rebuilt
-- below are dropped first, so the rewrite does not build them twice.)
DROP INDEX activities_search_idx, activities_owner_newest_idx, activities_team_newest_idx;
ALTER TABLE activities ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', subject)) STORED;
CREATE INDEX activities_search_idx ON activities USING gin (owner_id, team_id, search);

-- The newest records of an owner or a team carry their search vector, so a rep's or a team's
-- probe reads a few index pages instead of one heap page per record (their records are spread
-- over the whole table): 0.33 ms for a rep's 300 newest deals before, 0.13 ms after. The cost is
-- space: at 1M contacts these ten indexes grow from 430 MB to 1.6 GB. (A probe of everything
-- walks the primary key over pages that hold few other rows, and stays as it was.)
--
-- The search GIN indexes take new entries directly instead of into a pending list: every search
-- reads the whole pending list, and moving deals on the board (a new row version each) kept a
-- few hundred entries there at the bench's load, a fifth of an absent word's search of deals;
-- left alone it grows to 4 MB. Writes hardly notice: 2,000 deals' close dates changed in 765 ms
-- with it, 758 ms without (the row's triggers and other indexes cost the rest).
-- +goose StatementBegin
DO $$
DECLARE
    t text;
    s text;
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        FOREACH s IN ARRAY ARRAY['owner', 'team'] LOOP
            EXECUTE format('DROP INDEX IF EXISTS %I', t || '_' || s || '_newest_idx');
            EXECUTE format('CREATE INDEX %I ON %I (%I, id) INCLUDE (search)', t || '_' || s || '_newest_idx', t, s || '_id');
        END LOOP;
        EXECUTE format('ALTER INDEX %I SET (fastupdate = off)', t || '_search_idx');
        PERFORM gin_clean_pending_list(format('%I', t || '_search_idx')::regclass);
    END LOOP;
END
$$;
-- +goose StatementEnd
-- Only the global search read it; crm_find_activities replaces it. (IF EXISTS because sqlc does
-- not see functions a DO block made.)
DROP FUNCTION IF EXISTS crm_search_activities(text, bigint, bigint, bigint, int);

-- How well a record's words match: a whole word above a prefix, a name (weight A) above an email.
-- Inlinable, so the query that shows the hits ranks them the same way.
CREATE FUNCTION crm_search_rank(v tsvector, prefix tsquery, words tsquery) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pg_catalog.ts_rank(v, prefix) + pg_catalog.ts_rank(v, words)
$$;

-- How each type finds its matches, a probe deciding between two ways. The newest 150 records in
-- view are read first (all of them, for a user who sees fewer). A word met there twice or more is
-- common: walking on in the same order finds the rest soon. A word not met is rare: its matches
-- are read from the GIN index and then ordered (walking for it could read a user's whole
-- history), as are a common word's older matches when the next 20,000 records hold too few (a
-- burst of new records). A word met once decides on 150 more records. (A word in 3% of the
-- records is taken for rare about once in a hundred; read from the index, a prefix that common
-- costs tens of milliseconds at 1M records.) Whichever way, the newest `candidates` matches are
-- ranked and the best `top` returned. Each step is one statement whose branches are gated by the
-- user's scope, so its plan is generic and cached for the connection: the branch for "all" walks
-- the primary key, "own" the owner index, "team" the team index. Owner's rights, because
-- full-text matching is not leakproof; the view scope of the policies is applied here as in
-- crm_search_<table>.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
    -- The records of each step: the branch of the user's scope, with the step's columns (%2$s)
    -- and the rest of its query (%3$s). The scope is written here only.
    scoped CONSTANT text := $s$((SELECT %2$s FROM %1$I r WHERE scope = 'all' AND %3$s)
            UNION ALL
            (SELECT %2$s FROM %1$I r WHERE mine IS NOT NULL AND r.owner_id = mine AND %3$s)
            UNION ALL
            (SELECT %2$s FROM %1$I r WHERE ours IS NOT NULL AND r.team_id = ours AND %3$s))$s$;
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        EXECUTE format($f$
CREATE FUNCTION %1$I(q text, candidates int, top int) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 10
SET search_path = pg_catalog, public, pg_temp
SET plan_cache_mode = force_generic_plan SET random_page_cost = 1.1 AS $body$
DECLARE
    prefix tsquery := crm_prefix_query(q);
    words tsquery := plainto_tsquery('simple', q);
    scope text := nullif(current_setting('crm.scopes', true), '')::jsonb ->> %2$L;
    mine bigint;
    ours bigint;
    walked bigint;
    seen int;
    ids bigint[];
    ranks real[];
    more_ids bigint[];
    more_ranks real[];
    lowest bigint;
    n int;
BEGIN
    IF prefix IS NULL OR numnode(prefix) = 0 OR candidates < 1 OR top < 1 OR scope IS NULL OR scope NOT IN ('all', 'own', 'team') THEN
        RETURN;
    END IF;
    IF scope = 'team' THEN
        ours := nullif(current_setting('crm.team_id', true), '')::bigint;
    END IF;
    IF scope = 'own' OR (scope = 'team' AND ours IS NULL) THEN -- a user without a team sees their own records
        mine := nullif(current_setting('crm.user_id', true), '')::bigint;
    END IF;

    walked := 9223372036854775807;
    FOR step IN 1..2 LOOP
        SELECT min(w.id), count(*), coalesce(ids, '{}') || array_agg(w.id ORDER BY w.id DESC) FILTER (WHERE w.hit),
               coalesce(ranks, '{}') || array_agg(crm_search_rank(w.search, prefix, words) ORDER BY w.id DESC) FILTER (WHERE w.hit)
        INTO walked, seen, ids, ranks
        FROM (SELECT v.id, v.search, v.search @@ prefix AS hit FROM %3$s v) w;
        n := coalesce(cardinality(ids), 0);
        EXIT WHEN seen < 150 OR n <> 1;
    END LOOP;
    IF seen = 150 AND n < candidates THEN
        more_ids := '{}';
        lowest := walked;
        IF n >= 2 THEN -- common: walk on
            SELECT coalesce(array_agg(w.id), '{}'), coalesce(array_agg(crm_search_rank(w.search, prefix, words)), '{}')
            INTO more_ids, more_ranks
            FROM (SELECT v.id, v.search FROM %4$s v
                  WHERE v.search @@ prefix
                  LIMIT candidates - n) w;
            lowest := NULL;
            IF cardinality(more_ids) < candidates - n THEN -- the walk read 20,000 records, or all there are
                SELECT v.id INTO lowest FROM %5$s v;
            END IF;
        END IF;
        IF lowest IS NOT NULL THEN -- rare, or common only among the newest: the rest from the index
            SELECT more_ids || coalesce(array_agg(w.id), '{}'), more_ranks || coalesce(array_agg(crm_search_rank(w.search, prefix, words)), '{}')
            INTO more_ids, more_ranks
            FROM (SELECT f.id, f.search FROM (SELECT * FROM %6$s u
                    OFFSET 0) f -- a fence: every match from the index first, then the newest of them
                  ORDER BY f.id DESC LIMIT candidates - n - cardinality(more_ids)) w;
        END IF;
        ids := ids || more_ids;
        ranks := ranks || more_ranks;
    END IF;
    RETURN QUERY SELECT u.id FROM unnest(ids[1:candidates], ranks[1:candidates]) u(id, rank) ORDER BY u.rank DESC, u.id DESC LIMIT top;
END
$body$
$f$, 'crm_find_' || t, t || '.view',
            format(scoped, t, 'r.id, r.search', 'r.id < walked ORDER BY r.id DESC LIMIT 150'),
            format(scoped, t, 'r.id, r.search', 'r.id < walked ORDER BY r.id DESC LIMIT 20000'),
            format(scoped, t, 'r.id', 'r.id < walked ORDER BY r.id DESC OFFSET 19999 LIMIT 1'),
            format(scoped, t, 'r.id, r.search', 'r.search @@ prefix AND r.id < lowest'));
        EXECUTE format('REVOKE ALL ON FUNCTION %I(text, int, int) FROM PUBLIC', 'crm_find_' || t);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I(text, int, int) TO crm_app', 'crm_find_' || t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION crm_find_leads(text, int, int), crm_find_accounts(text, int, int), crm_find_contacts(text, int, int),
    crm_find_opportunities(text, int, int), crm_find_activities(text, int, int);
DROP FUNCTION crm_search_rank(tsvector, tsquery, tsquery);
ALTER INDEX leads_search_idx RESET (fastupdate);
ALTER INDEX accounts_search_idx RESET (fastupdate);
ALTER INDEX contacts_search_idx RESET (fastupdate);
ALTER INDEX opportunities_search_idx RESET (fastupdate);
DROP INDEX leads_owner_newest_idx, leads_team_newest_idx, accounts_owner_newest_idx, accounts_team_newest_idx,
    contacts_owner_newest_idx, contacts_team_newest_idx, opportunities_owner_newest_idx, opportunities_team_newest_idx;
CREATE INDEX leads_owner_newest_idx ON leads (owner_id, id);
CREATE INDEX leads_team_newest_idx ON leads (team_id, id);
CREATE INDEX accounts_owner_newest_idx ON accounts (owner_id, id);
CREATE INDEX accounts_team_newest_idx ON accounts (team_id, id);
CREATE INDEX contacts_owner_newest_idx ON contacts (owner_id, id);
CREATE INDEX contacts_team_newest_idx ON contacts (team_id, id);
CREATE INDEX opportunities_owner_newest_idx ON opportunities (owner_id, id);
CREATE INDEX opportunities_team_newest_idx ON opportunities (team_id, id);
ALTER TABLE activities DROP COLUMN search; -- its indexes go with it
CREATE INDEX activities_search_idx ON activities USING gin (owner_id, team_id, to_tsvector('simple', subject));
CREATE INDEX activities_owner_newest_idx ON activities (owner_id, id);
CREATE INDEX activities_team_newest_idx ON activities (team_id, id);
-- crm_search_activities as migration 00010 wrote it.
-- +goose StatementBegin
DO $$
BEGIN
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
$f$, 'crm_search_activities', 'activities.view', 'activities', 'to_tsvector(''simple'', r.subject)');
    REVOKE ALL ON FUNCTION crm_search_activities(text, bigint, bigint, bigint, int) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION crm_search_activities(text, bigint, bigint, bigint, int) TO crm_app;
END
$$;
-- +goose StatementEnd
