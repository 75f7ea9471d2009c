-- name: ListAssignableUsers :many
-- Active users a record may be given to: everyone, or only one team (NULL for all).
SELECT id, name FROM users
WHERE active AND (sqlc.narg(team_id)::bigint IS NULL OR team_id = sqlc.narg(team_id))
ORDER BY name, id;

-- name: GetUserTeam :one
SELECT team_id, active FROM users WHERE id = @id;

-- name: ListFilterChoices :many
-- The people and the teams that a list's owner and team filters offer, in one round trip.
SELECT 'user'::text AS kind, id, name::text AS name FROM users WHERE active
UNION ALL
SELECT 'team', id, name::text FROM teams
ORDER BY kind DESC, name, id;
