-- Counts kept by triggers, so that list counts, board columns, the dashboard and the task badge
-- read a few summary rows instead of counting records; activity logged per day, for the weekly
-- numbers; and sessions that know their user, so a request finds both in one query.

-- +goose Up

-- One row per entity, owner and bucket: how many records, and their amount (deals). Buckets:
--   leads          the status
--   accounts       'all'
--   contacts       'all'
--   opportunities  the stage id
--   activities     'open_task' (open tasks)
-- team_id is the owner's team, as on the records, so a team scope reads it like a record's.
-- entity is text, not perm_entity: enum equality is not leakproof, so under row-level security
-- the planner could not use it in an index condition.
CREATE TABLE record_counts (
    entity   text NOT NULL,
    owner_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    team_id  bigint,
    bucket   text NOT NULL,
    n        bigint NOT NULL,
    amount   numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, entity, bucket)
);
CREATE INDEX record_counts_bucket_idx ON record_counts (entity, bucket, owner_id);
CREATE INDEX record_counts_team_idx ON record_counts (entity, team_id, bucket);

-- Activities logged per owner, day (UTC) and type: "this week" without reading the activities.
CREATE TABLE activity_days (
    owner_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    team_id  bigint,
    day      date NOT NULL,
    type     activity_type NOT NULL,
    n        bigint NOT NULL,
    PRIMARY KEY (owner_id, day, type)
);
CREATE INDEX activity_days_day_idx ON activity_days (day, owner_id);
CREATE INDEX activity_days_team_idx ON activity_days (team_id, day);

-- Moves one record's share from its old bucket to its new one (either side may be absent, for an
-- insert or a delete). Rows are changed in key order, so two moves never wait for each other's
-- rows in opposite orders.
CREATE FUNCTION count_move(e text,
    old_owner bigint, old_team bigint, old_bucket text, old_amount numeric,
    new_owner bigint, new_team bigint, new_bucket text, new_amount numeric) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
    INSERT INTO record_counts AS rc (entity, owner_id, team_id, bucket, n, amount)
    SELECT e, d.owner, max(d.team), d.bucket, sum(d.n), sum(d.amount)
    FROM (VALUES (old_owner, old_team, old_bucket, -1, -coalesce(old_amount, 0)),
                 (new_owner, new_team, new_bucket, 1, coalesce(new_amount, 0))) d (owner, team, bucket, n, amount)
    WHERE d.owner IS NOT NULL AND d.bucket IS NOT NULL
    GROUP BY d.owner, d.bucket
    HAVING sum(d.n) <> 0 OR sum(d.amount) <> 0
    ORDER BY d.owner, d.bucket
    ON CONFLICT (entity, owner_id, bucket) DO UPDATE SET n = rc.n + EXCLUDED.n, amount = rc.amount + EXCLUDED.amount
$$;

-- Moves one activity's share from its old day and type to its new ones, like count_move.
CREATE FUNCTION day_move(
    old_owner bigint, old_team bigint, old_day date, old_type activity_type,
    new_owner bigint, new_team bigint, new_day date, new_type activity_type) RETURNS void
LANGUAGE sql SET search_path = pg_catalog, public, pg_temp AS $$
    INSERT INTO activity_days AS d (owner_id, team_id, day, type, n)
    SELECT x.owner, max(x.team), x.day, x.type, sum(x.n)
    FROM (VALUES (old_owner, old_team, old_day, old_type, -1), (new_owner, new_team, new_day, new_type, 1)) x (owner, team, day, type, n)
    WHERE x.owner IS NOT NULL
    GROUP BY x.owner, x.day, x.type
    HAVING sum(x.n) <> 0
    ORDER BY x.owner, x.day, x.type
    ON CONFLICT (owner_id, day, type) DO UPDATE SET n = d.n + EXCLUDED.n
$$;

CREATE FUNCTION open_task_bucket(t activity_type, done timestamptz) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp
AS $$ SELECT CASE WHEN t = 'task' AND done IS NULL THEN 'open_task' END $$;

