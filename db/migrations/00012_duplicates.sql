-- Likely duplicates, found before a lead, contact or account is saved: the same email (a lead
-- and a contact are the same person), or a very similar name, among the records the user may
-- see. A contact's email and an account's domain are unique: the database refuses a second one
-- ("already in use"), so they need no warning a user could save past.

-- +goose Up
CREATE INDEX leads_email_idx ON leads (email) WHERE email IS NOT NULL;

-- crm_sees(entity, owner, team): whether the user's view scope of entity lets a record with this
-- owner and team through; the policies' rule, for functions that run as the owner.
-- +goose StatementBegin
CREATE FUNCTION crm_sees(entity text, owner bigint, team bigint) RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE nullif(current_setting('crm.scopes', true), '')::jsonb ->> (entity || '.view')
        WHEN 'all' THEN true
        WHEN 'team' THEN coalesce(team = nullif(current_setting('crm.team_id', true), '')::bigint,
                                  owner = nullif(current_setting('crm.user_id', true), '')::bigint)
        WHEN 'own' THEN owner = nullif(current_setting('crm.user_id', true), '')::bigint
        ELSE false
    END
$$;

-- crm_duplicates(entity, e, nm, ex): records the user may see that are likely the record of
-- type entity being saved (ex: its id when it exists, so it is not its own duplicate), each with
-- why: "email" (a lead with email e, or for a lead a contact with it) or "name" (a record of the
-- same type whose name has every word of nm and is at least 60% like it).
CREATE FUNCTION crm_duplicates(entity perm_entity, e text, nm text, ex bigint)
RETURNS TABLE (kind text, id bigint, reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT 'leads', l.id, 'email' FROM leads l
    WHERE entity IN ('leads', 'contacts') AND e <> '' AND l.email = e::citext
      AND NOT (entity = 'leads' AND l.id = ex) AND crm_sees('leads', l.owner_id, l.team_id)
    UNION ALL
    SELECT 'contacts', c.id, 'email' FROM contacts c
    WHERE entity = 'leads' AND e <> '' AND c.email = e::citext AND crm_sees('contacts', c.owner_id, c.team_id)
    UNION ALL
    SELECT 'leads', l.id, 'name' FROM leads l
    WHERE entity = 'leads' AND l.id = ANY(ARRAY(SELECT crm_search_leads(nm, NULL, NULL, NULL, 20)))
      AND l.id IS DISTINCT FROM ex AND similarity(lower(btrim(l.first_name || ' ' || l.last_name || ' ' || l.company)), lower(nm)) >= 0.6
    UNION ALL
    SELECT 'contacts', c.id, 'name' FROM contacts c
    WHERE entity = 'contacts' AND c.id = ANY(ARRAY(SELECT crm_search_contacts(nm, NULL, NULL, NULL, 20)))
      AND c.id IS DISTINCT FROM ex AND similarity(lower(btrim(c.first_name || ' ' || c.last_name)), lower(nm)) >= 0.6
    UNION ALL
    SELECT 'accounts', a.id, 'name' FROM accounts a
    WHERE entity = 'accounts' AND a.id = ANY(ARRAY(SELECT crm_search_accounts(nm, NULL, NULL, NULL, 20)))
      AND a.id IS DISTINCT FROM ex AND similarity(lower(a.name), lower(nm)) >= 0.6
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION crm_duplicates(perm_entity, text, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_duplicates(perm_entity, text, text, bigint) TO crm_app;

-- +goose Down
DROP FUNCTION crm_duplicates(perm_entity, text, text, bigint), crm_sees(text, bigint, bigint);
DROP INDEX leads_email_idx;
