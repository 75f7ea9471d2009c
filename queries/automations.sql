-- name: ListAutomations :many
SELECT sqlc.embed(a), (SELECT count(*) FROM automation_runs r WHERE r.automation_id = a.id AND r.status = 'failed')::bigint AS failed
FROM automations a
ORDER BY a.entity, a.name, a.id;

-- name: GetAutomation :one
SELECT * FROM automations WHERE id = @id;

-- name: LockRoundRobin :one
-- The user a rule's round robin chose last, locked so that the rule's jobs take turns.
SELECT round_robin_last FROM automations WHERE id = @id FOR UPDATE;

-- name: CreateAutomation :one
INSERT INTO automations (name, entity, trigger, field, from_value, to_value, schedule, conditions, actions, enabled, created_by, next_run_at)
VALUES (@name, @entity, @trigger, @field, @from_value, @to_value, @schedule, @conditions, @actions, @enabled, sqlc.narg(created_by), sqlc.narg(next_run_at))
RETURNING id;

-- name: UpdateAutomation :execrows
UPDATE automations SET name = @name, entity = @entity, trigger = @trigger, field = @field, from_value = @from_value,
    to_value = @to_value, schedule = @schedule, conditions = @conditions, actions = @actions, enabled = @enabled,
    next_run_at = sqlc.narg(next_run_at), updated_at = now()
WHERE id = @id;

-- name: SetAutomationEnabled :execrows
-- A schedule switched back on is next due at its next time, not at the one it missed.
UPDATE automations SET enabled = @enabled, updated_at = now(),
    next_run_at = CASE WHEN @enabled::boolean THEN NULL ELSE next_run_at END
WHERE id = @id;

-- name: DeleteAutomation :execrows
DELETE FROM automations WHERE id = @id;

-- name: AutomationRan :exec
UPDATE automations SET last_run_at = now(), round_robin_last = coalesce(sqlc.narg(round_robin_last), round_robin_last) WHERE id = @id;

-- name: SaveRun :one
-- A job's run, written once per attempt: a failure first, the success that follows over it.
INSERT INTO automation_runs (automation_id, job_id, record_id, status, depth, attempt, outcome, error)
VALUES (@automation_id, @job_id, sqlc.narg(record_id), @status, @depth, @attempt, @outcome, @error)
ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, outcome = EXCLUDED.outcome,
    error = EXCLUDED.error, created_at = now()
RETURNING id;

-- name: ListRuns :many
SELECT r.id, r.job_id, r.record_id, r.status, r.depth, r.attempt, r.outcome, r.error, r.created_at,
       coalesce((SELECT string_agg(d.url || ': ' || d.status || CASE WHEN d.last_error <> '' THEN ' (' || d.last_error || ')' ELSE '' END
                                   || ', ' || d.attempts || CASE WHEN d.attempts = 1 THEN ' attempt' ELSE ' attempts' END, '; ' ORDER BY d.id)
                 FROM webhook_deliveries d WHERE d.run_id = r.id), '')::text AS deliveries
FROM automation_runs r
WHERE r.automation_id = @automation_id AND (sqlc.narg(before)::bigint IS NULL OR r.id < sqlc.narg(before))
ORDER BY r.id DESC
LIMIT 50;

-- name: GetRun :one
SELECT * FROM automation_runs WHERE id = @id AND automation_id = @automation_id;

-- name: RecordForRule :one
-- A record as a rule sees it: its row as JSON, its stage's name and its owner's name and team.
SELECT s.r::jsonb AS row, coalesce(automation_value('stage', s.r), '')::text AS stage_name,
       coalesce(automation_value('stage_kind', s.r), '')::text AS stage_kind,
       coalesce(u.name, '')::text AS owner_name, u.team_id AS owner_team
FROM (
    SELECT to_jsonb(x) AS r FROM leads x WHERE @entity::text = 'leads' AND x.id = @id
    UNION ALL SELECT to_jsonb(x) FROM accounts x WHERE @entity::text = 'accounts' AND x.id = @id
    UNION ALL SELECT to_jsonb(x) FROM contacts x WHERE @entity::text = 'contacts' AND x.id = @id
    UNION ALL SELECT to_jsonb(x) FROM opportunities x WHERE @entity::text = 'opportunities' AND x.id = @id
    UNION ALL SELECT to_jsonb(x) FROM activities x WHERE @entity::text = 'activities' AND x.id = @id
) s
LEFT JOIN users u ON u.id = (s.r ->> 'owner_id')::bigint;

