-- name: ListTeams :many
SELECT t.id, t.name, (SELECT count(*) FROM users u WHERE u.team_id = t.id AND u.active)::bigint AS member_count
FROM teams t
ORDER BY t.name;

-- name: GetTeam :one
SELECT id, name FROM teams WHERE id = @id;

-- name: GetTeamByName :one
SELECT id, name FROM teams WHERE name = @name;

-- name: CreateTeam :one
INSERT INTO teams (name) VALUES (@name) RETURNING id;

-- name: RenameTeam :execrows
UPDATE teams SET name = @name WHERE id = @id;

-- name: DeleteTeam :execrows
DELETE FROM teams WHERE id = @id;
