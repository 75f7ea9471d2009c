-- Search that cuts inside the database. Words are matched by prefix on weighted full-text
-- vectors that now hold the parts of emails and domains and the digits of phone numbers; the
-- search functions return the newest matches a page at a time instead of every match.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS btree_gin;

-- What a user typed as a query of word prefixes: "ada lov" finds "Ada Lovelace".
CREATE FUNCTION crm_prefix_query(q text) RETURNS tsquery LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT to_tsquery('simple', coalesce(string_agg(quote_literal(w) || ':*', ' & '), ''))
    FROM regexp_split_to_table(lower(q), '[^[:alnum:]]+') w
    WHERE w <> ''
$$;

-- The words of an email, domain or phone number: each part, and (phones) the digits run together.
CREATE FUNCTION crm_parts(s text) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp
AS $$ SELECT coalesce(s, '') || ' ' || regexp_replace(coalesce(s, ''), '[^[:alnum:]]+', ' ', 'g') $$;

CREATE FUNCTION crm_digits(s text) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp
AS $$ SELECT crm_parts(s) || ' ' || regexp_replace(coalesce(s, ''), '\D', '', 'g') $$;

DROP FUNCTION crm_search_leads(text), crm_search_accounts(text), crm_search_contacts(text), crm_search_opportunities(text);

-- The lower-cased text and trigram indexes the old substring search read: nothing reads them now.
ALTER TABLE leads DROP COLUMN search_text;
ALTER TABLE accounts DROP COLUMN search_text;
ALTER TABLE contacts DROP COLUMN search_text;
ALTER TABLE opportunities DROP COLUMN search_text;