-- name: RecentRecordIDs :many
-- The records a scheduled rule looks at: the newest of its type.
SELECT id FROM (
    SELECT x.id FROM leads x WHERE @entity::text = 'leads'
    UNION ALL SELECT x.id FROM accounts x WHERE @entity::text = 'accounts'
    UNION ALL SELECT x.id FROM contacts x WHERE @entity::text = 'contacts'
    UNION ALL SELECT x.id FROM opportunities x WHERE @entity::text = 'opportunities'
    UNION ALL SELECT x.id FROM activities x WHERE @entity::text = 'activities'
) s ORDER BY id DESC LIMIT @lim;

-- name: CreateRuleTask :one
INSERT INTO activities (owner_id, type, subject, due_at, lead_id, account_id, contact_id, opportunity_id)
VALUES (@owner_id, 'task', @subject, @due_at, sqlc.narg(lead_id), sqlc.narg(account_id), sqlc.narg(contact_id), sqlc.narg(opportunity_id))
RETURNING id;

-- name: ManagersOf :many
-- The managers of a user's team: its active members whose role is the manager role.
SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id
WHERE u.active AND r.name = 'manager' AND u.team_id = (SELECT o.team_id FROM users o WHERE o.id = @user_id)
ORDER BY u.id;

-- name: UsersWithRole :many
SELECT id FROM users WHERE active AND role_id = @role_id ORDER BY id;

-- name: NextInTeam :one
-- Round robin: the team's next active member after the last one chosen, from the start again
-- after the last.
SELECT id FROM users WHERE active AND team_id = @team_id
ORDER BY id <= coalesce(sqlc.narg(after)::bigint, 0), id
LIMIT 1;

-- name: NotifyForRule :one
SELECT crm_automation_notify(@users::bigint[], @entity, @record_id, @title)::int;

-- name: CustomFieldType :one
SELECT type FROM custom_fields WHERE entity = @entity AND key = @key AND archived_at IS NULL;

-- name: CreateDelivery :exec
INSERT INTO webhook_deliveries (run_id, job_id, url) VALUES (@run_id, @job_id, @url);

-- name: DeliveryAttempt :exec
UPDATE webhook_deliveries SET attempts = @attempts, status = @status, last_error = @last_error,
    delivered_at = CASE WHEN @status = 'delivered' THEN now() END
WHERE job_id = @job_id;

-- name: FireOverdueTasks :many
-- Open tasks overdue by up to 30 days (older ones were let go) that an overdue rule has not fired
-- for today, marked fired (a thousand at a time).
INSERT INTO automation_fired (automation_id, record_id, day)
SELECT @automation_id, a.id, current_date FROM activities a
WHERE a.type = 'task' AND a.done_at IS NULL AND a.due_at < now() AND a.due_at > now() - interval '30 days'
  AND NOT EXISTS (SELECT FROM automation_fired f WHERE f.automation_id = @automation_id AND f.record_id = a.id AND f.day = current_date)
ORDER BY a.due_at DESC LIMIT 1000
ON CONFLICT DO NOTHING
RETURNING record_id;

-- name: FirePassedCloseDates :many
-- Open deals whose close date has passed, marked fired once per close date.
INSERT INTO automation_fired (automation_id, record_id, day)
SELECT @automation_id, o.id, o.close_date FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
WHERE s.kind = 'open' AND o.close_date < current_date
  AND NOT EXISTS (SELECT FROM automation_fired f WHERE f.automation_id = @automation_id AND f.record_id = o.id AND f.day = o.close_date)
ORDER BY o.close_date DESC LIMIT 1000
ON CONFLICT DO NOTHING
RETURNING record_id;

-- name: RulesToRun :many
SELECT * FROM automations WHERE enabled AND trigger = @trigger ORDER BY id;

-- name: DueSchedules :many
-- Scheduled rules due now or not yet timed, locked: a second sweep at the same moment waits, then
-- finds them timed for later.
SELECT * FROM automations WHERE enabled AND trigger = 'schedule' AND (next_run_at IS NULL OR next_run_at <= now())
ORDER BY id FOR UPDATE;

-- name: ScheduleNext :exec
UPDATE automations SET next_run_at = @next_run_at WHERE id = @id;

-- name: UserNameOf :one
SELECT name FROM users WHERE id = @id;

-- name: ForgetOldReminders :exec
-- Overdue reminders fire once a day: a week on, what fired is no longer needed.
DELETE FROM automation_fired f USING automations a
WHERE a.id = f.automation_id AND a.trigger = 'task_overdue' AND f.day < current_date - 7;

