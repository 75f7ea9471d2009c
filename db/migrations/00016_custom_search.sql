-- Custom fields take part in search: the words of every text value in a record's custom JSON
-- join its search vector, weighted like its other details (C).

-- +goose Up
ALTER TABLE contacts DROP COLUMN search;
ALTER TABLE contacts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', first_name || ' ' || last_name), 'A') ||
    setweight(to_tsvector('simple', crm_parts(email::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', title) || jsonb_to_tsvector('simple', custom, '["string"]'), 'C')) STORED;
CREATE INDEX contacts_search_idx ON contacts USING gin (owner_id, team_id, search);

ALTER TABLE leads DROP COLUMN search;
ALTER TABLE leads ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', first_name || ' ' || last_name || ' ' || company), 'A') ||
    setweight(to_tsvector('simple', crm_parts(email::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', title || ' ' || source) || jsonb_to_tsvector('simple', custom, '["string"]'), 'C')) STORED;
CREATE INDEX leads_search_idx ON leads USING gin (owner_id, team_id, search);

ALTER TABLE accounts DROP COLUMN search;
ALTER TABLE accounts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', name), 'A') ||
    setweight(to_tsvector('simple', crm_parts(domain::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', industry || ' ' || city || ' ' || country) || jsonb_to_tsvector('simple', custom, '["string"]'), 'C')) STORED;
CREATE INDEX accounts_search_idx ON accounts USING gin (owner_id, team_id, search);

ALTER TABLE opportunities DROP COLUMN search;
ALTER TABLE opportunities ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', name), 'A') ||
    setweight(jsonb_to_tsvector('simple', custom, '["string"]'), 'C')) STORED;
CREATE INDEX opportunities_search_idx ON opportunities USING gin (owner_id, team_id, search);
ANALYZE leads, accounts, contacts, opportunities;

-- +goose Down
ALTER TABLE contacts DROP COLUMN search;
ALTER TABLE contacts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', first_name || ' ' || last_name), 'A') ||
    setweight(to_tsvector('simple', crm_parts(email::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', title), 'C')) STORED;
CREATE INDEX contacts_search_idx ON contacts USING gin (owner_id, team_id, search);
ALTER TABLE leads DROP COLUMN search;
ALTER TABLE leads ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', first_name || ' ' || last_name || ' ' || company), 'A') ||
    setweight(to_tsvector('simple', crm_parts(email::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', title || ' ' || source), 'C')) STORED;
CREATE INDEX leads_search_idx ON leads USING gin (owner_id, team_id, search);
ALTER TABLE accounts DROP COLUMN search;
ALTER TABLE accounts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', name), 'A') ||
    setweight(to_tsvector('simple', crm_parts(domain::text) || ' ' || crm_digits(phone)), 'B') ||
    setweight(to_tsvector('simple', industry || ' ' || city || ' ' || country), 'C')) STORED;
CREATE INDEX accounts_search_idx ON accounts USING gin (owner_id, team_id, search);
ALTER TABLE opportunities DROP COLUMN search;
ALTER TABLE opportunities ADD COLUMN search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', name), 'A')) STORED;
CREATE INDEX opportunities_search_idx ON opportunities USING gin (owner_id, team_id, search);
