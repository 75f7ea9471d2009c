-- name: ListAssignableUsers :many
-- Active users a record may be given to: everyone, or only one team (NULL for all).
SELECT id, name FROM users
WHERE active AND (sqlc.narg(team_id)::bigint IS NULL OR team_id = sqlc.narg(team_id))
ORDER BY name, id;

-- name: GetUserTeam :one
SELECT team_id, active FROM users WHERE id = @id;