-- name: ForgetOldRuns :exec
-- Runs are kept for 90 days.
DELETE FROM automation_runs WHERE created_at < now() - interval '90 days';

-- name: ActAsRule :exec
-- Tells the database triggers which rule is at work, how deep the next change is, and that its
-- changes are made by the rule's author.
SELECT set_config('crm.automation_id', @automation_id::text, true), set_config('crm.automation_depth', @depth::text, true),
       set_config('crm.user_id', @author::text, true);

-- The fields a rule's "set" action changes. A record type is a parameter, so the statements for
-- fields several types have update each table where the type matches (the others find no row).

-- name: RuleSetStatus :execrows
UPDATE leads SET status = @value::lead_status WHERE id = @id;

-- name: RuleSetStage :execrows
-- A stage by name, within the deal's pipeline.
UPDATE opportunities o SET stage_id = s.id FROM pipeline_stages s
WHERE o.id = @id AND s.pipeline_id = o.pipeline_id AND lower(s.name) = lower(@value::text);

-- name: RuleSetAmount :execrows
UPDATE opportunities SET amount = @value::numeric WHERE id = @id;

-- name: RuleSetCloseDate :execrows
UPDATE opportunities SET close_date = @value::date WHERE id = @id;

-- name: RuleSetOwner :one
WITH l AS (UPDATE leads x SET owner_id = @owner WHERE @entity::text = 'leads' AND x.id = @id RETURNING 1),
     a AS (UPDATE accounts x SET owner_id = @owner WHERE @entity::text = 'accounts' AND x.id = @id RETURNING 1),
     c AS (UPDATE contacts x SET owner_id = @owner WHERE @entity::text = 'contacts' AND x.id = @id RETURNING 1),
     o AS (UPDATE opportunities x SET owner_id = @owner WHERE @entity::text = 'opportunities' AND x.id = @id RETURNING 1),
     t AS (UPDATE activities x SET owner_id = @owner WHERE @entity::text = 'activities' AND x.id = @id RETURNING 1)
SELECT (SELECT count(*) FROM l) + (SELECT count(*) FROM a) + (SELECT count(*) FROM c) + (SELECT count(*) FROM o) + (SELECT count(*) FROM t);

-- name: RuleSetText :one
-- The free-text fields rules set: a lead's source, an account's industry, a contact's title.
WITH l AS (UPDATE leads x SET source = @value WHERE @field::text = 'source' AND x.id = @id RETURNING 1),
     a AS (UPDATE accounts x SET industry = @value WHERE @field::text = 'industry' AND x.id = @id RETURNING 1),
     c AS (UPDATE contacts x SET title = @value WHERE @field::text = 'title' AND x.id = @id RETURNING 1)
SELECT (SELECT count(*) FROM l) + (SELECT count(*) FROM a) + (SELECT count(*) FROM c);

-- name: RuleSetCustom :one
-- A custom field's value (NULL takes it away).
WITH l AS (UPDATE leads x SET custom = CASE WHEN sqlc.narg(value)::jsonb IS NULL THEN x.custom - @key::text
               ELSE jsonb_set(x.custom, ARRAY[@key::text], sqlc.narg(value)::jsonb) END
           WHERE @entity::text = 'leads' AND x.id = @id RETURNING 1),
     a AS (UPDATE accounts x SET custom = CASE WHEN sqlc.narg(value)::jsonb IS NULL THEN x.custom - @key::text
               ELSE jsonb_set(x.custom, ARRAY[@key::text], sqlc.narg(value)::jsonb) END
           WHERE @entity::text = 'accounts' AND x.id = @id RETURNING 1),
     c AS (UPDATE contacts x SET custom = CASE WHEN sqlc.narg(value)::jsonb IS NULL THEN x.custom - @key::text
               ELSE jsonb_set(x.custom, ARRAY[@key::text], sqlc.narg(value)::jsonb) END
           WHERE @entity::text = 'contacts' AND x.id = @id RETURNING 1),
     o AS (UPDATE opportunities x SET custom = CASE WHEN sqlc.narg(value)::jsonb IS NULL THEN x.custom - @key::text
               ELSE jsonb_set(x.custom, ARRAY[@key::text], sqlc.narg(value)::jsonb) END
           WHERE @entity::text = 'opportunities' AND x.id = @id RETURNING 1)
SELECT (SELECT count(*) FROM l) + (SELECT count(*) FROM a) + (SELECT count(*) FROM c) + (SELECT count(*) FROM o);
