-- name: UpdateOwnProfile :one
-- The signed-in user's name and time zone (see crm_update_profile).
SELECT crm_update_profile(@name::text, @time_zone::text)::boolean AS updated;

-- name: ChangeOwnPassword :one
-- The signed-in user's password; the new session version (see crm_change_password).
SELECT crm_change_password(@password_hash::text)::integer AS session_version;
