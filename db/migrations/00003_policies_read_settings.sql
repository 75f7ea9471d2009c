-- Policies that read the access context straight from the settings. The first policies called
-- crm_scope() and friends, SQL functions the planner inlines, parses and simplifies again for
-- every table of every statement it plans: most of a simple lookup's planning time. The rules
-- are the same; only how they are written changes.

-- +goose Up
-- The policy expression for one entity and action, used only while this migration runs.
CREATE OR REPLACE FUNCTION pg_temp.scope_sql(entity text, action text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$(SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> %1$L) = 'all'
        OR owner_id = (SELECT CASE WHEN nullif(current_setting('crm.scopes', true), '')::jsonb ->> %1$L IN ('own', 'team')
                                   THEN nullif(current_setting('crm.user_id', true), '')::bigint END)
        OR team_id = (SELECT CASE WHEN nullif(current_setting('crm.scopes', true), '')::jsonb ->> %1$L = 'team'
                                  THEN nullif(current_setting('crm.team_id', true), '')::bigint END)$f$, entity || '.' || action)
$$;

-- +goose StatementBegin
DO $$
DECLARE
    t text;
    branches text := '';
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        EXECUTE format('DROP POLICY %I ON %I', t || '_view', t);
        EXECUTE format('DROP POLICY %I ON %I', t || '_create', t);
        EXECUTE format('DROP POLICY %I ON %I', t || '_edit', t);
        EXECUTE format('DROP POLICY %I ON %I', t || '_delete', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO crm_app USING (%s)', t || '_view', t, pg_temp.scope_sql(t, 'view'));
        EXECUTE format('CREATE POLICY %I ON %I FOR INSERT TO crm_app WITH CHECK (%s)', t || '_create', t, pg_temp.scope_sql(t, 'create'));
        EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE TO crm_app USING (%s) WITH CHECK (%s)', t || '_edit', t,
            pg_temp.scope_sql(t, 'edit'), pg_temp.scope_sql(t, 'edit'));
        EXECUTE format('CREATE POLICY %I ON %I FOR DELETE TO crm_app USING (%s)', t || '_delete', t, pg_temp.scope_sql(t, 'delete'));
        branches := branches || format(' WHEN %L THEN %s', t, pg_temp.scope_sql(t, 'view'));
    END LOOP;
    DROP POLICY record_counts_view ON record_counts;
    EXECUTE format('CREATE POLICY record_counts_view ON record_counts FOR SELECT TO crm_app USING (CASE entity %s ELSE false END)', branches);

    FOREACH t IN ARRAY ARRAY['users', 'teams', 'roles', 'role_permissions', 'pipelines', 'pipeline_stages'] LOOP
        EXECUTE format('DROP POLICY %I ON %I', t || '_admin', t);
        EXECUTE format($f$CREATE POLICY %I ON %I FOR ALL TO crm_app
            USING ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all')
            WITH CHECK ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all')$f$, t || '_admin', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

DROP POLICY record_history_create ON record_history;
CREATE POLICY record_history_create ON record_history FOR INSERT TO crm_app
    WITH CHECK (user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint));
DROP FUNCTION pg_temp.scope_sql(text, text);

-- +goose Down
CREATE OR REPLACE FUNCTION pg_temp.scope_sql(entity text, action text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format('(SELECT crm_scope(%1$L, %2$L)) = ''all'' OR owner_id = (SELECT crm_scope_user(%1$L, %2$L)) OR team_id = (SELECT crm_scope_team(%1$L, %2$L))', entity, action)
$$;

-- +goose StatementBegin
DO $$
DECLARE
    t text;
    branches text := '';
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        EXECUTE format('DROP POLICY %I ON %I', t || '_view', t);
        EXECUTE format('DROP POLICY %I ON %I', t || '_create', t);
        EXECUTE format('DROP POLICY %I ON %I', t || '_edit', t);
        EXECUTE format('DROP POLICY %I ON %I', t || '_delete', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO crm_app USING (%s)', t || '_view', t, pg_temp.scope_sql(t, 'view'));
        EXECUTE format('CREATE POLICY %I ON %I FOR INSERT TO crm_app WITH CHECK (%s)', t || '_create', t, pg_temp.scope_sql(t, 'create'));
        EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE TO crm_app USING (%s) WITH CHECK (%s)', t || '_edit', t,
            pg_temp.scope_sql(t, 'edit'), pg_temp.scope_sql(t, 'edit'));
        EXECUTE format('CREATE POLICY %I ON %I FOR DELETE TO crm_app USING (%s)', t || '_delete', t, pg_temp.scope_sql(t, 'delete'));
        branches := branches || format(' WHEN %L THEN %s', t, pg_temp.scope_sql(t, 'view'));
    END LOOP;
    DROP POLICY record_counts_view ON record_counts;
    EXECUTE format('CREATE POLICY record_counts_view ON record_counts FOR SELECT TO crm_app USING (CASE entity %s ELSE false END)', branches);

    FOREACH t IN ARRAY ARRAY['users', 'teams', 'roles', 'role_permissions', 'pipelines', 'pipeline_stages'] LOOP
        EXECUTE format('DROP POLICY %I ON %I', t || '_admin', t);
        EXECUTE format($f$CREATE POLICY %I ON %I FOR ALL TO crm_app USING ((SELECT crm_scope('admin', 'edit')) = 'all') WITH CHECK ((SELECT crm_scope('admin', 'edit')) = 'all')$f$, t || '_admin', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

DROP POLICY record_history_create ON record_history;
CREATE POLICY record_history_create ON record_history FOR INSERT TO crm_app
    WITH CHECK (user_id = (SELECT crm_user_id()));
DROP FUNCTION pg_temp.scope_sql(text, text);
