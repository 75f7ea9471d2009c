-- Custom fields: admins define extra fields for each record type; records keep their values in
-- their `custom` JSONB column, keyed by the field's key, and history records them one by one.

-- +goose Up
CREATE TYPE custom_field_type AS ENUM ('text', 'long_text', 'number', 'money', 'date', 'boolean',
    'select', 'multi_select', 'url', 'email', 'phone', 'user');

CREATE TABLE custom_fields (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity      perm_entity NOT NULL CONSTRAINT custom_fields_entity_record
                CHECK (entity IN ('leads', 'accounts', 'contacts', 'opportunities')),
    -- The key names the value in `custom` and never changes; the label is free to.
    key         text NOT NULL CONSTRAINT custom_fields_key_format CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'),
    label       text NOT NULL CONSTRAINT custom_fields_label_not_blank CHECK (btrim(label) <> '' AND length(label) <= 80),
    type        custom_field_type NOT NULL,
    help        text NOT NULL DEFAULT '' CONSTRAINT custom_fields_help_length CHECK (length(help) <= 300),
    required    boolean NOT NULL DEFAULT false,
    options     text[] NOT NULL DEFAULT '{}',
    in_list     boolean NOT NULL DEFAULT false, -- a column of the record type's list
    position    integer NOT NULL DEFAULT 0,
    -- A removed field is hidden everywhere; its values stay in the records and come back with it.
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT custom_fields_key_key UNIQUE (entity, key),
    CONSTRAINT custom_fields_options_needed CHECK (type NOT IN ('select', 'multi_select') OR cardinality(options) > 0)
);
CREATE TRIGGER custom_fields_touch BEFORE UPDATE ON custom_fields FOR EACH ROW EXECUTE FUNCTION touch_row();

-- Every signed-in request reads the definitions (forms, record pages, lists); admins change them.
ALTER TABLE custom_fields ENABLE ROW LEVEL SECURITY;
CREATE POLICY custom_fields_read ON custom_fields FOR SELECT TO crm_app USING (true);
CREATE POLICY custom_fields_admin ON custom_fields FOR ALL TO crm_app
    USING ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all')
    WITH CHECK ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all');
GRANT SELECT, INSERT, UPDATE, DELETE ON custom_fields TO crm_app;

-- History writes each custom field as its own change ("custom.<key>"), not the whole document.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION record_changes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    k text;
BEGIN
    FOR k IN SELECT jsonb_object_keys(new_row) LOOP
        CONTINUE WHEN k IN ('id', 'version', 'created_at', 'updated_at', 'search', 'search_text', 'team_id', 'position', 'stage_changed_at', 'custom');
        IF old_row -> k IS DISTINCT FROM new_row -> k THEN
            INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
            VALUES (TG_TABLE_NAME::perm_entity, NEW.id, crm_user_id(), NEW.version, k, old_row ->> k, new_row ->> k);
        END IF;
    END LOOP;
    IF OLD.custom IS DISTINCT FROM NEW.custom THEN
        INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
        SELECT TG_TABLE_NAME::perm_entity, NEW.id, crm_user_id(), NEW.version, 'custom.' || f.k,
               CASE jsonb_typeof(OLD.custom -> f.k) WHEN 'array' THEN (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(OLD.custom -> f.k) x) ELSE OLD.custom ->> f.k END,
               CASE jsonb_typeof(NEW.custom -> f.k) WHEN 'array' THEN (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(NEW.custom -> f.k) x) ELSE NEW.custom ->> f.k END
        FROM (SELECT jsonb_object_keys(OLD.custom) UNION SELECT jsonb_object_keys(NEW.custom)) f(k)
        WHERE OLD.custom -> f.k IS DISTINCT FROM NEW.custom -> f.k;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- crm_custom_misfits(entity, key, type, options): how many records hold a value of the field
