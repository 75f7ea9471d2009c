-- name: Timeline :many
-- A record's timeline, newest first, a page at a time: its activities (for an account, also
-- those of its contacts and deals) and the history entries worth telling (stage, owner, amount,
-- status, conversion). Each branch reads its own index in order and stops at the page size; the
-- branches of the links not asked for are NULL comparisons the planner drops.
SELECT t.kind, t.id, t.at, t.type, t.subject, t.body, t.outcome, t.duration_minutes, t.starts_at, t.ends_at, t.due_at,
       t.done_at, t.owner_id, t.user_name, t.field, t.old_value, t.new_value
FROM (
    (SELECT 'a'::text AS kind, a.id, a.created_at AS at, a.type::text AS type, a.subject, a.body, a.outcome,
            a.duration_minutes, a.starts_at, a.ends_at, a.due_at, a.done_at, a.owner_id, u.name AS user_name,
            ''::text AS field, ''::text AS old_value, ''::text AS new_value
     FROM activities a JOIN users u ON u.id = a.owner_id
     WHERE a.lead_id = sqlc.narg(lead_id)
       AND (sqlc.narg(type)::text IS NULL OR a.type::text = sqlc.narg(type))
       AND (sqlc.narg(before_at)::timestamptz IS NULL OR (a.created_at, 'a', a.id) < (sqlc.narg(before_at), sqlc.narg(before_kind)::text, sqlc.narg(before_id)::bigint))
     ORDER BY a.created_at DESC, a.id DESC LIMIT @lim)
    UNION
    (SELECT 'a', a.id, a.created_at, a.type::text, a.subject, a.body, a.outcome,
            a.duration_minutes, a.starts_at, a.ends_at, a.due_at, a.done_at, a.owner_id, u.name,
            ''::text, ''::text, ''::text
     FROM activities a JOIN users u ON u.id = a.owner_id
     WHERE a.account_id = sqlc.narg(account_id)
       AND (sqlc.narg(type)::text IS NULL OR a.type::text = sqlc.narg(type))
       AND (sqlc.narg(before_at)::timestamptz IS NULL OR (a.created_at, 'a', a.id) < (sqlc.narg(before_at), sqlc.narg(before_kind)::text, sqlc.narg(before_id)::bigint))
     ORDER BY a.created_at DESC, a.id DESC LIMIT @lim)
    UNION
    (SELECT 'a', a.id, a.created_at, a.type::text, a.subject, a.body, a.outcome,
            a.duration_minutes, a.starts_at, a.ends_at, a.due_at, a.done_at, a.owner_id, u.name,
            ''::text, ''::text, ''::text
     FROM activities a JOIN users u ON u.id = a.owner_id
     WHERE a.contact_id = sqlc.narg(contact_id)
       AND (sqlc.narg(type)::text IS NULL OR a.type::text = sqlc.narg(type))
       AND (sqlc.narg(before_at)::timestamptz IS NULL OR (a.created_at, 'a', a.id) < (sqlc.narg(before_at), sqlc.narg(before_kind)::text, sqlc.narg(before_id)::bigint))
     ORDER BY a.created_at DESC, a.id DESC LIMIT @lim)
    UNION
    (SELECT 'a', a.id, a.created_at, a.type::text, a.subject, a.body, a.outcome,
            a.duration_minutes, a.starts_at, a.ends_at, a.due_at, a.done_at, a.owner_id, u.name,
            ''::text, ''::text, ''::text
     FROM activities a JOIN users u ON u.id = a.owner_id
     WHERE a.opportunity_id = sqlc.narg(opportunity_id)
       AND (sqlc.narg(type)::text IS NULL OR a.type::text = sqlc.narg(type))
       AND (sqlc.narg(before_at)::timestamptz IS NULL OR (a.created_at, 'a', a.id) < (sqlc.narg(before_at), sqlc.narg(before_kind)::text, sqlc.narg(before_id)::bigint))
     ORDER BY a.created_at DESC, a.id DESC LIMIT @lim)
    UNION
    (SELECT 'a', a.id, a.created_at, a.type::text, a.subject, a.body, a.outcome, a.duration_minutes, a.starts_at, a.ends_at,
            a.due_at, a.done_at, a.owner_id, u.name, '', '', ''
     FROM activities a JOIN users u ON u.id = a.owner_id
     WHERE a.contact_id = ANY(ARRAY(SELECT x.id FROM contacts x WHERE x.account_id = sqlc.narg(account_id)))
       AND (sqlc.narg(type)::text IS NULL OR a.type::text = sqlc.narg(type))
       AND (sqlc.narg(before_at)::timestamptz IS NULL OR (a.created_at, 'a', a.id) < (sqlc.narg(before_at), sqlc.narg(before_kind)::text, sqlc.narg(before_id)::bigint))
     ORDER BY a.created_at DESC, a.id DESC LIMIT @lim)
    UNION
    (SELECT 'a', a.id, a.created_at, a.type::text, a.subject, a.body, a.outcome, a.duration_minutes, a.starts_at, a.ends_at,
            a.due_at, a.done_at, a.owner_id, u.name, '', '', ''
     FROM activities a JOIN users u ON u.id = a.owner_id
     WHERE a.opportunity_id = ANY(ARRAY(SELECT x.id FROM opportunities x WHERE x.account_id = sqlc.narg(account_id)))
       AND (sqlc.narg(type)::text IS NULL OR a.type::text = sqlc.narg(type))
       AND (sqlc.narg(before_at)::timestamptz IS NULL OR (a.created_at, 'a', a.id) < (sqlc.narg(before_at), sqlc.narg(before_kind)::text, sqlc.narg(before_id)::bigint))
     ORDER BY a.created_at DESC, a.id DESC LIMIT @lim)
    UNION ALL
    (SELECT 'h', h.id, h.created_at, 'change', '', '', '', NULL, NULL, NULL, NULL, NULL, coalesce(h.user_id, 0), coalesce(u.name, 'Someone'),
            h.field,
            coalesce(fs.name, fu.name, h.old_value, ''), coalesce(ts.name, tu.name, h.new_value, '')
     FROM record_history h
     LEFT JOIN users u ON u.id = h.user_id
     LEFT JOIN pipeline_stages fs ON h.field = 'stage_id' AND fs.id::text = h.old_value
     LEFT JOIN pipeline_stages ts ON h.field = 'stage_id' AND ts.id::text = h.new_value
     LEFT JOIN users fu ON h.field = 'owner_id' AND fu.id::text = h.old_value
     LEFT JOIN users tu ON h.field = 'owner_id' AND tu.id::text = h.new_value
     WHERE h.entity = @entity AND h.record_id = @record_id
       AND h.field IN ('stage_id', 'owner_id', 'amount', 'status', 'close_date')
       AND (sqlc.narg(type)::text IS NULL OR sqlc.narg(type)::text = 'change')
       AND (sqlc.narg(before_at)::timestamptz IS NULL OR (h.created_at, 'h', h.id) < (sqlc.narg(before_at), sqlc.narg(before_kind)::text, sqlc.narg(before_id)::bigint))
     ORDER BY h.created_at DESC, h.id DESC LIMIT @lim)
) t
ORDER BY t.at DESC, t.kind DESC, t.id DESC
LIMIT @lim;

-- name: DeleteActivity :execrows
DELETE FROM activities WHERE id = @id;

-- name: GetActivityOwner :one
SELECT id, owner_id, team_id FROM activities WHERE id = @id;

-- name: GetActivity :one
SELECT id, type, subject, body, outcome, owner_id, team_id, version FROM activities WHERE id = @id;

-- name: UpdateActivity :one
-- Saves an activity's words over the version the user started from.
UPDATE activities SET subject = @subject, body = @body, outcome = @outcome
WHERE id = @id AND version = @version
RETURNING version;