-- Names weigh most (A), then how to reach them (B), then the rest (C). Each scope's GIN index
-- holds the owner and team too, so a rep's search reads only the team's matches.
ALTER TABLE contacts DROP COLUMN search;
ALTER TABLE contacts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', first_name || ' ' || last_name), 'A') ||
    setweight(to_tsvector('simple', crm_parts(email::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', title), 'C')) STORED;
CREATE INDEX contacts_search_idx ON contacts USING gin (owner_id, team_id, search);

ALTER TABLE leads DROP COLUMN search;
ALTER TABLE leads ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', first_name || ' ' || last_name || ' ' || company), 'A') ||
    setweight(to_tsvector('simple', crm_parts(email::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', title || ' ' || source), 'C')) STORED;
CREATE INDEX leads_search_idx ON leads USING gin (owner_id, team_id, search);

ALTER TABLE accounts DROP COLUMN search;
ALTER TABLE accounts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', name), 'A') ||
    setweight(to_tsvector('simple', crm_parts(domain::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', industry || ' ' || city || ' ' || country), 'C')) STORED;
CREATE INDEX accounts_search_idx ON accounts USING gin (owner_id, team_id, search);

ALTER TABLE opportunities DROP COLUMN search;
ALTER TABLE opportunities ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', name), 'A')) STORED;
CREATE INDEX opportunities_search_idx ON opportunities USING gin (owner_id, team_id, search);

-- A record's team is its owner's: without knowing that, the planner multiplies the two filters'
-- selectivities, thinks "owner = me" in a team scope finds a handful of rows, and reads them from
-- the GIN index above and sorts them, instead of walking the owner's index in list order.
CREATE STATISTICS leads_owner_team (dependencies) ON owner_id, team_id FROM leads;
CREATE STATISTICS accounts_owner_team (dependencies) ON owner_id, team_id FROM accounts;
CREATE STATISTICS contacts_owner_team (dependencies) ON owner_id, team_id FROM contacts;
CREATE STATISTICS opportunities_owner_team (dependencies) ON owner_id, team_id FROM opportunities;
CREATE STATISTICS activities_owner_team (dependencies) ON owner_id, team_id FROM activities;
ANALYZE leads, accounts, contacts, opportunities, activities;

-- Each record type's newest records by owner and by team, which searches read first.
CREATE INDEX leads_owner_newest_idx ON leads (owner_id, id);
CREATE INDEX leads_team_newest_idx ON leads (team_id, id);
CREATE INDEX accounts_owner_newest_idx ON accounts (owner_id, id);
CREATE INDEX accounts_team_newest_idx ON accounts (team_id, id);
CREATE INDEX contacts_owner_newest_idx ON contacts (owner_id, id);
CREATE INDEX contacts_team_newest_idx ON contacts (team_id, id);
CREATE INDEX opportunities_owner_newest_idx ON opportunities (owner_id, id);
CREATE INDEX opportunities_team_newest_idx ON opportunities (team_id, id);

-- crm_search_<table>(q, owner, team, after_id, lim): the ids of the newest records that match q,
-- that the user may see and (when given) that one owner or team holds: newest first, after
-- after_id (a page at a time), at most lim of them (NULL: all). The newest thousand records in
-- view are read first, where a common word is found at once; the rest come from the GIN index,
-- which holds the owner and team too, so a rarer word is found without reading the table. They
-- run as the owner because full-text matching is not leakproof: under row-level security no
-- index would serve it; they apply the view scope of the policies themselves. ROWS 50 (a page)
-- tells the planner to look the ids up, not to walk a table testing each row.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities'] LOOP
        EXECUTE format($f$
CREATE FUNCTION %1$I(q text, owner bigint, team bigint, after_id bigint, lim int) RETURNS SETOF bigint
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
        SELECT r.id, r.search FROM %3$I r
        WHERE (scope = 'all' OR r.owner_id = mine OR r.team_id = ours)
          AND (owner IS NULL OR r.owner_id = owner) AND (team IS NULL OR r.team_id = team)
          AND (after_id IS NULL OR r.id < after_id)
        ORDER BY r.id DESC LIMIT 1000)
    SELECT (SELECT min(w.id) FROM walk w), ARRAY(SELECT w.id FROM walk w WHERE w.search @@ query ORDER BY w.id DESC LIMIT lim)
    INTO walked, found;
    RETURN QUERY SELECT unnest(found);
    IF cardinality(found) >= lim OR walked IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT r.id FROM %3$I r
    WHERE r.search @@ query AND r.id < walked
      AND (scope = 'all' OR r.owner_id = mine OR r.team_id = ours)
      AND (owner IS NULL OR r.owner_id = owner) AND (team IS NULL OR r.team_id = team)
    ORDER BY r.id DESC LIMIT lim - cardinality(found);
END
$body$
$f$, 'crm_search_' || t, t || '.view', t);
        EXECUTE format('REVOKE ALL ON FUNCTION %I(text, bigint, bigint, bigint, int) FROM PUBLIC', 'crm_search_' || t);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I(text, bigint, bigint, bigint, int) TO crm_app', 'crm_search_' || t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP STATISTICS leads_owner_team, accounts_owner_team, contacts_owner_team, opportunities_owner_team, activities_owner_team;
ALTER TABLE leads ADD COLUMN search_text text GENERATED ALWAYS AS (lower(first_name || ' ' || last_name || ' ' || company || ' ' || coalesce(email::text, ''))) STORED;
ALTER TABLE accounts ADD COLUMN search_text text GENERATED ALWAYS AS (lower(name || ' ' || coalesce(domain::text, ''))) STORED;
ALTER TABLE contacts ADD COLUMN search_text text GENERATED ALWAYS AS (lower(first_name || ' ' || last_name || ' ' || coalesce(email::text, ''))) STORED;
ALTER TABLE opportunities ADD COLUMN search_text text GENERATED ALWAYS AS (lower(name)) STORED;
CREATE INDEX leads_search_text_idx ON leads USING gin (search_text gin_trgm_ops);
CREATE INDEX accounts_search_text_idx ON accounts USING gin (search_text gin_trgm_ops);
CREATE INDEX contacts_search_text_idx ON contacts USING gin (search_text gin_trgm_ops);
CREATE INDEX opportunities_search_text_idx ON opportunities USING gin (search_text gin_trgm_ops);
DROP FUNCTION crm_search_leads(text, bigint, bigint, bigint, int), crm_search_accounts(text, bigint, bigint, bigint, int),
    crm_search_contacts(text, bigint, bigint, bigint, int), crm_search_opportunities(text, bigint, bigint, bigint, int);
DROP INDEX leads_owner_newest_idx, leads_team_newest_idx, accounts_owner_newest_idx, accounts_team_newest_idx,
    contacts_owner_newest_idx, contacts_team_newest_idx, opportunities_owner_newest_idx, opportunities_team_newest_idx;
ALTER TABLE contacts DROP COLUMN search;
ALTER TABLE contacts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', first_name || ' ' || last_name || ' ' || coalesce(email::text, '') || ' ' || title)) STORED;
CREATE INDEX contacts_search_idx ON contacts USING gin (search);
ALTER TABLE leads DROP COLUMN search;
ALTER TABLE leads ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', first_name || ' ' || last_name || ' ' || company || ' ' || coalesce(email::text, ''))) STORED;
CREATE INDEX leads_search_idx ON leads USING gin (search);
ALTER TABLE accounts DROP COLUMN search;
ALTER TABLE accounts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', name || ' ' || coalesce(domain::text, '') || ' ' || industry || ' ' || city)) STORED;
CREATE INDEX accounts_search_idx ON accounts USING gin (search);
ALTER TABLE opportunities DROP COLUMN search;
ALTER TABLE opportunities ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED;
CREATE INDEX opportunities_search_idx ON opportunities USING gin (search);
DROP FUNCTION crm_prefix_query(text), crm_parts(text), crm_digits(text);
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities'] LOOP
        EXECUTE format($f$CREATE FUNCTION %1$I(pattern text) RETURNS SETOF bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $body$
    SELECT id FROM %2$I
    WHERE search_text LIKE '%%' || pattern || '%%'
      AND ((SELECT crm_scope(%2$L, 'view')) = 'all'
           OR owner_id = (SELECT crm_scope_user(%2$L, 'view'))
           OR team_id = (SELECT crm_scope_team(%2$L, 'view')))
$body$
$f$, 'crm_search_' || t, t);
        EXECUTE format('REVOKE ALL ON FUNCTION %I(text) FROM PUBLIC', 'crm_search_' || t);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %I(text) TO crm_app', 'crm_search_' || t);
    END LOOP;
END
$$;
-- +goose StatementEnd
