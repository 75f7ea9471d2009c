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

-- name: MyOpenTasks :many
SELECT a.id, a.subject, a.due_at,
       coalesce(ac.name, nullif(btrim(c.first_name || ' ' || c.last_name), ''), nullif(btrim(l.first_name || ' ' || l.last_name || ' ' || l.company), ''), o.name, '')::text AS related
FROM activities a
LEFT JOIN accounts ac ON ac.id = a.account_id
LEFT JOIN contacts c ON c.id = a.contact_id
LEFT JOIN leads l ON l.id = a.lead_id
LEFT JOIN opportunities o ON o.id = a.opportunity_id
WHERE a.owner_id = @user_id AND a.type = 'task' AND a.done_at IS NULL
ORDER BY a.due_at NULLS LAST, a.id
LIMIT 10;

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