-- The triggers run as the owner: request work (crm_app) may read the counts, never write them.
-- OLD is NULL on insert and NEW on delete, so one call covers every operation.
-- +goose StatementBegin
CREATE FUNCTION count_leads() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM count_move('leads', OLD.owner_id, OLD.team_id, OLD.status::text, 0, NEW.owner_id, NEW.team_id, NEW.status::text, 0);
    RETURN NULL;
END
$$;

CREATE FUNCTION count_accounts() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM count_move('accounts', OLD.owner_id, OLD.team_id, 'all', 0, NEW.owner_id, NEW.team_id, 'all', 0);
    RETURN NULL;
END
$$;

CREATE FUNCTION count_contacts() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM count_move('contacts', OLD.owner_id, OLD.team_id, 'all', 0, NEW.owner_id, NEW.team_id, 'all', 0);
    RETURN NULL;
END
$$;

CREATE FUNCTION count_opportunities() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM count_move('opportunities', OLD.owner_id, OLD.team_id, OLD.stage_id::text, OLD.amount,
        NEW.owner_id, NEW.team_id, NEW.stage_id::text, NEW.amount);
    RETURN NULL;
END
$$;

CREATE FUNCTION count_activities() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM count_move('activities', OLD.owner_id, OLD.team_id, open_task_bucket(OLD.type, OLD.done_at), 0,
        NEW.owner_id, NEW.team_id, open_task_bucket(NEW.type, NEW.done_at), 0);
    PERFORM day_move(OLD.owner_id, OLD.team_id, (OLD.created_at AT TIME ZONE 'UTC')::date, OLD.type,
        NEW.owner_id, NEW.team_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.type);
    RETURN NULL;
END
$$;

-- Counts everything again from the records: for this migration, and after a bulk load that ran
-- with the count triggers off.
CREATE FUNCTION crm_recount() RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    DELETE FROM record_counts;
    DELETE FROM activity_days;
    INSERT INTO record_counts (entity, owner_id, team_id, bucket, n, amount)
    SELECT 'leads'::text, owner_id, max(team_id), status::text, count(*), 0::numeric FROM leads GROUP BY owner_id, status
    UNION ALL
    SELECT 'accounts', owner_id, max(team_id), 'all', count(*), 0 FROM accounts GROUP BY owner_id
    UNION ALL
    SELECT 'contacts', owner_id, max(team_id), 'all', count(*), 0 FROM contacts GROUP BY owner_id
    UNION ALL
    SELECT 'opportunities', owner_id, max(team_id), stage_id::text, count(*), sum(amount) FROM opportunities GROUP BY owner_id, stage_id
    UNION ALL
    SELECT 'activities', owner_id, max(team_id), 'open_task', count(*), 0
    FROM activities WHERE type = 'task' AND done_at IS NULL GROUP BY owner_id;
    INSERT INTO activity_days (owner_id, team_id, day, type, n)
    SELECT owner_id, max(team_id), (created_at AT TIME ZONE 'UTC')::date, type, count(*)
    FROM activities GROUP BY owner_id, (created_at AT TIME ZONE 'UTC')::date, type;
END
$$;

-- A user who changes team takes their records along (and now their counts).
CREATE OR REPLACE FUNCTION move_records_with_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    UPDATE leads SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE accounts SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE contacts SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE opportunities SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE activities SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE record_counts SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE activity_days SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER leads_count AFTER INSERT OR DELETE OR UPDATE OF owner_id, status ON leads
    FOR EACH ROW EXECUTE FUNCTION count_leads();
CREATE TRIGGER accounts_count AFTER INSERT OR DELETE OR UPDATE OF owner_id ON accounts
    FOR EACH ROW EXECUTE FUNCTION count_accounts();
CREATE TRIGGER contacts_count AFTER INSERT OR DELETE OR UPDATE OF owner_id ON contacts
    FOR EACH ROW EXECUTE FUNCTION count_contacts();
