-- The web pool signs in as crm_app itself: a role that owns nothing, is no superuser and cannot
-- bypass row-level security, so that even a "RESET ROLE" leaves every policy in force. It may not
-- read the password hashes in bulk (sign-in asks a function for one account's) nor touch the
-- migrations' bookkeeping.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    ALTER ROLE crm_app LOGIN;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'crm_app cannot sign in yet: a database administrator must run ALTER ROLE crm_app LOGIN PASSWORD ...';
END
$$;
-- +goose StatementEnd

REVOKE ALL ON goose_db_version FROM crm_app;

-- Every column of users but the password hash.
REVOKE SELECT ON users FROM crm_app;
GRANT SELECT (id, email, name, role_id, team_id, active, time_zone, session_version, created_at, updated_at) ON users TO crm_app;

-- The session store works on the sessions table directly.
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO crm_app;

-- Sign-in reads the hash of one account at a time, by its email.
CREATE FUNCTION crm_password_hash(e citext) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
AS $$ SELECT u.password_hash FROM users u WHERE u.email = e $$;
REVOKE ALL ON FUNCTION crm_password_hash(citext) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_password_hash(citext) TO crm_app;

-- The open tasks of a session's user, from the kept counts, which row-level security hides from
-- a request that has no access context yet: only for the holder of a live session's token.
CREATE FUNCTION crm_session_open_tasks(tok text) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce(sum(c.n), 0)::bigint FROM sessions s
    JOIN record_counts c ON c.owner_id = s.user_id AND c.entity = 'activities' AND c.bucket = 'open_task'
    WHERE s.token = tok AND now() < s.expiry
$$;
REVOKE ALL ON FUNCTION crm_session_open_tasks(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_session_open_tasks(text) TO crm_app;

-- Security-definer functions name the schemas they use, so nobody's temporary objects can stand
-- in for them.
ALTER FUNCTION record_changes() SET search_path = pg_catalog, public, pg_temp;

-- +goose Down
ALTER FUNCTION record_changes() SET search_path = public;
DROP FUNCTION crm_session_open_tasks(text), crm_password_hash(citext);
REVOKE SELECT, INSERT, UPDATE, DELETE ON sessions FROM crm_app;
REVOKE SELECT ON users FROM crm_app;
GRANT SELECT ON users TO crm_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON goose_db_version TO crm_app;
