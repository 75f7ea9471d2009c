-- name: ListOpenTasks :many
-- Open tasks in the user's scope (or one owner's), soonest due first, undated last (due_key),
-- a page at a time after a due time (none: among the undated) and id. The related record's name is looked up per task by its key, so a
-- long list never scans those tables.
SELECT a.id, a.subject, a.due_at, a.owner_id, a.team_id, u.name AS owner_name,
       a.lead_id, a.account_id, a.contact_id, a.opportunity_id,
       coalesce((SELECT o.name FROM opportunities o WHERE o.id = a.opportunity_id),
                (SELECT nullif(btrim(c.first_name || ' ' || c.last_name), '') FROM contacts c WHERE c.id = a.contact_id),
                (SELECT ac.name FROM accounts ac WHERE ac.id = a.account_id),
                (SELECT nullif(btrim(l.first_name || ' ' || l.last_name || ' ' || l.company), '') FROM leads l WHERE l.id = a.lead_id),
                '')::text AS related
FROM (
    SELECT a.* FROM activities a
    WHERE a.type = 'task' AND a.done_at IS NULL
      AND (@see_all::boolean OR a.owner_id = sqlc.narg(own_id) OR a.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(owner)::bigint IS NULL OR a.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(after_id)::bigint IS NULL
           OR (a.due_key, a.id) > (coalesce(sqlc.narg(after_due)::timestamptz, 'infinity'), sqlc.narg(after_id)))
    ORDER BY a.due_key, a.id
    LIMIT @lim
) a
JOIN users u ON u.id = a.owner_id
ORDER BY a.due_key, a.id;

-- name: SetTaskDone :one
-- Completes a task, or reopens it (undo) when done is false.
UPDATE activities SET done_at = CASE WHEN @done::boolean THEN now() END
WHERE id = @id AND type = 'task'
RETURNING id, subject, due_at, done_at, owner_id;

-- name: AssignTask :execrows
UPDATE activities SET owner_id = @owner_id WHERE id = @id AND type = 'task';
