-- The foundation: people and access, the core sales records, and row-level security.
-- Forward only once landed: change the schema in a new migration.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Web requests run as crm_app, a role that owns nothing, is no superuser and cannot bypass RLS,
-- so the policies below apply even when DATABASE_URL names a superuser.
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm_app') THEN
        CREATE ROLE crm_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT pg_has_role(current_user, 'crm_app', 'MEMBER') THEN
        EXECUTE format('GRANT crm_app TO %I', current_user);
    END IF;
END
$$;
-- +goose StatementEnd
GRANT USAGE ON SCHEMA public TO crm_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO crm_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO crm_app;

CREATE TYPE perm_entity AS ENUM ('leads', 'accounts', 'contacts', 'opportunities', 'activities', 'reports', 'admin');
CREATE TYPE perm_action AS ENUM ('view', 'create', 'edit', 'delete', 'export');
CREATE TYPE perm_scope AS ENUM ('none', 'own', 'team', 'all');
CREATE TYPE lead_status AS ENUM ('new', 'contacted', 'qualified', 'unqualified', 'converted');
CREATE TYPE activity_type AS ENUM ('note', 'call', 'email', 'meeting', 'task');
CREATE TYPE stage_kind AS ENUM ('open', 'won', 'lost');

-- The access context of the current transaction, set by db.InTx. Unset means no user: every
-- scope reads 'none' and the policies let nothing through.
CREATE FUNCTION crm_user_id() RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('crm.user_id', true), '')::bigint $$;

CREATE FUNCTION crm_team_id() RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('crm.team_id', true), '')::bigint $$;

CREATE FUNCTION crm_scope(entity text, action text) RETURNS perm_scope LANGUAGE sql STABLE
AS $$ SELECT coalesce((nullif(current_setting('crm.scopes', true), '')::jsonb ->> (entity || '.' || action))::perm_scope, 'none') $$;

