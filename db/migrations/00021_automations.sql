-- +goose Up
-- Automations: rules admins write (a trigger, conditions, ordered actions), run by River jobs.
-- A record change that a rule's trigger names enqueues the rule's job in the change's own
-- transaction (automation_enqueue below), so a change and its automation commit or vanish
-- together; the worker then does the rule's actions and completes the job in one transaction.
-- River's tables are migrated from Go (rivermigrate) before these migrations run.

ALTER TYPE notification_kind ADD VALUE IF NOT EXISTS 'automation';

CREATE TYPE automation_trigger AS ENUM ('created', 'changed', 'task_overdue', 'close_date_passed', 'schedule');
CREATE TYPE automation_run_status AS ENUM ('done', 'skipped', 'failed');

CREATE TABLE automations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CONSTRAINT automations_name_size CHECK (btrim(name) <> '' AND length(name) <= 120),
    entity      perm_entity NOT NULL
                CONSTRAINT automations_entity_is_record CHECK (entity IN ('leads', 'accounts', 'contacts', 'opportunities', 'activities')),
    trigger     automation_trigger NOT NULL,
    -- "changed": the field (status, stage, stage_kind, owner, amount, close_date, custom.<key>) and the
    -- values it changes from and to, each a comma-separated list; empty means any.
    field       text NOT NULL DEFAULT '',
    from_value  text NOT NULL DEFAULT '',
    to_value    text NOT NULL DEFAULT '',
    -- "schedule": {"days": [1, 2, 3, 4, 5] (ISO weekdays), "at": "09:00", "tz": "Europe/Berlin"}.
    schedule    jsonb NOT NULL DEFAULT '{}',
    conditions  jsonb NOT NULL DEFAULT '[]', -- [{"field": "amount", "op": "gt", "value": "1000"}]
    actions     jsonb NOT NULL DEFAULT '[]', -- [{"type": "task", "subject": "Call {name}", "days": 1, "to": "owner"}]
    enabled     boolean NOT NULL DEFAULT true,
    round_robin_last bigint,                 -- the user the rule's last round-robin assignment chose
    created_by  bigint REFERENCES users ON DELETE SET NULL,
    next_run_at timestamptz,                 -- "schedule": when it is next due
    last_run_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT automations_lists CHECK (jsonb_typeof(conditions) = 'array' AND jsonb_typeof(actions) = 'array'),
    CONSTRAINT automations_changed_field CHECK (trigger <> 'changed' OR field <> ''),
    CONSTRAINT automations_overdue_on_tasks CHECK (trigger <> 'task_overdue' OR entity = 'activities'),
    CONSTRAINT automations_close_on_deals CHECK (trigger <> 'close_date_passed' OR entity = 'opportunities')
);
CREATE INDEX automations_enabled_idx ON automations (entity, trigger) WHERE enabled;
CREATE INDEX automations_created_by_idx ON automations (created_by);

-- One row per job run of a rule: what each action did, or why it failed or was skipped.
CREATE TABLE automation_runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    automation_id bigint NOT NULL REFERENCES automations ON DELETE CASCADE,
    job_id        bigint NOT NULL CONSTRAINT automation_runs_job_key UNIQUE,
    record_id     bigint,
    status        automation_run_status NOT NULL,
    depth         integer NOT NULL DEFAULT 0,
    attempt       integer NOT NULL DEFAULT 1,
    outcome       text[] NOT NULL DEFAULT '{}',
    error         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX automation_runs_by_rule_idx ON automation_runs (automation_id, id DESC);
CREATE INDEX automation_runs_created_idx ON automation_runs (created_at);

-- Time triggers (an overdue task, a passed close date) fire once per rule, record and day.
CREATE TABLE automation_fired (
    automation_id bigint NOT NULL REFERENCES automations ON DELETE CASCADE,
    record_id     bigint NOT NULL,
    day           date NOT NULL,
    PRIMARY KEY (automation_id, record_id, day)
);

