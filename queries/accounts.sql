-- name: CreateAccount :one
INSERT INTO accounts (owner_id, name, domain, industry, employees, annual_revenue, phone, street, city, region, postal_code, country, custom)
VALUES (@owner_id, @name, sqlc.narg(domain), @industry, sqlc.narg(employees), sqlc.narg(annual_revenue), @phone, @street, @city, @region, @postal_code, @country,
        coalesce(sqlc.narg(custom)::jsonb, '{}'))
RETURNING id;

-- name: ListAccounts :many
-- One page of the accounts list. Every optional filter is NULL when unused; with custom plans
-- the planner folds them away, and the CASE sort and cursor into one index order.
SELECT a.id, a.name, a.domain, a.industry, a.city, a.country, a.created_at, a.owner_id, u.name AS owner_name, a.custom
FROM (
    SELECT a.* FROM accounts a
    WHERE (@see_all::boolean OR a.owner_id = sqlc.narg(own_id) OR a.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(custom)::jsonb IS NULL OR a.id = ANY(ARRAY(SELECT crm_custom_match('accounts', sqlc.narg(custom)::jsonb))))
      AND (sqlc.narg(owner)::bigint IS NULL OR a.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR a.team_id = sqlc.narg(team))
      AND (sqlc.narg(q)::text IS NULL OR a.id = ANY(ARRAY(SELECT crm_search_accounts(sqlc.narg(q), sqlc.narg(search_owner)::bigint, sqlc.narg(search_team)::bigint, sqlc.narg(search_after)::bigint, sqlc.narg(search_lim)::int))))
      AND (sqlc.narg(created_from)::date IS NULL OR a.created_at >= sqlc.narg(created_from)::date)
      AND (sqlc.narg(created_to)::date IS NULL OR a.created_at < sqlc.narg(created_to)::date + 1)
      AND (sqlc.narg(after_id)::bigint IS NULL OR CASE @sort::text
            WHEN 'match' THEN a.id < sqlc.narg(after_id)
            WHEN 'name' THEN (a.name, a.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN '-name' THEN (a.name, a.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN 'created' THEN (a.created_at, a.id) > (sqlc.narg(after_time)::timestamptz, sqlc.narg(after_id))
            WHEN 'cf' THEN CASE WHEN sqlc.narg(after_text)::text IS NULL THEN crm_cf_text(a.custom, @cf_key::text) IS NULL AND a.id > sqlc.narg(after_id)
                ELSE (crm_cf_text(a.custom, @cf_key::text), a.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id)) OR crm_cf_text(a.custom, @cf_key::text) IS NULL END
            WHEN '-cf' THEN CASE WHEN sqlc.narg(after_text)::text IS NULL THEN crm_cf_text(a.custom, @cf_key::text) IS NOT NULL OR a.id < sqlc.narg(after_id)
                ELSE (crm_cf_text(a.custom, @cf_key::text), a.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id)) END
            WHEN 'cfn' THEN CASE WHEN sqlc.narg(after_num)::numeric IS NULL THEN crm_cf_num(a.custom, @cf_key::text) IS NULL AND a.id > sqlc.narg(after_id)
                ELSE (crm_cf_num(a.custom, @cf_key::text), a.id) > (sqlc.narg(after_num)::numeric, sqlc.narg(after_id)) OR crm_cf_num(a.custom, @cf_key::text) IS NULL END
            WHEN '-cfn' THEN CASE WHEN sqlc.narg(after_num)::numeric IS NULL THEN crm_cf_num(a.custom, @cf_key::text) IS NOT NULL OR a.id < sqlc.narg(after_id)
                ELSE (crm_cf_num(a.custom, @cf_key::text), a.id) < (sqlc.narg(after_num)::numeric, sqlc.narg(after_id)) END
            ELSE (a.created_at, a.id) < (sqlc.narg(after_time)::timestamptz, sqlc.narg(after_id))
          END)
    ORDER BY
      CASE WHEN @sort = 'match' THEN a.id END DESC,
      CASE WHEN @sort = 'name' THEN a.name END,
      CASE WHEN @sort = '-name' THEN a.name END DESC,
      CASE WHEN @sort = 'created' THEN a.created_at END,
      CASE WHEN @sort = '-created' THEN a.created_at END DESC,
      CASE WHEN @sort = 'cf' THEN crm_cf_text(a.custom, @cf_key::text) END,
      CASE WHEN @sort = '-cf' THEN crm_cf_text(a.custom, @cf_key::text) END DESC,
      CASE WHEN @sort = 'cfn' THEN crm_cf_num(a.custom, @cf_key::text) END,
      CASE WHEN @sort = '-cfn' THEN crm_cf_num(a.custom, @cf_key::text) END DESC,
      CASE WHEN @sort IN ('name', 'created', 'cf', 'cfn') THEN a.id END,
      CASE WHEN @sort IN ('-name', '-created', '-cf', '-cfn') THEN a.id END DESC
    LIMIT @lim
) a
JOIN users u ON u.id = a.owner_id
ORDER BY
  CASE WHEN @sort = 'match' THEN a.id END DESC,
  CASE WHEN @sort = 'name' THEN a.name END,
  CASE WHEN @sort = '-name' THEN a.name END DESC,
  CASE WHEN @sort = 'created' THEN a.created_at END,
  CASE WHEN @sort = '-created' THEN a.created_at END DESC,
  CASE WHEN @sort = 'cf' THEN crm_cf_text(a.custom, @cf_key::text) END,
  CASE WHEN @sort = '-cf' THEN crm_cf_text(a.custom, @cf_key::text) END DESC,
  CASE WHEN @sort = 'cfn' THEN crm_cf_num(a.custom, @cf_key::text) END,
  CASE WHEN @sort = '-cfn' THEN crm_cf_num(a.custom, @cf_key::text) END DESC,
  CASE WHEN @sort IN ('name', 'created', 'cf', 'cfn') THEN a.id END,
  CASE WHEN @sort IN ('-name', '-created', '-cf', '-cfn') THEN a.id END DESC;