-- The user a scope lets through by ownership (own or team), and the team a team scope lets through.
CREATE FUNCTION crm_scope_user(entity text, action text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT CASE WHEN crm_scope(entity, action) IN ('own', 'team') THEN crm_user_id() END $$;

CREATE FUNCTION crm_scope_team(entity text, action text) RETURNS bigint LANGUAGE sql STABLE
AS $$ SELECT CASE WHEN crm_scope(entity, action) = 'team' THEN crm_team_id() END $$;

-- +goose StatementBegin
CREATE FUNCTION touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- Optimistic locking: every update of a business record moves its version on.
-- +goose StatementBegin
CREATE FUNCTION bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
-- +goose StatementEnd

CREATE TABLE roles (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        citext NOT NULL CONSTRAINT roles_name_key UNIQUE
                CONSTRAINT roles_name_not_blank CHECK (btrim(name) <> ''),
    description text NOT NULL DEFAULT '',
    builtin     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE role_permissions (
    role_id bigint NOT NULL REFERENCES roles ON DELETE CASCADE,
    entity  perm_entity NOT NULL,
    action  perm_action NOT NULL,
    scope   perm_scope NOT NULL,
    PRIMARY KEY (role_id, entity, action)
);

CREATE TABLE teams (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       citext NOT NULL CONSTRAINT teams_name_key UNIQUE
               CONSTRAINT teams_name_not_blank CHECK (btrim(name) <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           citext NOT NULL CONSTRAINT users_email_key UNIQUE
                    CONSTRAINT users_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    name            text NOT NULL CONSTRAINT users_name_not_blank CHECK (btrim(name) <> ''),
    role_id         bigint NOT NULL REFERENCES roles ON DELETE RESTRICT,
    team_id         bigint REFERENCES teams ON DELETE SET NULL,
    password_hash   text NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    time_zone       text NOT NULL DEFAULT 'UTC',
    -- Bumped on deactivation and password reset: sessions carrying an older value are void.
    session_version integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_role_id_idx ON users (role_id);
CREATE INDEX users_team_id_idx ON users (team_id);
CREATE INDEX users_name_idx ON users (name, id);

-- scs pgxstore's schema.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed logins, counted per account and per client address to throttle guessing.
CREATE TABLE login_failures (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      citext NOT NULL,
    ip         text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email, created_at);
CREATE INDEX login_failures_ip_idx ON login_failures (ip, created_at);

CREATE TABLE pipelines (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       citext NOT NULL CONSTRAINT pipelines_name_key UNIQUE
               CONSTRAINT pipelines_name_not_blank CHECK (btrim(name) <> ''),
    is_default boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX pipelines_one_default_key ON pipelines (is_default) WHERE is_default;

CREATE TABLE pipeline_stages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pipeline_id bigint NOT NULL REFERENCES pipelines ON DELETE CASCADE,
    name        text NOT NULL CONSTRAINT pipeline_stages_name_not_blank CHECK (btrim(name) <> ''),
    position    integer NOT NULL,
    probability integer NOT NULL
                CONSTRAINT pipeline_stages_probability_range CHECK (probability BETWEEN 0 AND 100),
    kind        stage_kind NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pipeline_stages_name_key UNIQUE (pipeline_id, name),
    -- Deferrable so a reorder can swap positions inside one transaction.
    CONSTRAINT pipeline_stages_position_key UNIQUE (pipeline_id, position) DEFERRABLE INITIALLY DEFERRED,
    -- Target of opportunities' composite key: a deal's stage belongs to the deal's pipeline.
    CONSTRAINT pipeline_stages_pipeline_id_id_key UNIQUE (pipeline_id, id)
);

CREATE TABLE accounts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id       bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
    team_id        bigint REFERENCES teams ON DELETE SET NULL,
    name           text NOT NULL CONSTRAINT accounts_name_not_blank CHECK (btrim(name) <> ''),
    domain         citext CONSTRAINT accounts_domain_key UNIQUE
                   CONSTRAINT accounts_domain_format CHECK (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
    industry       text NOT NULL DEFAULT '',
    employees      integer CONSTRAINT accounts_employees_nonnegative CHECK (employees >= 0),
    annual_revenue numeric(16, 2) CONSTRAINT accounts_annual_revenue_nonnegative CHECK (annual_revenue >= 0),
    phone          text NOT NULL DEFAULT '',
    street         text NOT NULL DEFAULT '',
    city           text NOT NULL DEFAULT '',
    region         text NOT NULL DEFAULT '',
    postal_code    text NOT NULL DEFAULT '',
    country        text NOT NULL DEFAULT '',
    custom         jsonb NOT NULL DEFAULT '{}',
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    search         tsvector GENERATED ALWAYS AS (
                       to_tsvector('simple', name || ' ' || coalesce(domain::text, '') || ' ' || industry || ' ' || city)
                   ) STORED,
    -- Lower-cased text for as-you-type search with trigrams.
    search_text    text GENERATED ALWAYS AS (lower(name || ' ' || coalesce(domain::text, ''))) STORED
);

CREATE TABLE contacts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id   bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
    team_id    bigint REFERENCES teams ON DELETE SET NULL,
    account_id bigint REFERENCES accounts ON DELETE RESTRICT,
    first_name text NOT NULL DEFAULT '',
    last_name  text NOT NULL CONSTRAINT contacts_last_name_not_blank CHECK (btrim(last_name) <> ''),
    email      citext CONSTRAINT contacts_email_key UNIQUE
               CONSTRAINT contacts_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    phone      text NOT NULL DEFAULT '',
    title      text NOT NULL DEFAULT '',
    custom     jsonb NOT NULL DEFAULT '{}',
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    search     tsvector GENERATED ALWAYS AS (
                   to_tsvector('simple', first_name || ' ' || last_name || ' ' || coalesce(email::text, '') || ' ' || title)
               ) STORED,
    search_text text GENERATED ALWAYS AS (lower(first_name || ' ' || last_name || ' ' || coalesce(email::text, ''))) STORED
);

CREATE TABLE opportunities (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id    bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
    team_id     bigint REFERENCES teams ON DELETE SET NULL,
    name        text NOT NULL CONSTRAINT opportunities_name_not_blank CHECK (btrim(name) <> ''),
    account_id  bigint NOT NULL REFERENCES accounts ON DELETE RESTRICT,
    contact_id  bigint REFERENCES contacts ON DELETE SET NULL,
    pipeline_id bigint NOT NULL REFERENCES pipelines ON DELETE RESTRICT,
    stage_id    bigint NOT NULL REFERENCES pipeline_stages ON DELETE RESTRICT,
    amount      numeric(14, 2) NOT NULL CONSTRAINT opportunities_amount_positive CHECK (amount > 0),
    currency    char(3) NOT NULL DEFAULT 'USD' CONSTRAINT opportunities_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    close_date  date NOT NULL,
    -- Order within the stage column; numeric so a card dropped between two others takes the
    -- midpoint and no column is ever renumbered.
    position    numeric NOT NULL DEFAULT 0,
    lost_reason text NOT NULL DEFAULT '',
    stage_changed_at timestamptz NOT NULL DEFAULT now(),
    closed_at   timestamptz,
    custom      jsonb NOT NULL DEFAULT '{}',
    version     integer NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    search      tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED,
    search_text text GENERATED ALWAYS AS (lower(name)) STORED,
    CONSTRAINT opportunities_stage_in_pipeline FOREIGN KEY (pipeline_id, stage_id)
        REFERENCES pipeline_stages (pipeline_id, id)
);

CREATE TABLE leads (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id     bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
    team_id      bigint REFERENCES teams ON DELETE SET NULL,
    first_name   text NOT NULL DEFAULT '',
    last_name    text NOT NULL DEFAULT '',
    company      text NOT NULL DEFAULT '',
    title        text NOT NULL DEFAULT '',
    email        citext CONSTRAINT leads_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    phone        text NOT NULL DEFAULT '',
    source       text NOT NULL DEFAULT '',
    status       lead_status NOT NULL DEFAULT 'new',
    converted_account_id     bigint REFERENCES accounts ON DELETE SET NULL,
    converted_contact_id     bigint REFERENCES contacts ON DELETE SET NULL,
    converted_opportunity_id bigint REFERENCES opportunities ON DELETE SET NULL,
    converted_at timestamptz,
    custom       jsonb NOT NULL DEFAULT '{}',
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    search       tsvector GENERATED ALWAYS AS (
                     to_tsvector('simple', first_name || ' ' || last_name || ' ' || company || ' ' || coalesce(email::text, ''))
                 ) STORED,
    search_text  text GENERATED ALWAYS AS (lower(first_name || ' ' || last_name || ' ' || company || ' ' || coalesce(email::text, ''))) STORED,
    CONSTRAINT leads_named CHECK (btrim(last_name) <> '' OR btrim(company) <> ''),
    CONSTRAINT leads_conversion_recorded CHECK ((status = 'converted') = (converted_at IS NOT NULL))
);

CREATE TABLE activities (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id         bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
    team_id          bigint REFERENCES teams ON DELETE SET NULL,
    type             activity_type NOT NULL,
    subject          text NOT NULL CONSTRAINT activities_subject_not_blank CHECK (btrim(subject) <> ''),
    body             text NOT NULL DEFAULT '',
    outcome          text NOT NULL DEFAULT '',
    duration_minutes integer CONSTRAINT activities_duration_nonnegative CHECK (duration_minutes >= 0),
    starts_at        timestamptz,
    due_at           timestamptz,
    done_at          timestamptz,
    -- An activity belongs to its records and goes when they go.
    lead_id          bigint REFERENCES leads ON DELETE CASCADE,
    account_id       bigint REFERENCES accounts ON DELETE CASCADE,
    contact_id       bigint REFERENCES contacts ON DELETE CASCADE,
    opportunity_id   bigint REFERENCES opportunities ON DELETE CASCADE,
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT activities_linked_to_record CHECK (num_nonnulls(lead_id, account_id, contact_id, opportunity_id) >= 1)
);

CREATE TABLE record_history (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity     perm_entity NOT NULL,
    record_id  bigint NOT NULL,
    user_id    bigint REFERENCES users ON DELETE SET NULL,
    -- The record's version after the change, so a refused stale edit can say what changed since.
    version    integer,
    field      text NOT NULL,
    old_value  text,
    new_value  text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX record_history_record_idx ON record_history (entity, record_id, created_at DESC, id DESC);
CREATE INDEX record_history_user_id_idx ON record_history (user_id);

-- Foreign keys and default list sorts.
CREATE INDEX accounts_owner_id_idx ON accounts (owner_id, name, id);
CREATE INDEX accounts_team_id_idx ON accounts (team_id, name, id);
CREATE INDEX accounts_name_idx ON accounts (name, id);
CREATE INDEX accounts_created_at_idx ON accounts (created_at, id);
CREATE INDEX contacts_owner_id_idx ON contacts (owner_id, last_name, id);
CREATE INDEX contacts_team_id_idx ON contacts (team_id, last_name, id);
CREATE INDEX contacts_account_id_idx ON contacts (account_id);
CREATE INDEX contacts_name_idx ON contacts (last_name, id);
CREATE INDEX contacts_created_at_idx ON contacts (created_at, id);
CREATE INDEX opportunities_owner_id_idx ON opportunities (owner_id, close_date, id);
CREATE INDEX opportunities_team_id_idx ON opportunities (team_id, close_date, id);
CREATE INDEX opportunities_account_id_idx ON opportunities (account_id);
CREATE INDEX opportunities_contact_id_idx ON opportunities (contact_id);
CREATE INDEX opportunities_pipeline_stage_idx ON opportunities (pipeline_id, stage_id);
-- Board columns for everyone, a rep (own) and a manager (team) come straight off these; the
-- included columns let the column totals be summed from the index alone.
CREATE INDEX opportunities_stage_position_idx ON opportunities (stage_id, position, id) INCLUDE (amount, owner_id, team_id, close_date);
CREATE INDEX opportunities_owner_stage_idx ON opportunities (owner_id, stage_id, position, id) INCLUDE (amount, team_id, close_date);
CREATE INDEX opportunities_team_stage_idx ON opportunities (team_id, stage_id, position, id) INCLUDE (amount, owner_id, close_date);
CREATE INDEX opportunities_close_date_idx ON opportunities (close_date, id);
CREATE INDEX opportunities_amount_idx ON opportunities (amount, id);
CREATE INDEX opportunities_name_idx ON opportunities (name, id);
CREATE INDEX opportunities_created_at_idx ON opportunities (created_at, id);
CREATE INDEX leads_owner_id_idx ON leads (owner_id, created_at DESC, id DESC);
CREATE INDEX leads_team_id_idx ON leads (team_id, created_at DESC, id DESC);
CREATE INDEX leads_created_at_idx ON leads (created_at DESC, id DESC);
CREATE INDEX leads_name_idx ON leads (last_name, id);
CREATE INDEX leads_company_idx ON leads (company, id);
CREATE INDEX leads_status_idx ON leads (status, created_at DESC, id DESC);
CREATE INDEX leads_source_idx ON leads (source, created_at DESC, id DESC);
CREATE INDEX leads_converted_account_id_idx ON leads (converted_account_id);
CREATE INDEX leads_converted_contact_id_idx ON leads (converted_contact_id);
CREATE INDEX leads_converted_opportunity_id_idx ON leads (converted_opportunity_id);
CREATE INDEX activities_owner_id_idx ON activities (owner_id, created_at DESC, id DESC);
CREATE INDEX activities_created_at_idx ON activities (created_at DESC, id DESC);
-- Open tasks: the task list, the dashboard and the navigation badge read only these.
CREATE INDEX activities_open_tasks_owner_idx ON activities (owner_id, due_at, id) WHERE type = 'task' AND done_at IS NULL;
CREATE INDEX activities_open_tasks_team_idx ON activities (team_id, due_at, id) WHERE type = 'task' AND done_at IS NULL;
CREATE INDEX activities_team_id_idx ON activities (team_id, created_at DESC, id DESC);
CREATE INDEX activities_lead_id_idx ON activities (lead_id, created_at DESC, id DESC);
CREATE INDEX activities_account_id_idx ON activities (account_id, created_at DESC, id DESC);
CREATE INDEX activities_contact_id_idx ON activities (contact_id, created_at DESC, id DESC);
CREATE INDEX activities_opportunity_id_idx ON activities (opportunity_id, created_at DESC, id DESC);

-- Search: full text for words, trigrams for fragments and typos.
CREATE INDEX accounts_search_idx ON accounts USING gin (search);
CREATE INDEX contacts_search_idx ON contacts USING gin (search);
CREATE INDEX leads_search_idx ON leads USING gin (search);
CREATE INDEX opportunities_search_idx ON opportunities USING gin (search);
CREATE INDEX accounts_search_text_idx ON accounts USING gin (search_text gin_trgm_ops);
CREATE INDEX contacts_search_text_idx ON contacts USING gin (search_text gin_trgm_ops);
CREATE INDEX leads_search_text_idx ON leads USING gin (search_text gin_trgm_ops);
CREATE INDEX opportunities_search_text_idx ON opportunities USING gin (search_text gin_trgm_ops);
CREATE INDEX accounts_custom_idx ON accounts USING gin (custom);
CREATE INDEX contacts_custom_idx ON contacts USING gin (custom);
CREATE INDEX leads_custom_idx ON leads USING gin (custom);
CREATE INDEX opportunities_custom_idx ON opportunities USING gin (custom);

-- A record's team_id is its owner's team, so a team scope is an index lookup, not a join.
-- Security definer: the users' team must be followed whoever edits the user.
-- +goose StatementBegin
CREATE FUNCTION follow_owner_team() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.team_id := (SELECT team_id FROM users WHERE id = NEW.owner_id);
    RETURN NEW;
END
$$;

CREATE FUNCTION move_records_with_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
    UPDATE leads SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE accounts SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE contacts SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE opportunities SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    UPDATE activities SET team_id = NEW.team_id WHERE owner_id = NEW.id;
    RETURN NULL;
END
$$;

-- Writes one record_history row per changed business field, with the user of the access context.
CREATE FUNCTION record_changes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
    k text;
BEGIN
    FOR k IN SELECT jsonb_object_keys(new_row) LOOP
        CONTINUE WHEN k IN ('id', 'version', 'created_at', 'updated_at', 'search', 'search_text', 'team_id', 'position', 'stage_changed_at');
        IF old_row -> k IS DISTINCT FROM new_row -> k THEN
            INSERT INTO record_history (entity, record_id, user_id, version, field, old_value, new_value)
            VALUES (TG_TABLE_NAME::perm_entity, NEW.id, crm_user_id(), NEW.version, k, old_row ->> k, new_row ->> k);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER users_move_records AFTER UPDATE OF team_id ON users
    FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id) EXECUTE FUNCTION move_records_with_user();

CREATE TRIGGER roles_touch BEFORE UPDATE ON roles FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER teams_touch BEFORE UPDATE ON teams FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER pipelines_touch BEFORE UPDATE ON pipelines FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER pipeline_stages_touch BEFORE UPDATE ON pipeline_stages FOR EACH ROW EXECUTE FUNCTION touch_row();

-- The policy expression for one entity and action, used only while this migration runs.
CREATE FUNCTION crm_scope_sql(entity text, action text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT format('(SELECT crm_scope(%1$L, %2$L)) = ''all'' OR owner_id = (SELECT crm_scope_user(%1$L, %2$L)) OR team_id = (SELECT crm_scope_team(%1$L, %2$L))', entity, action) $$;

-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['leads', 'accounts', 'contacts', 'opportunities', 'activities'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OF owner_id ON %I FOR EACH ROW EXECUTE FUNCTION follow_owner_team()', t || '_team', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION bump_version()', t || '_version', t);
        IF t <> 'activities' THEN
            EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION record_changes()', t || '_history', t);
        END IF;

        -- Row-level security: each action is allowed by the role's scope for this entity.
        -- Scopes are read through scalar subqueries, evaluated once per query, not per row.
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO crm_app USING (%s)', t || '_view', t, crm_scope_sql(t, 'view'));
        EXECUTE format('CREATE POLICY %I ON %I FOR INSERT TO crm_app WITH CHECK (%s)', t || '_create', t, crm_scope_sql(t, 'create'));
        EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE TO crm_app USING (%s) WITH CHECK (%s)', t || '_edit', t, crm_scope_sql(t, 'edit'), crm_scope_sql(t, 'edit'));
        EXECUTE format('CREATE POLICY %I ON %I FOR DELETE TO crm_app USING (%s)', t || '_delete', t, crm_scope_sql(t, 'delete'));
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION crm_scope_sql(text, text);

-- As-you-type search. LIKE is not leakproof, so under row-level security the planner may not
-- use the trigram index for it and would read the whole table. These functions run as the owner
-- (where the index works) and apply the same scope as the view policies, so they return only ids
-- the user may see; list queries then read those rows under RLS as usual.
CREATE FUNCTION crm_search_leads(pattern text) RETURNS SETOF bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT id FROM leads
    WHERE search_text LIKE '%' || pattern || '%'
      AND ((SELECT crm_scope('leads', 'view')) = 'all'
           OR owner_id = (SELECT crm_scope_user('leads', 'view'))
           OR team_id = (SELECT crm_scope_team('leads', 'view')))
$$;
REVOKE ALL ON FUNCTION crm_search_leads(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_search_leads(text) TO crm_app;

CREATE FUNCTION crm_search_accounts(pattern text) RETURNS SETOF bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT id FROM accounts
    WHERE search_text LIKE '%' || pattern || '%'
      AND ((SELECT crm_scope('accounts', 'view')) = 'all'
           OR owner_id = (SELECT crm_scope_user('accounts', 'view'))
           OR team_id = (SELECT crm_scope_team('accounts', 'view')))
$$;
REVOKE ALL ON FUNCTION crm_search_accounts(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_search_accounts(text) TO crm_app;

CREATE FUNCTION crm_search_contacts(pattern text) RETURNS SETOF bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT id FROM contacts
    WHERE search_text LIKE '%' || pattern || '%'
      AND ((SELECT crm_scope('contacts', 'view')) = 'all'
           OR owner_id = (SELECT crm_scope_user('contacts', 'view'))
           OR team_id = (SELECT crm_scope_team('contacts', 'view')))
$$;
REVOKE ALL ON FUNCTION crm_search_contacts(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_search_contacts(text) TO crm_app;

CREATE FUNCTION crm_search_opportunities(pattern text) RETURNS SETOF bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT id FROM opportunities
    WHERE search_text LIKE '%' || pattern || '%'
      AND ((SELECT crm_scope('opportunities', 'view')) = 'all'
           OR owner_id = (SELECT crm_scope_user('opportunities', 'view'))
           OR team_id = (SELECT crm_scope_team('opportunities', 'view')))
$$;
REVOKE ALL ON FUNCTION crm_search_opportunities(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION crm_search_opportunities(text) TO crm_app;


-- People, roles and pipelines: every signed-in request may read them (names on records, pickers,
-- login); only a role with the admin scope may change them.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'teams', 'roles', 'role_permissions', 'pipelines', 'pipeline_stages'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY %I ON %I FOR SELECT TO crm_app USING (true)', t || '_read', t);
        EXECUTE format($f$CREATE POLICY %I ON %I FOR ALL TO crm_app USING ((SELECT crm_scope('admin', 'edit')) = 'all') WITH CHECK ((SELECT crm_scope('admin', 'edit')) = 'all')$f$, t || '_admin', t);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- History is visible with the record it describes.
ALTER TABLE record_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY record_history_view ON record_history FOR SELECT TO crm_app USING (
    CASE entity
        WHEN 'leads' THEN EXISTS (SELECT FROM leads r WHERE r.id = record_id)
        WHEN 'accounts' THEN EXISTS (SELECT FROM accounts r WHERE r.id = record_id)
        WHEN 'contacts' THEN EXISTS (SELECT FROM contacts r WHERE r.id = record_id)
        WHEN 'opportunities' THEN EXISTS (SELECT FROM opportunities r WHERE r.id = record_id)
        ELSE false
    END
);
CREATE POLICY record_history_create ON record_history FOR INSERT TO crm_app
    WITH CHECK (user_id = (SELECT crm_user_id()));

-- Sessions are read and written by the session store on the pool, never by request code.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO crm_app;
REVOKE ALL ON sessions FROM crm_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO crm_app;

-- The built-in roles. Admins edit their grants on /admin/roles.
INSERT INTO roles (name, description, builtin) VALUES
    ('admin', 'Everything, including users, roles, teams and pipelines', true),
    ('manager', 'Sees and steers the records of their team', true),
    ('sales_rep', 'Works their own leads and deals; sees the team''s accounts and contacts', true);

INSERT INTO role_permissions (role_id, entity, action, scope)
SELECT r.id, e, a,
       CASE r.name
           WHEN 'admin' THEN 'all'
           WHEN 'manager' THEN CASE WHEN e = 'admin' THEN 'none' ELSE 'team' END
           ELSE CASE
               WHEN e = 'admin' THEN 'none'
               WHEN e IN ('accounts', 'contacts') AND a = 'view' THEN 'team'
               WHEN e = 'reports' AND a <> 'view' THEN 'none'
               ELSE 'own'
           END
       END::perm_scope
FROM roles r, unnest(enum_range(NULL::perm_entity)) e, unnest(enum_range(NULL::perm_action)) a;

-- +goose Down
DROP TABLE record_history, activities, leads, opportunities, contacts, accounts, pipeline_stages,
    pipelines, login_failures, sessions, users, teams, role_permissions, roles;
DROP FUNCTION crm_search_leads(text), crm_search_accounts(text), crm_search_contacts(text), crm_search_opportunities(text),
    record_changes(), move_records_with_user(), follow_owner_team(), bump_version(), touch_row(),
    crm_scope_team(text, text), crm_scope_user(text, text), crm_scope(text, text), crm_team_id(), crm_user_id();
DROP TYPE stage_kind, activity_type, lead_status, perm_scope, perm_action, perm_entity;
