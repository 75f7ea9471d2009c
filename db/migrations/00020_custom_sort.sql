-- +goose Up
-- Lists sort by a custom field shown in lists. These are the expressions crm_custom_expr writes
-- into each field's index, as SQL functions the planner inlines: with the key a constant (lists
-- are planned with their values) the ORDER BY is the indexed expression itself. Plain IMMUTABLE
-- SQL without SET or SECURITY DEFINER, or they would not be inlined.
CREATE FUNCTION crm_cf_text(custom jsonb, k text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT custom ->> k
$$;

CREATE FUNCTION crm_cf_num(custom jsonb, k text) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(custom -> k) = 'number' THEN (custom ->> k)::numeric END
$$;

-- crm_custom_index_columns(k, numeric): a listed field's index columns: its expression, then the
-- id, so the index gives a list's whole order (value, then id) both ways. On the expression
-- alone, a field with few distinct values was sorted in full: the planner would not trust an
-- incremental sort over large groups of equal values.
CREATE FUNCTION crm_custom_index_columns(k text, num boolean) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT crm_custom_expr(k, num) || ', id'
$$;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION crm_custom_index(entity perm_entity, k text, num boolean, wanted boolean) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    name text := entity || '_cf_' || k || '_idx';
BEGIN
    IF (SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') IS DISTINCT FROM 'all' THEN
        RAISE EXCEPTION 'only admins index custom fields' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF entity NOT IN ('leads', 'accounts', 'contacts', 'opportunities') OR k !~ '^[a-z][a-z0-9_]{0,39}$' THEN
        RAISE EXCEPTION 'no such custom field' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('DROP INDEX IF EXISTS %I', name);
    IF wanted THEN
        EXECUTE format('CREATE INDEX %I ON %I (%s)', name, entity, crm_custom_index_columns(k, num));
        EXECUTE format('ANALYZE %I', entity);
    END IF;
END
$$;
-- +goose StatementEnd

-- The fields already shown in lists get the new shape.
-- +goose StatementBegin
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT entity, key, type IN ('number', 'money') AS num FROM custom_fields WHERE in_list AND archived_at IS NULL LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', f.entity || '_cf_' || f.key || '_idx');
        EXECUTE format('CREATE INDEX %I ON %I (%s)', f.entity || '_cf_' || f.key || '_idx', f.entity, crm_custom_index_columns(f.key, f.num));
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION crm_custom_index(entity perm_entity, k text, num boolean, wanted boolean) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    name text := entity || '_cf_' || k || '_idx';
BEGIN
    IF (SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') IS DISTINCT FROM 'all' THEN
        RAISE EXCEPTION 'only admins index custom fields' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF entity NOT IN ('leads', 'accounts', 'contacts', 'opportunities') OR k !~ '^[a-z][a-z0-9_]{0,39}$' THEN
        RAISE EXCEPTION 'no such custom field' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    EXECUTE format('DROP INDEX IF EXISTS %I', name);
    IF wanted THEN
        EXECUTE format('CREATE INDEX %I ON %I (%s)', name, entity, crm_custom_expr(k, num));
        EXECUTE format('ANALYZE %I', entity);
    END IF;
END
$$;
-- +goose StatementEnd
DROP FUNCTION crm_custom_index_columns(text, boolean), crm_cf_text(jsonb, text), crm_cf_num(jsonb, text);
