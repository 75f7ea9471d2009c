-- name: GetLoginUser :one
-- The web's database role may not read password hashes in bulk: one account's comes from a function.
SELECT id, coalesce(crm_password_hash(email), '')::text AS password_hash, active, session_version FROM users WHERE email = @email;

-- name: ListUsers :many
SELECT u.id, u.email, u.name, u.active, u.role_id, u.team_id, r.name AS role_name,
       coalesce(t.name, '')::text AS team_name, u.created_at
FROM users u
JOIN roles r ON r.id = u.role_id
LEFT JOIN teams t ON t.id = u.team_id
ORDER BY u.active DESC, u.name, u.id;

-- name: GetUser :one
SELECT id, email, name, role_id, team_id, active, time_zone, updated_at FROM users WHERE id = @id;

-- name: CreateUser :one
INSERT INTO users (email, name, role_id, team_id, password_hash, time_zone)
VALUES (@email, @name, @role_id, sqlc.narg(team_id), @password_hash, @time_zone)
RETURNING id;

-- name: UpdateUser :execrows
-- Deactivation bumps session_version, which voids the user's sessions.
UPDATE users
SET email = @email, name = @name, role_id = @role_id, team_id = sqlc.narg(team_id),
    time_zone = @time_zone, active = @active,
    session_version = session_version + CASE WHEN active AND NOT @active THEN 1 ELSE 0 END
WHERE id = @id;

-- name: SetUserPassword :one
-- A new password signs the user out everywhere (session_version) and forgets failed sign-ins.
WITH u AS (
    UPDATE users SET password_hash = @password_hash, session_version = session_version + 1 WHERE users.id = @id RETURNING users.email
), forgotten AS (
    DELETE FROM login_failures WHERE email = (SELECT email FROM u)
)
SELECT email FROM u;

-- name: CountOtherActiveAdmins :one
-- Active users, other than the given one, whose role may administer the CRM.
SELECT count(*) FROM users u
JOIN role_permissions p ON p.role_id = u.role_id AND p.entity = 'admin' AND p.action = 'edit' AND p.scope = 'all'
WHERE u.active AND u.id <> @except_user_id;

-- name: CountActiveAdminsWithoutRole :one
-- Active admins that would remain if the given role lost its admin grant.
SELECT count(*) FROM users u
JOIN role_permissions p ON p.role_id = u.role_id AND p.entity = 'admin' AND p.action = 'edit' AND p.scope = 'all'
WHERE u.active AND u.role_id <> @role_id;

-- name: ListUserChoices :many
SELECT id, name FROM users WHERE active ORDER BY name, id;

-- name: CountUsers :one
SELECT count(*) FROM users;
