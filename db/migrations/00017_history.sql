-- Record history, complete: creates and deletes are written too (with the record's name),
-- activities are covered, admins see all of it (deleted records included), and no one changes it.

-- +goose Up
-- record_lifecycle(name): writes "created" or "deleted" with the record's name for each row a
-- statement inserted or deleted. TG_ARGV[0] is the table's name expression, from the migration;
-- statement triggers, so a bulk load or bulk delete writes its history in one pass.
-- +goose StatementBegin
CREATE FUNCTION record_lifecycle() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
            SELECT %L, r.id, crm_user_id(), r.version, ''created'', NULL, %s FROM added r', TG_TABLE_NAME, TG_ARGV[0]);
    ELSE
        EXECUTE format('INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
            SELECT %L, r.id, crm_user_id(), r.version, ''deleted'', %s, NULL FROM removed r', TG_TABLE_NAME, TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
DECLARE
    t text;
    names CONSTANT jsonb := '{"leads": "btrim(r.first_name || '' '' || r.last_name || '' '' || r.company)",
        "contacts": "btrim(r.first_name || '' '' || r.last_name)", "accounts": "r.name", "opportunities": "r.name",
        "activities": "r.subject"}';
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION record_lifecycle(%L)',
            t || '_created', t, names ->> t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION record_lifecycle(%L)',
            t || '_deleted', t, names ->> t);
    END LOOP;
END
$$;
-- +goose StatementEnd
-- record_changes (00011) read OLD.custom, which activities do not have: the same, through the
-- rows as JSON.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION record_changes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    was jsonb := coalesce(to_jsonb(OLD) -> 'custom', '{}');
    now_ jsonb := coalesce(to_jsonb(NEW) -> 'custom', '{}');
    k text;
BEGIN
    FOR k IN SELECT jsonb_object_keys(new_row) LOOP
        CONTINUE WHEN k IN ('id', 'version', 'created_at', 'updated_at', 'search', 'search_text', 'team_id', 'position', 'stage_changed_at', 'custom');
        IF old_row -> k IS DISTINCT FROM new_row -> k THEN
            INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
            VALUES (TG_TABLE_NAME::perm_entity, NEW.id, crm_user_id(), NEW.version, k, old_row ->> k, new_row ->> k);
        END IF;
    END LOOP;
    IF was IS DISTINCT FROM now_ THEN
        INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
        SELECT TG_TABLE_NAME::perm_entity, NEW.id, crm_user_id(), NEW.version, 'custom.' || f.k,
               CASE jsonb_typeof(was -> f.k) WHEN 'array' THEN (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(was -> f.k) x) ELSE was ->> f.k END,
               CASE jsonb_typeof(now_ -> f.k) WHEN 'array' THEN (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(now_ -> f.k) x) ELSE now_ ->> f.k END
        FROM (SELECT jsonb_object_keys(was) UNION SELECT jsonb_object_keys(now_)) f(k)
        WHERE was -> f.k IS DISTINCT FROM now_ -> f.k;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER activities_history AFTER UPDATE ON activities FOR EACH ROW EXECUTE FUNCTION record_changes();

-- Browsing all history: newest first, by user or by record type.
CREATE INDEX record_history_user_idx ON record_history (user_id, id);
CREATE INDEX record_history_entity_idx ON record_history (entity, id);

-- A record's history is visible with the record; admins see all of it, deleted records included.
DROP POLICY record_history_view ON record_history;
CREATE POLICY record_history_view ON record_history FOR SELECT TO crm_app USING (
    (SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all'
    OR CASE entity
        WHEN 'leads' THEN EXISTS (SELECT FROM leads r WHERE r.id = record_id)
        WHEN 'accounts' THEN EXISTS (SELECT FROM accounts r WHERE r.id = record_id)
        WHEN 'contacts' THEN EXISTS (SELECT FROM contacts r WHERE r.id = record_id)
        WHEN 'opportunities' THEN EXISTS (SELECT FROM opportunities r WHERE r.id = record_id)
        WHEN 'activities' THEN EXISTS (SELECT FROM activities r WHERE r.id = record_id)
        ELSE false
    END);

-- History as pages show it: ids named by what they point at (where the user may see it), and who.
-- security_invoker, so the user's row-level security applies to every table it reads.
CREATE VIEW record_history_named WITH (security_invoker = true) AS
SELECT h.id, h.entity, h.record_id, h.user_id, h.version, h.field, h.created_at,
       coalesce(fs.name, fu.name, fa.name, fc.first_name || ' ' || fc.last_name, h.old_value, '')::text AS old_value,
       coalesce(ts.name, tu.name, ta.name, tc.first_name || ' ' || tc.last_name, h.new_value, '')::text AS new_value,
       coalesce(u.name, '')::text AS user_name
FROM record_history h
LEFT JOIN users u ON u.id = h.user_id
LEFT JOIN pipeline_stages fs ON h.field = 'stage_id' AND fs.id::text = h.old_value
LEFT JOIN pipeline_stages ts ON h.field = 'stage_id' AND ts.id::text = h.new_value
LEFT JOIN users fu ON h.field = 'owner_id' AND fu.id::text = h.old_value
LEFT JOIN users tu ON h.field = 'owner_id' AND tu.id::text = h.new_value
LEFT JOIN accounts fa ON h.field IN ('account_id', 'converted_account_id') AND fa.id::text = h.old_value
LEFT JOIN accounts ta ON h.field IN ('account_id', 'converted_account_id') AND ta.id::text = h.new_value
LEFT JOIN contacts fc ON h.field IN ('contact_id', 'converted_contact_id') AND fc.id::text = h.old_value
LEFT JOIN contacts tc ON h.field IN ('contact_id', 'converted_contact_id') AND tc.id::text = h.new_value;
GRANT SELECT ON record_history_named TO crm_app;

-- History is written by the database's own triggers and functions; the app only reads it.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON record_history FROM crm_app;

-- +goose Down
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON record_history TO crm_app;
DROP VIEW record_history_named;
DROP POLICY record_history_view ON record_history;
CREATE POLICY record_history_view ON record_history FOR SELECT TO crm_app USING (
    CASE entity
        WHEN 'leads' THEN EXISTS (SELECT FROM leads r WHERE r.id = record_id)
        WHEN 'accounts' THEN EXISTS (SELECT FROM accounts r WHERE r.id = record_id)
        WHEN 'contacts' THEN EXISTS (SELECT FROM contacts r WHERE r.id = record_id)
        WHEN 'opportunities' THEN EXISTS (SELECT FROM opportunities r WHERE r.id = record_id)
        ELSE false
    END);
DROP INDEX record_history_user_idx, record_history_entity_idx;
DROP TRIGGER activities_history ON activities;
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_created', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_deleted', t);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION record_lifecycle();
