-- name: ListSavedViews :many
-- A list's views the user may use: their own first, then those their team shares.
SELECT v.id, v.name, v.query, v.shared, v.is_default, v.user_id = @user_id::bigint AS mine, u.name AS owner_name
FROM saved_views v
JOIN users u ON u.id = v.user_id
WHERE v.entity = @entity
ORDER BY v.user_id <> @user_id::bigint, lower(v.name);

-- name: CreateSavedView :one
INSERT INTO saved_views (user_id, team_id, entity, name, query, shared)
VALUES (@user_id, sqlc.narg(team_id), @entity, @name, @query, @shared)
RETURNING id;

-- name: ClearDefaultView :exec
UPDATE saved_views SET is_default = false WHERE user_id = @user_id AND entity = @entity AND is_default;

-- name: SetDefaultView :execrows
UPDATE saved_views SET is_default = true WHERE id = @id AND user_id = @user_id;

-- name: DeleteSavedView :execrows
DELETE FROM saved_views WHERE id = @id AND user_id = @user_id;

-- name: DefaultView :one
-- The view a list opens with for the user, if they chose one.
SELECT query FROM saved_views WHERE user_id = @user_id AND entity = @entity AND is_default;
