-- name: CreateActivity :one
INSERT INTO activities (owner_id, type, subject, body, outcome, duration_minutes, starts_at, due_at, done_at,
                        lead_id, account_id, contact_id, opportunity_id, created_at)
VALUES (@owner_id, @type, @subject, @body, @outcome, sqlc.narg(duration_minutes), sqlc.narg(starts_at), sqlc.narg(due_at), sqlc.narg(done_at),
        sqlc.narg(lead_id), sqlc.narg(account_id), sqlc.narg(contact_id), sqlc.narg(opportunity_id), @created_at)
RETURNING id;

-- name: RecentActivities :many
-- The latest activities linked to a record (the timeline of issue #5 pages through all of them).
SELECT a.id, a.type, a.subject, a.body, a.due_at, a.done_at, a.created_at, u.name AS owner_name
FROM activities a
JOIN users u ON u.id = a.owner_id
WHERE (sqlc.narg(lead_id)::bigint IS NOT NULL AND a.lead_id = sqlc.narg(lead_id))
   OR (sqlc.narg(account_id)::bigint IS NOT NULL AND a.account_id = sqlc.narg(account_id))
   OR (sqlc.narg(contact_id)::bigint IS NOT NULL AND a.contact_id = sqlc.narg(contact_id))
   OR (sqlc.narg(opportunity_id)::bigint IS NOT NULL AND a.opportunity_id = sqlc.narg(opportunity_id))
ORDER BY a.created_at DESC, a.id DESC
LIMIT 20;
