-- name: ListRoles :many
SELECT r.id, r.name, r.description, r.builtin,
       (SELECT count(*) FROM users u WHERE u.role_id = r.id)::bigint AS user_count
FROM roles r
ORDER BY r.builtin DESC, r.name;

-- name: GetRole :one
SELECT id, name, description, builtin FROM roles WHERE id = @id;

-- name: GetRoleByName :one
SELECT id, name, description, builtin FROM roles WHERE name = @name;

-- name: CreateRole :one
INSERT INTO roles (name, description) VALUES (@name, @description) RETURNING id;

-- name: UpdateRole :execrows
UPDATE roles SET name = @name, description = @description WHERE id = @id AND NOT builtin;

-- name: DeleteRole :execrows
DELETE FROM roles WHERE id = @id AND NOT builtin;

-- name: ListRolePermissions :many
SELECT entity, action, scope FROM role_permissions WHERE role_id = @role_id;

-- name: SetRolePermission :exec
INSERT INTO role_permissions (role_id, entity, action, scope) VALUES (@role_id, @entity, @action, @scope)
ON CONFLICT (role_id, entity, action) DO UPDATE SET scope = excluded.scope;

-- name: TouchRole :exec
UPDATE roles SET updated_at = now() WHERE id = @id;
