-- name: UnreadNotifications :one
SELECT count(*) FROM notifications WHERE user_id = @user_id AND read_at IS NULL;

-- name: ListNotifications :many
-- The user's notifications, newest first, with who caused each.
SELECT n.id, n.kind, n.entity, n.record_id, n.title, n.created_at, n.read_at, coalesce(u.name, '')::text AS actor_name
FROM notifications n
LEFT JOIN users u ON u.id = n.actor_id
WHERE n.user_id = @user_id
ORDER BY n.id DESC
LIMIT 100;

-- name: ReadNotification :one
-- Marks one of the user's notifications read and says where it points.
UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = @id AND user_id = @user_id
RETURNING entity, record_id;

-- name: ReadAllNotifications :execrows
UPDATE notifications SET read_at = now() WHERE user_id = @user_id AND read_at IS NULL;

-- name: NotificationPrefs :many
SELECT kind, in_app FROM notification_prefs WHERE user_id = @user_id;

-- name: SetNotificationPref :exec
INSERT INTO notification_prefs (user_id, kind, in_app) VALUES (@user_id, @kind, @in_app)
ON CONFLICT (user_id, kind) DO UPDATE SET in_app = EXCLUDED.in_app;
