-- Bulk actions on a list: one change to many records in one statement, as the user.

-- +goose Up
-- crm_bulk(entity, action, ids, val, reason): applies one change to the records of ids and returns
-- how many changed. It runs as the caller, so row-level security decides which of them the user
-- may change; the rest are left as they are (and counted as skipped by the page).
--   owner   val: the new owner's id
--   status  leads only; val: a status other than converted, which only conversion sets
--   stage   opportunities only; val: the stage id, reason: why, for a lost stage (00007's rule)
--   tag     val: "key=choice", added to a several-choices custom field
--   delete  accounts only while they hold no contacts or deals
-- +goose StatementBegin
CREATE FUNCTION crm_bulk(entity perm_entity, action text, ids bigint[], val text, reason text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    n bigint;
    k text := split_part(val, '=', 1);
    v text := substr(val, length(split_part(val, '=', 1)) + 2);
BEGIN
    IF entity NOT IN ('leads', 'accounts', 'contacts', 'opportunities') THEN
        RAISE EXCEPTION 'no bulk actions on %', entity USING ERRCODE = 'invalid_parameter_value';
    END IF;
    CASE
    WHEN action = 'owner' THEN
        EXECUTE format('UPDATE %I SET owner_id = $2 WHERE id = ANY($1) AND owner_id <> $2', entity) USING ids, val::bigint;
    WHEN action = 'status' AND entity = 'leads' AND val <> 'converted' THEN
        UPDATE leads SET status = val::lead_status WHERE id = ANY(ids) AND status NOT IN ('converted', val::lead_status);
    WHEN action = 'stage' AND entity = 'opportunities' THEN
        UPDATE opportunities SET stage_id = val::bigint, lost_reason = coalesce(reason, ''), position = NULL
        WHERE id = ANY(ids) AND stage_id <> val::bigint;
    WHEN action = 'tag' THEN
        EXECUTE format($q$UPDATE %I SET custom = jsonb_set(custom, ARRAY[$2],
                (SELECT jsonb_agg(DISTINCT x ORDER BY x) FROM jsonb_array_elements_text(
                    CASE jsonb_typeof(custom -> $2) WHEN 'array' THEN custom -> $2 ELSE '[]' END || to_jsonb($3)) x))
            WHERE id = ANY($1) AND NOT coalesce(jsonb_typeof(custom -> $2) = 'array' AND custom -> $2 ? $3, false)$q$, entity) USING ids, k, v;
    WHEN action = 'delete' AND entity = 'accounts' THEN
        DELETE FROM accounts a WHERE a.id = ANY(ids)
          AND NOT EXISTS (SELECT FROM contacts c WHERE c.account_id = a.id)
          AND NOT EXISTS (SELECT FROM opportunities o WHERE o.account_id = a.id);
    WHEN action = 'delete' THEN
        EXECUTE format('DELETE FROM %I WHERE id = ANY($1)', entity) USING ids;
    ELSE
        RAISE EXCEPTION 'no bulk action % on %', action, entity USING ERRCODE = 'invalid_parameter_value';
    END CASE;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION crm_bulk(perm_entity, text, bigint[], text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_bulk(perm_entity, text, bigint[], text, text) TO crm_app;

-- +goose Down
DROP FUNCTION crm_bulk(perm_entity, text, bigint[], text, text);