-- A webhook call: its own job, retried with backoff; delivered once it answers 2xx.
CREATE TABLE webhook_deliveries (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id       bigint NOT NULL REFERENCES automation_runs ON DELETE CASCADE,
    job_id       bigint NOT NULL CONSTRAINT webhook_deliveries_job_key UNIQUE,
    url          text NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CONSTRAINT webhook_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    delivered_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_run_idx ON webhook_deliveries (run_id);

-- Admins see and change rules; the worker runs with every scope.
ALTER TABLE automations ENABLE ROW LEVEL SECURITY;
ALTER TABLE automation_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE automation_fired ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY automations_admin ON automations FOR ALL TO crm_app
    USING ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all')
    WITH CHECK ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all');
CREATE POLICY automation_runs_admin ON automation_runs FOR ALL TO crm_app
    USING ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all')
    WITH CHECK ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all');
CREATE POLICY automation_fired_admin ON automation_fired FOR ALL TO crm_app
    USING ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all')
    WITH CHECK ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all');
CREATE POLICY webhook_deliveries_admin ON webhook_deliveries FOR ALL TO crm_app
    USING ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all')
    WITH CHECK ((SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'admin.edit') = 'all');
GRANT SELECT, INSERT, UPDATE, DELETE ON automations, automation_runs, automation_fired, webhook_deliveries TO crm_app;

-- The worker runs as crm_app: River's tables are its queue.
GRANT SELECT, INSERT, UPDATE, DELETE ON river_job, river_leader, river_queue TO crm_app;
GRANT USAGE ON SEQUENCE river_job_id_seq TO crm_app;

-- automation_value(field, row): a record's value of a field a rule watches or tests, as text:
-- "stage" is the stage's name, "stage_kind" whether it is open, won or lost, "owner" the owner's id, "custom.<key>" a custom field's value.
-- +goose StatementBegin
CREATE FUNCTION automation_value(field text, r jsonb) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT CASE
        WHEN field = 'stage' THEN (SELECT s.name FROM pipeline_stages s WHERE s.id = (r ->> 'stage_id')::bigint)
        WHEN field = 'stage_kind' THEN (SELECT s.kind::text FROM pipeline_stages s WHERE s.id = (r ->> 'stage_id')::bigint)
        WHEN field = 'owner' THEN r ->> 'owner_id'
        WHEN field LIKE 'custom.%' THEN r -> 'custom' ->> substr(field, 8)
        ELSE r ->> field
    END
$$;
-- +goose StatementEnd

-- automation_matches(v, list): whether a value is one of a comma-separated list (any case);
-- an empty list takes any value.
-- +goose StatementBegin
CREATE FUNCTION automation_matches(v text, list text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT btrim(list) = '' OR lower(btrim(coalesce(v, ''))) = ANY (regexp_split_to_array(lower(btrim(list)), '\s*,\s*'))
$$;
-- +goose StatementEnd

-- automation_enqueue: a record created, or a watched field changed, enqueues a job for each
-- enabled rule it triggers, in the same transaction. A rule's own actions never trigger it
-- again (crm.automation_id is the rule at work), and the depth the worker sets
-- (crm.automation_depth) travels with the job, which the worker refuses past its limit.
-- A bulk load says crm.automations = off.
-- +goose StatementBegin
CREATE FUNCTION automation_enqueue() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    self bigint := nullif(current_setting('crm.automation_id', true), '')::bigint;
    depth int := coalesce(nullif(current_setting('crm.automation_depth', true), '')::int, 0);
    old_row jsonb;
    new_row jsonb;
    old_v text;
    new_v text;
    a record;
BEGIN
    IF current_setting('crm.automations', true) = 'off' THEN
        RETURN NULL;
    END IF;
    FOR a IN SELECT x.id, x.field, x.from_value, x.to_value FROM automations x
             WHERE x.enabled AND x.entity = TG_TABLE_NAME::perm_entity AND x.id IS DISTINCT FROM self
               AND x.trigger = (CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'changed' END)::automation_trigger LOOP
        IF TG_OP = 'UPDATE' THEN
            old_row := coalesce(old_row, to_jsonb(OLD));
            new_row := coalesce(new_row, to_jsonb(NEW));
            old_v := automation_value(a.field, old_row);
            new_v := automation_value(a.field, new_row);
            CONTINUE WHEN old_v IS NOT DISTINCT FROM new_v
                OR NOT automation_matches(old_v, a.from_value) OR NOT automation_matches(new_v, a.to_value);
        END IF;
        INSERT INTO river_job (kind, args, max_attempts)
        VALUES ('automation', jsonb_build_object('automation_id', a.id, 'record_id', NEW.id, 'depth', depth), 5);
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER leads_automate AFTER INSERT OR UPDATE ON leads FOR EACH ROW EXECUTE FUNCTION automation_enqueue();
CREATE TRIGGER accounts_automate AFTER INSERT OR UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION automation_enqueue();
CREATE TRIGGER contacts_automate AFTER INSERT OR UPDATE ON contacts FOR EACH ROW EXECUTE FUNCTION automation_enqueue();
CREATE TRIGGER opportunities_automate AFTER INSERT OR UPDATE ON opportunities FOR EACH ROW EXECUTE FUNCTION automation_enqueue();
CREATE TRIGGER activities_automate AFTER INSERT OR UPDATE ON activities FOR EACH ROW EXECUTE FUNCTION automation_enqueue();

-- crm_automation_notify(users, entity, record, title): an automation's notification to each of
-- these users who is active, may see the record (its owner and team read here, not taken from
-- the caller; a task's assignee sees their task even on a record they do not) and has not
-- switched automation notices off. crm_app may not write notifications
-- itself; this is for a rule at work (crm.automation_id names an existing rule).
-- +goose StatementBegin
CREATE FUNCTION crm_automation_notify(who bigint[], entity perm_entity, rid bigint, title text) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    rule bigint := nullif(current_setting('crm.automation_id', true), '')::bigint;
    r_owner bigint;
    r_team bigint;
    n integer;
BEGIN
    IF rule IS NULL OR NOT EXISTS (SELECT FROM automations WHERE id = rule) THEN
        RAISE EXCEPTION 'only automations notify this way' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF entity NOT IN ('leads', 'accounts', 'contacts', 'opportunities', 'activities') THEN
        RETURN 0;
    END IF;
    EXECUTE format('SELECT owner_id, team_id FROM %I WHERE id = $1', entity) INTO r_owner, r_team USING rid;
    IF r_owner IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO notifications (user_id, kind, entity, record_id, title)
    SELECT u.id, 'automation', entity, rid, left(title, 300)
    FROM users u
    WHERE u.id = ANY (who) AND u.active AND crm_user_sees(u.id, entity, r_owner, r_team)
      AND NOT EXISTS (SELECT FROM notification_prefs p WHERE p.user_id = u.id AND p.kind = 'automation' AND NOT p.in_app);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION crm_automation_notify(bigint[], perm_entity, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_automation_notify(bigint[], perm_entity, bigint, text) TO crm_app;

-- The rules a CRM ships with, enabled and editable.
INSERT INTO automations (name, entity, trigger, field, to_value, actions) VALUES
    ('Call a qualified lead within a day', 'leads', 'changed', 'status', 'qualified',
     '[{"type": "task", "subject": "Call {name}", "days": 1, "to": "owner"}]'),
    ('Follow up a proposal in three days', 'opportunities', 'changed', 'stage', 'Proposal',
     '[{"type": "task", "subject": "Follow up on the proposal for {name}", "days": 3, "to": "owner"}]'),
    ('Tell the manager when a deal is won or lost', 'opportunities', 'changed', 'stage_kind', 'won, lost',
     '[{"type": "notify", "to": "manager", "message": "{name} moved to {stage} ({owner})"}]');
INSERT INTO automations (name, entity, trigger, actions) VALUES
    ('Remind the assignee of an overdue task, daily', 'activities', 'task_overdue',
     '[{"type": "notify", "to": "owner", "message": "Overdue: {name}"}]');

-- +goose Down
DROP TRIGGER leads_automate ON leads;
DROP TRIGGER accounts_automate ON accounts;
DROP TRIGGER contacts_automate ON contacts;
DROP TRIGGER opportunities_automate ON opportunities;
DROP TRIGGER activities_automate ON activities;
DROP FUNCTION automation_enqueue(), automation_matches(text, text), automation_value(text, jsonb);
DROP FUNCTION crm_automation_notify(bigint[], perm_entity, bigint, text);
REVOKE ALL ON river_job, river_leader, river_queue FROM crm_app;
REVOKE ALL ON SEQUENCE river_job_id_seq FROM crm_app;
DROP TABLE webhook_deliveries, automation_fired, automation_runs, automations;
DROP TYPE automation_run_status, automation_trigger;
