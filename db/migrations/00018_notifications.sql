-- Notifications: what the CRM tells a user, kind by kind as they choose. The database writes
-- them (a task given to someone else, an @mention in a note on a record the mentioned user may
-- see), so no path through the app forgets to; users read and mark their own.

-- +goose Up
CREATE TYPE notification_kind AS ENUM ('mention', 'task_assigned');

CREATE TABLE notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    kind       notification_kind NOT NULL,
    actor_id   bigint REFERENCES users ON DELETE SET NULL,
    entity     perm_entity NOT NULL,
    record_id  bigint NOT NULL,
    title      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_actor_idx ON notifications (actor_id);

-- A kind a user switched off has a row here; every other kind comes in the app.
CREATE TABLE notification_prefs (
    user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    kind    notification_kind NOT NULL,
    in_app  boolean NOT NULL,
    PRIMARY KEY (user_id, kind)
);

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY notifications_own ON notifications FOR SELECT TO crm_app
    USING (user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint));
CREATE POLICY notifications_mark ON notifications FOR UPDATE TO crm_app
    USING (user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint))
    WITH CHECK (user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint));
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON notifications FROM crm_app;
GRANT SELECT, UPDATE (read_at) ON notifications TO crm_app;
ALTER TABLE notification_prefs ENABLE ROW LEVEL SECURITY;
CREATE POLICY notification_prefs_own ON notification_prefs FOR ALL TO crm_app
    USING (user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint))
    WITH CHECK (user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint));
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_prefs TO crm_app;

-- crm_user_sees(user, entity, owner, team): whether a user's role lets them see a record with this
-- owner and team (the view policies' rule, for someone other than the one asking).
-- +goose StatementBegin
CREATE FUNCTION crm_user_sees(who bigint, entity perm_entity, owner bigint, team bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    SELECT coalesce((
        SELECT CASE p.scope WHEN 'all' THEN true
                            WHEN 'team' THEN coalesce(team = u.team_id, owner = u.id)
                            WHEN 'own' THEN owner = u.id
                            ELSE false END
        FROM users u JOIN role_permissions p ON p.role_id = u.role_id AND p.entity = crm_user_sees.entity AND p.action = 'view'
        WHERE u.id = who AND u.active), false)
$$;

-- notify_activity: a task given to someone other than the one giving it tells them; a note that
-- mentions "@First Last" (or "@First", when only one active user has that first name) tells each
-- one mentioned who may see the record the note is on. Kinds switched off are not written.
CREATE FUNCTION notify_activity() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    me bigint := crm_user_id();
    entity perm_entity;
    rid bigint;
    r_owner bigint;
    r_team bigint;
BEGIN
    entity := CASE WHEN NEW.opportunity_id IS NOT NULL THEN 'opportunities' WHEN NEW.contact_id IS NOT NULL THEN 'contacts'
                   WHEN NEW.account_id IS NOT NULL THEN 'accounts' ELSE 'leads' END;
    rid := coalesce(NEW.opportunity_id, NEW.contact_id, NEW.account_id, NEW.lead_id);
    IF NEW.type = 'task' AND NEW.done_at IS NULL AND NEW.owner_id IS DISTINCT FROM me AND me IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.owner_id IS DISTINCT FROM OLD.owner_id)
       AND NOT EXISTS (SELECT FROM notification_prefs p WHERE p.user_id = NEW.owner_id AND p.kind = 'task_assigned' AND NOT p.in_app) THEN
        INSERT INTO notifications (user_id, kind, actor_id, entity, record_id, title)
        VALUES (NEW.owner_id, 'task_assigned', me, entity, rid, NEW.subject);
    END IF;
    IF TG_OP = 'INSERT' AND NEW.type = 'note' AND position('@' IN NEW.subject || ' ' || NEW.body) > 0 THEN
        EXECUTE format('SELECT owner_id, team_id FROM %I WHERE id = $1', entity) INTO r_owner, r_team USING rid;
        INSERT INTO notifications (user_id, kind, actor_id, entity, record_id, title)
        SELECT u.id, 'mention', me, entity, rid, NEW.subject
        FROM users u
        WHERE u.active AND u.id IS DISTINCT FROM me
          AND (strpos(lower(NEW.subject || ' ' || NEW.body), '@' || lower(u.name)) > 0
               OR (strpos(lower(NEW.subject || ' ' || NEW.body), '@' || lower(split_part(u.name, ' ', 1))) > 0
                   AND (SELECT count(*) FROM users o WHERE o.active AND lower(split_part(o.name, ' ', 1)) = lower(split_part(u.name, ' ', 1))) = 1))
          AND crm_user_sees(u.id, entity, r_owner, r_team)
          AND NOT EXISTS (SELECT FROM notification_prefs p WHERE p.user_id = u.id AND p.kind = 'mention' AND NOT p.in_app);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER activities_notify AFTER INSERT OR UPDATE OF owner_id ON activities FOR EACH ROW EXECUTE FUNCTION notify_activity();

-- +goose Down
DROP TRIGGER activities_notify ON activities;
DROP FUNCTION notify_activity(), crm_user_sees(bigint, perm_entity, bigint, bigint);
DROP TABLE notification_prefs, notifications;
DROP TYPE notification_kind;
