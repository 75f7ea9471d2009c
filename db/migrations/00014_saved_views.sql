-- Saved views: a user keeps a list's filters and sort under a name, may share it with their
-- team, and may make one the view a list opens with.

-- +goose Up
CREATE TABLE saved_views (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    team_id    bigint REFERENCES teams ON DELETE SET NULL, -- the owner's team, for sharing
    entity     perm_entity NOT NULL CONSTRAINT saved_views_entity_list
               CHECK (entity IN ('leads', 'accounts', 'contacts', 'opportunities')),
    name       text NOT NULL CONSTRAINT saved_views_name_not_blank CHECK (btrim(name) <> '' AND length(name) <= 60),
    query      text NOT NULL CONSTRAINT saved_views_query_length CHECK (length(query) <= 2000),
    shared     boolean NOT NULL DEFAULT false,
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT saved_views_name_key UNIQUE (user_id, entity, name)
);
CREATE UNIQUE INDEX saved_views_one_default ON saved_views (user_id, entity) WHERE is_default;
CREATE INDEX saved_views_shared_idx ON saved_views (team_id, entity) WHERE shared;

-- Users see their own views and those their team shares; they change only their own, shared
-- only with their own team.
ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY;
CREATE POLICY saved_views_read ON saved_views FOR SELECT TO crm_app USING (
    user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint)
    OR (shared AND team_id = (SELECT nullif(current_setting('crm.team_id', true), '')::bigint)));
CREATE POLICY saved_views_own ON saved_views FOR ALL TO crm_app
    USING (user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint))
    WITH CHECK (user_id = (SELECT nullif(current_setting('crm.user_id', true), '')::bigint)
        AND team_id IS NOT DISTINCT FROM (SELECT nullif(current_setting('crm.team_id', true), '')::bigint));
GRANT SELECT, INSERT, UPDATE, DELETE ON saved_views TO crm_app;

-- +goose Down
DROP TABLE saved_views;
