-- Merging two leads, contacts or accounts into one: what points at the one that goes moves to
-- the one that stays, the chosen values are taken from it, and the merge is written to history.

-- +goose Up
-- crm_may(entity, action, owner, team): whether the user's scope for action on entity lets a
-- record with this owner and team through (the policies' rule, for owner's-rights functions).
-- +goose StatementBegin
CREATE FUNCTION crm_may(entity text, action text, owner bigint, team bigint) RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE nullif(current_setting('crm.scopes', true), '')::jsonb ->> (entity || '.' || action)
        WHEN 'all' THEN true
        WHEN 'team' THEN coalesce(team = nullif(current_setting('crm.team_id', true), '')::bigint,
                                  owner = nullif(current_setting('crm.user_id', true), '')::bigint)
        WHEN 'own' THEN owner = nullif(current_setting('crm.user_id', true), '')::bigint
        ELSE false
    END
$$;

-- crm_merge(entity, keep, keep_version, gone, gone_version, columns, custom_keys): merges record
-- gone into record keep, as one change: everything that points at gone (activities, contacts and
-- deals of an account, deals of a contact, what a lead became, history) moves to keep, gone is
-- deleted, then keep takes gone's values of the listed columns and custom fields. Refused unless
-- the user may edit keep and delete gone, or if either changed since the versions the user saw
-- (SQLSTATE 40001). It runs as the owner so that moving other people's activities cannot be
-- half done by row-level security; the checks above are the policies' own.
CREATE FUNCTION crm_merge(entity perm_entity, keep bigint, keep_version int, gone bigint, gone_version int,
                          columns text[], custom_keys text[]) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    allowed CONSTANT jsonb := '{
        "leads": ["first_name", "last_name", "company", "title", "email", "phone", "source", "status", "owner_id"],
        "contacts": ["first_name", "last_name", "email", "phone", "title", "account_id", "owner_id"],
        "accounts": ["name", "domain", "industry", "employees", "annual_revenue", "phone", "street", "city", "region",
                     "postal_code", "country", "owner_id"]}';
    k jsonb;
    g jsonb;
    col text;
    name text;
BEGIN
    IF NOT allowed ? entity::text OR keep = gone THEN
        RAISE EXCEPTION 'cannot merge these' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('SELECT to_jsonb(r) FROM %I r WHERE id = $1 FOR UPDATE', entity) INTO k USING keep;
    EXECUTE format('SELECT to_jsonb(r) FROM %I r WHERE id = $1 FOR UPDATE', entity) INTO g USING gone;
    IF k IS NULL OR g IS NULL OR NOT crm_may(entity::text, 'view', (k ->> 'owner_id')::bigint, (k ->> 'team_id')::bigint)
       OR NOT crm_may(entity::text, 'view', (g ->> 'owner_id')::bigint, (g ->> 'team_id')::bigint) THEN
        RAISE EXCEPTION 'no such record' USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT crm_may(entity::text, 'edit', (k ->> 'owner_id')::bigint, (k ->> 'team_id')::bigint)
       OR NOT crm_may(entity::text, 'delete', (g ->> 'owner_id')::bigint, (g ->> 'team_id')::bigint) THEN
        RAISE EXCEPTION 'not allowed to merge these' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (k ->> 'version')::int <> keep_version OR (g ->> 'version')::int <> gone_version THEN
        RAISE EXCEPTION 'changed since' USING ERRCODE = 'serialization_failure';
    END IF;
    IF entity = 'leads' AND 'converted' IN (k ->> 'status', g ->> 'status') THEN
        RAISE EXCEPTION 'a converted lead is not merged' USING ERRCODE = 'check_violation';
    END IF;

    -- What points at gone now points at keep.
    EXECUTE format('UPDATE activities SET %I = $1 WHERE %I = $2', left(entity::text, -1) || '_id', left(entity::text, -1) || '_id')
    USING keep, gone;
    IF entity = 'accounts' THEN
        UPDATE contacts SET account_id = keep WHERE account_id = gone;
        UPDATE opportunities SET account_id = keep WHERE account_id = gone;
        UPDATE leads SET converted_account_id = keep WHERE converted_account_id = gone;
    ELSIF entity = 'contacts' THEN
        UPDATE opportunities SET contact_id = keep WHERE contact_id = gone;
        UPDATE leads SET converted_contact_id = keep WHERE converted_contact_id = gone;
    END IF;
    UPDATE record_history SET record_id = keep WHERE record_history.entity = crm_merge.entity AND record_id = gone;
    EXECUTE format('DELETE FROM %I WHERE id = $1', entity) USING gone;

    -- Then keep takes the values chosen from gone.
    FOREACH col IN ARRAY coalesce(columns, '{}') LOOP
        IF NOT allowed -> entity::text ? col THEN
            RAISE EXCEPTION 'no column % to merge', col USING ERRCODE = 'invalid_parameter_value';
        END IF;
        EXECUTE format('UPDATE %1$I SET %2$I = (jsonb_populate_record(NULL::%1$I, $2)).%2$I WHERE id = $1', entity, col) USING keep, g;
    END LOOP;
    IF cardinality(custom_keys) > 0 THEN
        EXECUTE format('UPDATE %I SET custom = (custom - $2::text[]) || jsonb_strip_nulls((SELECT jsonb_object_agg(x, $3 -> x) FROM unnest($2::text[]) x)) WHERE id = $1', entity)
        USING keep, custom_keys, g -> 'custom';
    END IF;
    name := CASE entity WHEN 'accounts' THEN g ->> 'name'
                        ELSE btrim(concat_ws(' ', g ->> 'first_name', g ->> 'last_name', nullif(g ->> 'company', ''))) END;
    EXECUTE format('INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
        SELECT $1, id, crm_user_id(), version, ''merged'', $3, NULL FROM %I WHERE id = $2', entity)
    USING entity, keep, name || ' (#' || gone || ')';
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION crm_merge(perm_entity, bigint, int, bigint, int, text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_merge(perm_entity, bigint, int, bigint, int, text[], text[]) TO crm_app;

-- +goose Down
DROP FUNCTION crm_merge(perm_entity, bigint, int, bigint, int, text[], text[]), crm_may(text, text, bigint, bigint);
