-- name: ChangesSince :many
-- Field changes to a record after a version, with who made them: what a refused stale edit shows.
SELECT h.field, h.old_value, h.new_value, h.created_at, coalesce(nullif(h.user_name, ''), 'someone')::text AS user_name
FROM record_history_named h
WHERE h.entity = @entity AND h.record_id = @record_id AND h.version > @version::integer
ORDER BY h.id;

-- name: RecordHistory :many
-- A record's history, newest first, a page at a time (before: the last id shown), with who.
SELECT h.id, h.field, h.old_value, h.new_value, h.created_at, h.user_name
FROM record_history_named h
WHERE h.entity = @entity AND h.record_id = @record_id AND (sqlc.narg(before)::bigint IS NULL OR h.id < sqlc.narg(before))
ORDER BY h.id DESC
LIMIT @lim;

-- name: BrowseHistory :many
-- All history an admin may browse, newest first, narrowed by user, record type, field and days.
SELECT h.id, h.entity, h.record_id, h.field, h.old_value, h.new_value, h.created_at, h.user_name
FROM record_history_named h
WHERE (sqlc.narg(user_id)::bigint IS NULL OR h.user_id = sqlc.narg(user_id))
  AND (sqlc.narg(entity)::perm_entity IS NULL OR h.entity = sqlc.narg(entity))
  AND (sqlc.narg(field)::text IS NULL OR h.field = sqlc.narg(field))
  AND (sqlc.narg(since)::date IS NULL OR h.created_at >= sqlc.narg(since)::date)
  AND (sqlc.narg(until)::date IS NULL OR h.created_at < sqlc.narg(until)::date + 1)
  AND (sqlc.narg(before)::bigint IS NULL OR h.id < sqlc.narg(before))
ORDER BY h.id DESC
LIMIT @lim;
