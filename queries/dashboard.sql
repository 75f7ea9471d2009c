-- name: MyDashboard :one
-- The signed-in user's own numbers, from one read of the counts the triggers keep; overdue tasks
-- are counted up to 100 (time, not a write, makes a task overdue). The time is a parameter: now()
-- is not leakproof, so under row-level security it could not be an index condition.
SELECT
    coalesce(sum(c.n) FILTER (WHERE c.entity = 'leads' AND c.bucket IN ('new', 'contacted', 'qualified')), 0)::bigint AS open_leads,
    coalesce(sum(c.n) FILTER (WHERE s.kind = 'open'), 0)::bigint AS open_deals,
    coalesce(sum(c.amount) FILTER (WHERE s.kind = 'open'), 0)::numeric AS open_amount,
    coalesce(sum(c.n) FILTER (WHERE c.entity = 'activities' AND c.bucket = 'open_task'), 0)::bigint AS open_tasks,
    (SELECT count(*) FROM (SELECT FROM activities a WHERE a.owner_id = @user_id AND a.type = 'task' AND a.done_at IS NULL
     AND a.due_key < @now::timestamptz ORDER BY a.due_key LIMIT 100) overdue)::bigint AS overdue_tasks
FROM record_counts c
LEFT JOIN pipeline_stages s ON c.entity = 'opportunities' AND s.id::text = c.bucket
WHERE c.owner_id = @user_id AND c.entity IN ('leads', 'opportunities', 'activities');

-- name: PipelineByStage :many
-- Open deals the user may see in the default pipeline, per stage, from the kept counts. The
-- scope predicate repeats what row-level security enforces, so the planner can use the indexes.
SELECT s.id, s.name, s.probability,
       coalesce(sum(c.n), 0)::bigint AS deals,
       coalesce(sum(c.amount), 0)::numeric AS amount
FROM pipeline_stages s
JOIN pipelines p ON p.id = s.pipeline_id AND p.is_default
LEFT JOIN record_counts c ON c.entity = 'opportunities' AND c.bucket = s.id::text
    AND (@see_all::boolean OR c.owner_id = sqlc.narg(own_id) OR c.team_id = sqlc.narg(team_id))
WHERE s.kind = 'open'
GROUP BY s.id
ORDER BY s.position;

-- name: ClosingBetween :many
-- Open deals in scope expected to close in a date range (this month on the dashboard). The ten
-- are cut from the close-date order before names are joined, so the plan walks an index.
SELECT o.id, o.name, o.amount, o.currency, o.close_date, u.name AS owner_name
FROM (
    SELECT o.* FROM opportunities o
    WHERE (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
      AND o.close_date BETWEEN @close_from::date AND @close_to::date
      AND o.stage_id IN (SELECT s.id FROM pipeline_stages s WHERE s.kind = 'open')
    ORDER BY o.close_date, o.id
    LIMIT 10
) o
JOIN users u ON u.id = o.owner_id
ORDER BY o.close_date, o.id;

-- name: SlippingDeals :many
-- Open deals in scope whose close date has passed or that have sat in their stage too long,
-- cut like ClosingBetween.
SELECT o.id, o.name, o.amount, o.currency, o.close_date, o.stage_changed_at, s.name AS stage_name, u.name AS owner_name
FROM (
    SELECT o.* FROM opportunities o
    WHERE (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
      AND o.stage_id IN (SELECT s.id FROM pipeline_stages s WHERE s.kind = 'open')
      AND (o.close_date < current_date OR o.stage_changed_at < now() - make_interval(days => @stalled_days::int))
    ORDER BY o.close_date, o.id
    LIMIT 10
) o
JOIN pipeline_stages s ON s.id = o.stage_id
JOIN users u ON u.id = o.owner_id
ORDER BY o.close_date, o.id;

-- name: PipelineByOwner :many
-- Open deals in scope per owner, from the kept counts: how many and how much.
SELECT u.id, u.name, sum(c.n)::bigint AS deals, sum(c.amount)::numeric AS amount
FROM record_counts c
JOIN pipeline_stages s ON c.bucket = s.id::text AND s.kind = 'open'
JOIN users u ON u.id = c.owner_id
WHERE c.entity = 'opportunities'
  AND (@see_all::boolean OR c.owner_id = sqlc.narg(own_id) OR c.team_id = sqlc.narg(team_id))
GROUP BY u.id
HAVING sum(c.n) > 0
ORDER BY amount DESC, u.name
LIMIT 50;

-- name: ActivitiesSinceByOwner :many
-- Activities logged in scope since a day (the start of the week), per owner, from the kept counts
-- of each day (UTC) and type.
SELECT u.id, u.name, sum(d.n)::bigint AS logged,
       coalesce(sum(d.n) FILTER (WHERE d.type = 'call'), 0)::bigint AS calls,
       coalesce(sum(d.n) FILTER (WHERE d.type = 'meeting'), 0)::bigint AS meetings
FROM activity_days d
JOIN users u ON u.id = d.owner_id
WHERE (@see_all::boolean OR d.owner_id = sqlc.narg(own_id) OR d.team_id = sqlc.narg(team_id))
  AND d.day >= @since::date
GROUP BY u.id
HAVING sum(d.n) > 0
ORDER BY logged DESC, u.name;

-- name: LatestActivities :many
-- The latest activities in scope: what happened lately on the user's (or the team's) records.
SELECT a.id, a.type, a.subject, a.created_at, u.name AS owner_name,
       a.lead_id, a.account_id, a.contact_id, a.opportunity_id
FROM activities a
JOIN users u ON u.id = a.owner_id
WHERE (@see_all::boolean OR a.owner_id = sqlc.narg(own_id) OR a.team_id = sqlc.narg(team_id))
  AND a.created_at <= now()
ORDER BY a.created_at DESC, a.id DESC
LIMIT 8;
