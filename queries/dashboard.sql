-- name: MyDashboard :one
-- The signed-in user's own numbers; every count is served by an owner_id index.
SELECT
    (SELECT count(*) FROM leads l WHERE l.owner_id = @user_id AND l.status IN ('new', 'contacted', 'qualified'))::bigint AS open_leads,
    (SELECT count(*) FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
     WHERE o.owner_id = @user_id AND s.kind = 'open')::bigint AS open_deals,
    (SELECT coalesce(sum(o.amount), 0) FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
     WHERE o.owner_id = @user_id AND s.kind = 'open')::numeric AS open_amount,
    (SELECT count(*) FROM activities a WHERE a.owner_id = @user_id AND a.type = 'task' AND a.done_at IS NULL)::bigint AS open_tasks,
    (SELECT count(*) FROM activities a WHERE a.owner_id = @user_id AND a.type = 'task' AND a.done_at IS NULL
     AND a.due_at < now())::bigint AS overdue_tasks;

-- name: PipelineByStage :many
-- Open deals the user may see in the default pipeline, per stage. The scope predicate repeats
-- what row-level security enforces, so the planner can use the owner or team index.
SELECT s.id, s.name, s.probability,
       count(o.id)::bigint AS deals,
       coalesce(sum(o.amount), 0)::numeric AS amount
FROM pipeline_stages s
JOIN pipelines p ON p.id = s.pipeline_id AND p.is_default
LEFT JOIN opportunities o ON o.stage_id = s.id
    AND (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
WHERE s.kind = 'open'
GROUP BY s.id
ORDER BY s.position;

-- name: ClosingBetween :many
-- Open deals in scope expected to close in a date range (this month on the dashboard).
SELECT o.id, o.name, o.amount, o.currency, o.close_date, u.name AS owner_name
FROM opportunities o
JOIN pipeline_stages s ON s.id = o.stage_id AND s.kind = 'open'
JOIN users u ON u.id = o.owner_id
WHERE (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
  AND o.close_date BETWEEN @close_from::date AND @close_to::date
ORDER BY o.close_date, o.id
LIMIT 10;

-- name: SlippingDeals :many
-- Open deals in scope whose close date has passed or that have sat in their stage too long.
SELECT o.id, o.name, o.amount, o.currency, o.close_date, o.stage_changed_at, s.name AS stage_name, u.name AS owner_name
FROM opportunities o
JOIN pipeline_stages s ON s.id = o.stage_id AND s.kind = 'open'
JOIN users u ON u.id = o.owner_id
WHERE (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
  AND (o.close_date < current_date OR o.stage_changed_at < now() - make_interval(days => @stalled_days::int))
ORDER BY o.close_date, o.id
LIMIT 10;

-- name: PipelineByOwner :many
-- Open deals in scope per owner: how many and how much.
SELECT u.id, u.name, count(o.id)::bigint AS deals, coalesce(sum(o.amount), 0)::numeric AS amount
FROM opportunities o
JOIN pipeline_stages s ON s.id = o.stage_id AND s.kind = 'open'
JOIN users u ON u.id = o.owner_id
WHERE (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
GROUP BY u.id
ORDER BY amount DESC, u.name
LIMIT 50;

-- name: ActivitiesSinceByOwner :many
-- Activities logged in scope since a moment (the start of the week), per owner.
SELECT u.id, u.name, count(*)::bigint AS logged,
       count(*) FILTER (WHERE a.type = 'call')::bigint AS calls,
       count(*) FILTER (WHERE a.type = 'meeting')::bigint AS meetings
FROM activities a
JOIN users u ON u.id = a.owner_id
WHERE (@see_all::boolean OR a.owner_id = sqlc.narg(own_id) OR a.team_id = sqlc.narg(team_id))
  AND a.created_at >= @since::timestamptz
GROUP BY u.id
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