-- that the given type would not accept as stored, so a type change can be refused before it
-- strands data. Admins only; it reads every record of the type.
-- +goose StatementBegin
CREATE FUNCTION crm_custom_misfits(entity perm_entity, k text, typ custom_field_type, opts text[]) RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    n bigint;
    fits text := CASE typ
        WHEN 'text' THEN $c$jsonb_typeof(v) = 'string'$c$
        WHEN 'long_text' THEN $c$jsonb_typeof(v) = 'string'$c$
        WHEN 'phone' THEN $c$jsonb_typeof(v) = 'string'$c$
        WHEN 'url' THEN $c$jsonb_typeof(v) = 'string' AND v #>> '{}' ~* '^https?://[^\s/$.?#].[^\s]*$'$c$
        WHEN 'email' THEN $c$jsonb_typeof(v) = 'string' AND v #>> '{}' ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'$c$
        WHEN 'date' THEN $c$jsonb_typeof(v) = 'string' AND v #>> '{}' ~ '^\d{4}-\d{2}-\d{2}$'$c$
        WHEN 'number' THEN $c$jsonb_typeof(v) = 'number'$c$
        WHEN 'money' THEN $c$jsonb_typeof(v) = 'number'$c$
        WHEN 'boolean' THEN $c$jsonb_typeof(v) = 'boolean'$c$
        WHEN 'user' THEN $c$jsonb_typeof(v) = 'number' AND EXISTS (SELECT FROM users u WHERE u.id = (v #>> '{}')::numeric)$c$
        WHEN 'select' THEN $c$jsonb_typeof(v) = 'string' AND v #>> '{}' = ANY($2)$c$
        WHEN 'multi_select' THEN $c$jsonb_typeof(v) = 'array' AND NOT EXISTS (SELECT FROM jsonb_array_elements_text(v) x WHERE x <> ALL($2))$c$
    END;
BEGIN
    IF (SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') IS DISTINCT FROM 'all' THEN
        RAISE EXCEPTION 'only admins check custom fields' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF entity NOT IN ('leads', 'accounts', 'contacts', 'opportunities') THEN
        RETURN 0;
    END IF;
    EXECUTE format('SELECT count(*) FROM (SELECT custom -> $1 AS v FROM %I WHERE custom ? $1) r WHERE NOT (%s)', entity, fits)
    INTO n USING k, opts;
    RETURN n;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION crm_custom_misfits(perm_entity, text, custom_field_type, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_custom_misfits(perm_entity, text, custom_field_type, text[]) TO crm_app;

-- crm_custom_expr(k, numeric): the expression a list filters a custom field by, and indexes:
-- its number (NULL when the value is not one), or its text. "No value" is the expression being
-- NULL, so the same index answers ranges and "not set".
-- +goose StatementBegin
CREATE FUNCTION crm_custom_expr(k text, num boolean) RETURNS text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE WHEN num THEN format('(CASE WHEN jsonb_typeof(custom -> %1$L) = ''number'' THEN (custom ->> %1$L)::numeric END)', k)
                ELSE format('(custom ->> %L)', k) END
$$;

-- crm_custom_index(entity, key, numeric, wanted): gives a field shown in lists the index its
-- filters use (or takes it away), then refreshes the table's statistics so the planner knows the
-- expression. Admins only. The build holds writes to the table while it runs: about a second
-- per million records.
CREATE FUNCTION crm_custom_index(entity perm_entity, k text, num boolean, wanted boolean) RETURNS void
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
REVOKE ALL ON FUNCTION crm_custom_index(perm_entity, text, boolean, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_custom_index(perm_entity, text, boolean, boolean) TO crm_app;

-- crm_custom_match(entity, filters): the ids of the records of a type that the user may see and
-- that every filter lets through. filters is a JSON list the app builds from known fields only:
--   {"key": k, "op": "in", "values": [...], "multi": bool}  the value is one of these (several
--                                                            choices: holds one of them)
--   {"key": k, "op": "empty"}                                no value
--   {"key": k, "op": "range", "kind": "number"|"date", "min": x, "max": y}
-- Owner's rights, because the JSONB operators are not leakproof: under row-level security no
-- index would serve them. Equality and "in" are containment, which the GIN index on custom
-- answers; ranges and "not set" use the field's expression index (crm_custom_index) when it is
-- shown in lists. Values reach the SQL quoted.
-- +goose StatementBegin
CREATE FUNCTION crm_custom_match(entity perm_entity, filters jsonb) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 1000 SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    scope text := nullif(current_setting('crm.scopes', true), '')::jsonb ->> (entity || '.view');
    mine bigint := CASE WHEN scope IN ('own', 'team') THEN nullif(current_setting('crm.user_id', true), '')::bigint END;
    ours bigint := CASE WHEN scope = 'team' THEN nullif(current_setting('crm.team_id', true), '')::bigint END;
    conds text[] := '{}';
    f jsonb;
    k text;
    v text;
BEGIN
    IF entity NOT IN ('leads', 'accounts', 'contacts', 'opportunities') OR scope IS NULL OR scope NOT IN ('all', 'own', 'team')
       OR jsonb_typeof(filters) <> 'array' THEN
        RETURN;
    END IF;
    FOR f IN SELECT jsonb_array_elements(filters) LOOP
        k := f ->> 'key';
        CASE f ->> 'op'
        WHEN 'in' THEN
            SELECT '(' || string_agg(format('custom @> %L::jsonb', jsonb_build_object(k,
                       CASE WHEN (f ->> 'multi')::boolean THEN jsonb_build_array(x) ELSE x END)), ' OR ') || ')'
            INTO v FROM jsonb_array_elements(f -> 'values') x;
            conds := conds || coalesce(v, 'false');
        WHEN 'empty' THEN
            conds := conds || (crm_custom_expr(k, f ->> 'kind' = 'number') || ' IS NULL');
        WHEN 'range' THEN
            v := crm_custom_expr(k, f ->> 'kind' = 'number');
            IF f ? 'min' THEN
                conds := conds || (format('%s >= %L', v, f ->> 'min') || CASE WHEN f ->> 'kind' = 'number' THEN '::numeric' ELSE '' END);
            END IF;
            IF f ? 'max' THEN
                conds := conds || (format('%s <= %L', v, f ->> 'max') || CASE WHEN f ->> 'kind' = 'number' THEN '::numeric' ELSE '' END);
            END IF;
        ELSE
            conds := conds || 'false'::text;
        END CASE;
    END LOOP;
    IF cardinality(conds) = 0 THEN
        RETURN;
    END IF;
    IF scope = 'team' AND ours IS NULL THEN
        scope := 'own';
    END IF;
    RETURN QUERY EXECUTE format('SELECT id FROM %I WHERE %s AND %s', entity,
        CASE scope WHEN 'all' THEN 'true' WHEN 'team' THEN 'team_id = $2' ELSE 'owner_id = $1' END,
        array_to_string(conds, ' AND ')) USING mine, ours;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION crm_custom_match(perm_entity, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_custom_match(perm_entity, jsonb) TO crm_app;

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    i text;
BEGIN
    FOR i IN SELECT c.entity || '_cf_' || c.key || '_idx' FROM custom_fields c LOOP
        EXECUTE format('DROP INDEX IF EXISTS %I', i);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION crm_custom_match(perm_entity, jsonb), crm_custom_index(perm_entity, text, boolean, boolean), crm_custom_expr(text, boolean);
DROP FUNCTION crm_custom_misfits(perm_entity, text, custom_field_type, text[]);
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION record_changes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    k text;
BEGIN
    FOR k IN SELECT jsonb_object_keys(new_row) LOOP
        CONTINUE WHEN k IN ('id', 'version', 'created_at', 'updated_at', 'search', 'search_text', 'team_id', 'position', 'stage_changed_at');
        IF old_row -> k IS DISTINCT FROM new_row -> k THEN
            INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
            VALUES (TG_TABLE_NAME::perm_entity, NEW.id, crm_user_id(), NEW.version, k, old_row ->> k, new_row ->> k);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TABLE custom_fields;
DROP TYPE custom_field_type;
