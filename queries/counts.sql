-- name: CountKept :one
-- How many records of an entity a list holds, from the counts the triggers keep: in the user's
-- scope, of one owner or team, in one bucket (a lead status, a deal stage) or all of them.
SELECT coalesce(sum(n), 0)::bigint FROM record_counts
WHERE entity = @entity::text
  AND (@see_all::boolean OR owner_id = sqlc.narg(own_id) OR team_id = sqlc.narg(team_id))
  AND (sqlc.narg(owner)::bigint IS NULL OR owner_id = sqlc.narg(owner))
  AND (sqlc.narg(team)::bigint IS NULL OR team_id = sqlc.narg(team))
  AND (sqlc.narg(bucket)::text IS NULL OR bucket = sqlc.narg(bucket));
