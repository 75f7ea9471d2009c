-- name: FindSession :one
-- A live session with its signed-in user, if any: everything a request needs about who is asking,
-- in one query. The badge's open tasks come from the counts the triggers keep.
SELECT s.data, s.expiry,
       u.id AS user_id, u.email, u.name, u.team_id, coalesce(u.active, false) AS active, u.time_zone, u.session_version,
       r.name AS role_name, t.name AS team_name,
       coalesce((SELECT jsonb_object_agg(p.entity || '.' || p.action, p.scope)
                 FROM role_permissions p WHERE p.role_id = u.role_id), '{}')::text AS scopes,
       crm_session_open_tasks(s.token)::bigint AS open_tasks
FROM sessions s
LEFT JOIN users u ON u.id = s.user_id
LEFT JOIN roles r ON r.id = u.role_id
LEFT JOIN teams t ON t.id = u.team_id
WHERE s.token = @token AND now() < s.expiry;

-- name: SaveSession :exec
INSERT INTO sessions (token, data, expiry, user_id) VALUES (@token, @data, @expiry, sqlc.narg(user_id))
ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id;

-- name: DeleteSession :exec
DELETE FROM sessions WHERE token = @token;

-- name: DeleteExpiredSessions :execrows
DELETE FROM sessions WHERE expiry < now();
