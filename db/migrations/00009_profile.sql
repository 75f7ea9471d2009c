-- Everyone may change their own name, time zone and password, and nothing else of their account.
-- Row-level security cannot say which columns an update may touch, so these are functions that
-- change only the signed-in user's row (crm.user_id), only those columns.

-- +goose Up
CREATE FUNCTION crm_update_profile(new_name text, new_time_zone text) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH u AS (
        UPDATE users SET name = new_name, time_zone = new_time_zone
        WHERE id = nullif(current_setting('crm.user_id', true), '')::bigint AND active
        RETURNING id
    )
    SELECT EXISTS (SELECT FROM u)
$$;

-- A new password signs the user's other sessions out (session_version) and forgets failed
-- sign-ins, as an admin's reset does; the new version is returned for the session that changed it.
CREATE FUNCTION crm_change_password(new_hash text) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    WITH u AS (
        UPDATE users SET password_hash = new_hash, session_version = session_version + 1
        WHERE id = nullif(current_setting('crm.user_id', true), '')::bigint AND active
        RETURNING email, session_version
    ), forgotten AS (
        DELETE FROM login_failures WHERE email = (SELECT email FROM u)
    )
    SELECT session_version FROM u
$$;

REVOKE ALL ON FUNCTION crm_update_profile(text, text), crm_change_password(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_update_profile(text, text), crm_change_password(text) TO crm_app;

-- +goose Down
DROP FUNCTION crm_update_profile(text, text), crm_change_password(text);
