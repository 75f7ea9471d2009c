-- name: CreateContact :one
INSERT INTO contacts (owner_id, account_id, first_name, last_name, email, phone, title, custom)
VALUES (@owner_id, sqlc.narg(account_id), @first_name, @last_name, sqlc.narg(email), @phone, @title, coalesce(sqlc.narg(custom)::jsonb, '{}'))
RETURNING id;

-- name: ListContacts :many
-- One page of the contacts list; see ListAccounts for how the optional filters fold away.
SELECT c.id, c.first_name, c.last_name, c.email, c.phone, c.title, c.created_at, c.account_id,
       a.name AS account_name, u.name AS owner_name, c.custom
FROM (
    SELECT c.* FROM contacts c
    WHERE (@see_all::boolean OR c.owner_id = sqlc.narg(own_id) OR c.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(custom)::jsonb IS NULL OR c.id = ANY(ARRAY(SELECT crm_custom_match('contacts', sqlc.narg(custom)::jsonb))))
      AND (sqlc.narg(owner)::bigint IS NULL OR c.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR c.team_id = sqlc.narg(team))
      AND (sqlc.narg(q)::text IS NULL OR c.id = ANY(ARRAY(SELECT crm_search_contacts(sqlc.narg(q), sqlc.narg(search_owner)::bigint, sqlc.narg(search_team)::bigint, sqlc.narg(search_after)::bigint, sqlc.narg(search_lim)::int))))
      AND (sqlc.narg(created_from)::date IS NULL OR c.created_at >= sqlc.narg(created_from)::date)
      AND (sqlc.narg(created_to)::date IS NULL OR c.created_at < sqlc.narg(created_to)::date + 1)
      AND (sqlc.narg(after_id)::bigint IS NULL OR CASE @sort::text
            WHEN 'match' THEN c.id < sqlc.narg(after_id)
            WHEN 'name' THEN (c.last_name, c.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN '-name' THEN (c.last_name, c.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN 'created' THEN (c.created_at, c.id) > (sqlc.narg(after_time)::timestamptz, sqlc.narg(after_id))
            WHEN 'cf' THEN CASE WHEN sqlc.narg(after_text)::text IS NULL THEN crm_cf_text(c.custom, @cf_key::text) IS NULL AND c.id > sqlc.narg(after_id)
                ELSE (crm_cf_text(c.custom, @cf_key::text), c.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id)) OR crm_cf_text(c.custom, @cf_key::text) IS NULL END
            WHEN '-cf' THEN CASE WHEN sqlc.narg(after_text)::text IS NULL THEN crm_cf_text(c.custom, @cf_key::text) IS NOT NULL OR c.id < sqlc.narg(after_id)
                ELSE (crm_cf_text(c.custom, @cf_key::text), c.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id)) END
            WHEN 'cfn' THEN CASE WHEN sqlc.narg(after_num)::numeric IS NULL THEN crm_cf_num(c.custom, @cf_key::text) IS NULL AND c.id > sqlc.narg(after_id)
                ELSE (crm_cf_num(c.custom, @cf_key::text), c.id) > (sqlc.narg(after_num)::numeric, sqlc.narg(after_id)) OR crm_cf_num(c.custom, @cf_key::text) IS NULL END
            WHEN '-cfn' THEN CASE WHEN sqlc.narg(after_num)::numeric IS NULL THEN crm_cf_num(c.custom, @cf_key::text) IS NOT NULL OR c.id < sqlc.narg(after_id)
                ELSE (crm_cf_num(c.custom, @cf_key::text), c.id) < (sqlc.narg(after_num)::numeric, sqlc.narg(after_id)) END
            ELSE (c.created_at, c.id) < (sqlc.narg(after_time)::timestamptz, sqlc.narg(after_id))
          END)
    ORDER BY
      CASE WHEN @sort = 'match' THEN c.id END DESC,
      CASE WHEN @sort = 'name' THEN c.last_name END,
      CASE WHEN @sort = '-name' THEN c.last_name END DESC,
      CASE WHEN @sort = 'created' THEN c.created_at END,
      CASE WHEN @sort = '-created' THEN c.created_at END DESC,
      CASE WHEN @sort = 'cf' THEN crm_cf_text(c.custom, @cf_key::text) END,
      CASE WHEN @sort = '-cf' THEN crm_cf_text(c.custom, @cf_key::text) END DESC,
      CASE WHEN @sort = 'cfn' THEN crm_cf_num(c.custom, @cf_key::text) END,
      CASE WHEN @sort = '-cfn' THEN crm_cf_num(c.custom, @cf_key::text) END DESC,
      CASE WHEN @sort IN ('name', 'created', 'cf', 'cfn') THEN c.id END,
      CASE WHEN @sort IN ('-name', '-created', '-cf', '-cfn') THEN c.id END DESC
    LIMIT @lim
) c
JOIN users u ON u.id = c.owner_id
LEFT JOIN accounts a ON a.id = c.account_id
ORDER BY
  CASE WHEN @sort = 'match' THEN c.id END DESC,
  CASE WHEN @sort = 'name' THEN c.last_name END,
  CASE WHEN @sort = '-name' THEN c.last_name END DESC,
  CASE WHEN @sort = 'created' THEN c.created_at END,
  CASE WHEN @sort = '-created' THEN c.created_at END DESC,
  CASE WHEN @sort = 'cf' THEN crm_cf_text(c.custom, @cf_key::text) END,
  CASE WHEN @sort = '-cf' THEN crm_cf_text(c.custom, @cf_key::text) END DESC,
  CASE WHEN @sort = 'cfn' THEN crm_cf_num(c.custom, @cf_key::text) END,
  CASE WHEN @sort = '-cfn' THEN crm_cf_num(c.custom, @cf_key::text) END DESC,
  CASE WHEN @sort IN ('name', 'created', 'cf', 'cfn') THEN c.id END,
  CASE WHEN @sort IN ('-name', '-created', '-cf', '-cfn') THEN c.id END DESC;