-- name: CountAccounts :one
-- How many accounts the list holds, counted up to a cap so a huge list stays fast.
SELECT count(*) FROM (
    SELECT 1 FROM accounts a
    WHERE (@see_all::boolean OR a.owner_id = sqlc.narg(own_id) OR a.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(custom)::jsonb IS NULL OR a.id = ANY(ARRAY(SELECT crm_custom_match('accounts', sqlc.narg(custom)::jsonb))))
      AND (sqlc.narg(owner)::bigint IS NULL OR a.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR a.team_id = sqlc.narg(team))
      AND (sqlc.narg(created_from)::date IS NULL OR a.created_at >= sqlc.narg(created_from)::date)
      AND (sqlc.narg(created_to)::date IS NULL OR a.created_at < sqlc.narg(created_to)::date + 1)
    LIMIT @cap
) capped;

-- name: GetAccount :one
SELECT a.id, a.owner_id, a.team_id, a.name, a.domain, a.industry, a.employees, a.annual_revenue, a.phone, a.street, a.city,
       a.region, a.postal_code, a.country, a.version, a.created_at, a.updated_at, u.name AS owner_name, a.custom
FROM accounts a
JOIN users u ON u.id = a.owner_id
WHERE a.id = @id;

-- name: UpdateAccount :one
-- Saves only over the version the user started from; no row means stale (or not editable).
UPDATE accounts
SET owner_id = @owner_id, name = @name, domain = sqlc.narg(domain), industry = @industry, employees = sqlc.narg(employees),
    annual_revenue = sqlc.narg(annual_revenue), phone = @phone, street = @street, city = @city, region = @region,
    postal_code = @postal_code, country = @country, custom = (custom || coalesce(sqlc.narg(custom_set)::jsonb, '{}')) - coalesce(sqlc.narg(custom_unset)::text[], '{}')
WHERE id = @id AND version = @version
RETURNING version;

-- name: DeleteAccount :execrows
DELETE FROM accounts WHERE id = @id;

-- name: AccountDependents :one
-- What keeps an account from being deleted, counted whoever owns it.
SELECT (SELECT count(*) FROM contacts c WHERE c.account_id = @id::bigint)::bigint AS contacts,
       (SELECT count(*) FROM opportunities o WHERE o.account_id = @id::bigint)::bigint AS opportunities;

-- name: AccountTotals :one
-- The account's deals the user may see: open, won, and open weighted by stage probability.
SELECT coalesce(sum(o.amount) FILTER (WHERE s.kind = 'open'), 0)::numeric AS open_amount,
       coalesce(sum(o.amount) FILTER (WHERE s.kind = 'won'), 0)::numeric AS won_amount,
       coalesce(sum(o.amount * s.probability / 100.0) FILTER (WHERE s.kind = 'open'), 0)::numeric AS weighted_amount
FROM opportunities o
JOIN pipeline_stages s ON s.id = o.stage_id
WHERE o.account_id = @id;

-- name: PickAccounts :many
-- Accounts matching what the user typed, for pickers; RLS limits them to what the user may see.
SELECT a.id, a.name, a.domain FROM accounts a
WHERE (sqlc.narg(q)::text IS NULL OR a.id = ANY(ARRAY(SELECT crm_search_accounts(sqlc.narg(q), NULL, NULL, NULL, 50))))
ORDER BY a.name, a.id
LIMIT 10;