CREATE TRIGGER opportunities_count AFTER INSERT OR DELETE OR UPDATE OF owner_id, stage_id, amount ON opportunities
    FOR EACH ROW EXECUTE FUNCTION count_opportunities();
CREATE TRIGGER activities_count AFTER INSERT OR DELETE OR UPDATE OF owner_id, type, done_at, created_at ON activities
    FOR EACH ROW EXECUTE FUNCTION count_activities();

SELECT crm_recount();
ANALYZE record_counts, activity_days;
REVOKE ALL ON FUNCTION crm_recount() FROM PUBLIC;
REVOKE ALL ON FUNCTION count_move(text, bigint, bigint, text, numeric, bigint, bigint, text, numeric) FROM PUBLIC;
REVOKE ALL ON FUNCTION day_move(bigint, bigint, date, activity_type, bigint, bigint, date, activity_type) FROM PUBLIC;

-- Readable with the records they count: each entity's rows under that entity's view scope.
ALTER TABLE record_counts ENABLE ROW LEVEL SECURITY;
-- +goose StatementBegin
DO $$
DECLARE
    e text;
    branches text := '';
BEGIN
    FOREACH e IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        branches := branches || format($f$ WHEN %1$L THEN (SELECT crm_scope(%1$L, 'view')) = 'all'
            OR owner_id = (SELECT crm_scope_user(%1$L, 'view')) OR team_id = (SELECT crm_scope_team(%1$L, 'view'))$f$, e);
    END LOOP;
    EXECUTE format('CREATE POLICY record_counts_view ON record_counts FOR SELECT TO crm_app USING (CASE entity %s ELSE false END)', branches);
END
$$;
-- +goose StatementEnd
REVOKE ALL ON record_counts FROM crm_app;
GRANT SELECT ON record_counts TO crm_app;

-- Readable under the activities' view scope.
ALTER TABLE activity_days ENABLE ROW LEVEL SECURITY;
CREATE POLICY activity_days_view ON activity_days FOR SELECT TO crm_app USING (
    (SELECT nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'activities.view') = 'all'
    OR owner_id = (SELECT CASE WHEN nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'activities.view' IN ('own', 'team')
                               THEN nullif(current_setting('crm.user_id', true), '')::bigint END)
    OR team_id = (SELECT CASE WHEN nullif(current_setting('crm.scopes', true), '')::jsonb ->> 'activities.view' = 'team'
                              THEN nullif(current_setting('crm.team_id', true), '')::bigint END));
REVOKE ALL ON activity_days FROM crm_app;
GRANT SELECT ON activity_days TO crm_app;

-- Open tasks of everyone, soonest first: the task list of a user who sees all.
CREATE INDEX activities_open_tasks_idx ON activities (due_at, id) WHERE type = 'task' AND done_at IS NULL;

-- The session's user, written by the session store, so one query loads both. Sessions stored
-- before it (in scs's gob encoding, without the column) end: everyone signs in once more.
DELETE FROM sessions;
ALTER TABLE sessions ADD COLUMN user_id bigint REFERENCES users ON DELETE CASCADE;
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- +goose Down
ALTER TABLE sessions DROP COLUMN user_id;
DROP INDEX activities_open_tasks_idx;
DROP TRIGGER leads_count ON leads;
DROP TRIGGER accounts_count ON accounts;
DROP TRIGGER contacts_count ON contacts;
DROP TRIGGER opportunities_count ON opportunities;
DROP TRIGGER activities_count ON activities;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION move_records_with_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
    UPDATE leads SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE accounts SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE contacts SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE opportunities SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE activities SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP FUNCTION crm_recount(), count_leads(), count_accounts(), count_contacts(), count_opportunities(), count_activities(),
    open_task_bucket(activity_type, timestamptz),
    day_move(bigint, bigint, date, activity_type, bigint, bigint, date, activity_type),
    count_move(text, bigint, bigint, text, numeric, bigint, bigint, text, numeric);
DROP TABLE record_counts, activity_days;