-- name: CountContacts :one
SELECT count(*) FROM (
    SELECT 1 FROM contacts c
    WHERE (@see_all::boolean OR c.owner_id = sqlc.narg(own_id) OR c.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(custom)::jsonb IS NULL OR c.id = ANY(ARRAY(SELECT crm_custom_match('contacts', sqlc.narg(custom)::jsonb))))
      AND (sqlc.narg(owner)::bigint IS NULL OR c.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR c.team_id = sqlc.narg(team))
      AND (sqlc.narg(created_from)::date IS NULL OR c.created_at >= sqlc.narg(created_from)::date)
      AND (sqlc.narg(created_to)::date IS NULL OR c.created_at < sqlc.narg(created_to)::date + 1)
    LIMIT @cap
) capped;

-- name: GetContact :one
SELECT c.id, c.owner_id, c.team_id, c.account_id, c.first_name, c.last_name, c.email, c.phone, c.title,
       c.version, c.created_at, c.updated_at, u.name AS owner_name, a.name AS account_name, c.custom
FROM contacts c
JOIN users u ON u.id = c.owner_id
LEFT JOIN accounts a ON a.id = c.account_id
WHERE c.id = @id;

-- name: UpdateContact :one
UPDATE contacts
SET owner_id = @owner_id, account_id = sqlc.narg(account_id), first_name = @first_name, last_name = @last_name,
    email = sqlc.narg(email), phone = @phone, title = @title, custom = (custom || coalesce(sqlc.narg(custom_set)::jsonb, '{}')) - coalesce(sqlc.narg(custom_unset)::text[], '{}')
WHERE id = @id AND version = @version
RETURNING version;

-- name: DeleteContact :execrows
DELETE FROM contacts WHERE id = @id;

-- name: PickContacts :many
-- Contacts matching what the user typed, optionally of one account, for pickers.
SELECT c.id, c.first_name, c.last_name, c.email FROM contacts c
WHERE (sqlc.narg(q)::text IS NULL OR c.id = ANY(ARRAY(SELECT crm_search_contacts(sqlc.narg(q), NULL, NULL, NULL, 50))))
  AND (sqlc.narg(account_id)::bigint IS NULL OR c.account_id = sqlc.narg(account_id))
ORDER BY c.last_name, c.id
LIMIT 10;

-- name: ListContactsOfAccount :many
SELECT id, first_name, last_name, email, phone, title FROM contacts
WHERE account_id = @account_id::bigint
ORDER BY last_name, id
LIMIT 200;
