-- name: CreateLead :one
INSERT INTO leads (owner_id, first_name, last_name, company, title, email, phone, source, status, custom)
VALUES (@owner_id, @first_name, @last_name, @company, @title, sqlc.narg(email), @phone, @source, @status, coalesce(sqlc.narg(custom)::jsonb, '{}'))
RETURNING id;

-- name: ListLeads :many
-- One page of the leads list; see ListAccounts for how the optional filters fold away.
SELECT l.id, l.first_name, l.last_name, l.company, l.email, l.status, l.source, l.created_at, u.name AS owner_name, l.custom
FROM (
    SELECT l.* FROM leads l
    WHERE (@see_all::boolean OR l.owner_id = sqlc.narg(own_id) OR l.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(custom)::jsonb IS NULL OR l.id = ANY(ARRAY(SELECT crm_custom_match('leads', sqlc.narg(custom)::jsonb))))
      AND (sqlc.narg(owner)::bigint IS NULL OR l.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR l.team_id = sqlc.narg(team))
      AND (sqlc.narg(status)::lead_status IS NULL OR l.status = sqlc.narg(status)::lead_status)
      AND (sqlc.narg(source)::text IS NULL OR l.source = sqlc.narg(source))
      AND (sqlc.narg(q)::text IS NULL OR l.id = ANY(ARRAY(SELECT crm_search_leads(sqlc.narg(q), sqlc.narg(search_owner)::bigint, sqlc.narg(search_team)::bigint, sqlc.narg(search_after)::bigint, sqlc.narg(search_lim)::int))))
      AND (sqlc.narg(created_from)::date IS NULL OR l.created_at >= sqlc.narg(created_from)::date)
      AND (sqlc.narg(created_to)::date IS NULL OR l.created_at < sqlc.narg(created_to)::date + 1)
      AND (sqlc.narg(after_id)::bigint IS NULL OR CASE @sort::text
            WHEN 'match' THEN l.id < sqlc.narg(after_id)
            WHEN 'name' THEN (l.last_name, l.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN '-name' THEN (l.last_name, l.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN 'company' THEN (l.company, l.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN '-company' THEN (l.company, l.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN 'created' THEN (l.created_at, l.id) > (sqlc.narg(after_time)::timestamptz, sqlc.narg(after_id))
            WHEN 'cf' THEN CASE WHEN sqlc.narg(after_text)::text IS NULL THEN crm_cf_text(l.custom, @cf_key::text) IS NULL AND l.id > sqlc.narg(after_id)
                ELSE (crm_cf_text(l.custom, @cf_key::text), l.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id)) OR crm_cf_text(l.custom, @cf_key::text) IS NULL END
            WHEN '-cf' THEN CASE WHEN sqlc.narg(after_text)::text IS NULL THEN crm_cf_text(l.custom, @cf_key::text) IS NOT NULL OR l.id < sqlc.narg(after_id)
                ELSE (crm_cf_text(l.custom, @cf_key::text), l.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id)) END
            WHEN 'cfn' THEN CASE WHEN sqlc.narg(after_num)::numeric IS NULL THEN crm_cf_num(l.custom, @cf_key::text) IS NULL AND l.id > sqlc.narg(after_id)
                ELSE (crm_cf_num(l.custom, @cf_key::text), l.id) > (sqlc.narg(after_num)::numeric, sqlc.narg(after_id)) OR crm_cf_num(l.custom, @cf_key::text) IS NULL END
            WHEN '-cfn' THEN CASE WHEN sqlc.narg(after_num)::numeric IS NULL THEN crm_cf_num(l.custom, @cf_key::text) IS NOT NULL OR l.id < sqlc.narg(after_id)
                ELSE (crm_cf_num(l.custom, @cf_key::text), l.id) < (sqlc.narg(after_num)::numeric, sqlc.narg(after_id)) END
            ELSE (l.created_at, l.id) < (sqlc.narg(after_time)::timestamptz, sqlc.narg(after_id))
          END)
    ORDER BY
      CASE WHEN @sort = 'match' THEN l.id END DESC,
      CASE WHEN @sort = 'name' THEN l.last_name END,
      CASE WHEN @sort = '-name' THEN l.last_name END DESC,
      CASE WHEN @sort = 'company' THEN l.company END,
      CASE WHEN @sort = '-company' THEN l.company END DESC,
      CASE WHEN @sort = 'created' THEN l.created_at END,
      CASE WHEN @sort = '-created' THEN l.created_at END DESC,
      CASE WHEN @sort = 'cf' THEN crm_cf_text(l.custom, @cf_key::text) END,
      CASE WHEN @sort = '-cf' THEN crm_cf_text(l.custom, @cf_key::text) END DESC,
      CASE WHEN @sort = 'cfn' THEN crm_cf_num(l.custom, @cf_key::text) END,
      CASE WHEN @sort = '-cfn' THEN crm_cf_num(l.custom, @cf_key::text) END DESC,
      CASE WHEN @sort IN ('name', 'company', 'created', 'cf', 'cfn') THEN l.id END,
      CASE WHEN @sort IN ('-name', '-company', '-created', '-cf', '-cfn') THEN l.id END DESC
    LIMIT @lim
) l
JOIN users u ON u.id = l.owner_id
ORDER BY
  CASE WHEN @sort = 'match' THEN l.id END DESC,
  CASE WHEN @sort = 'name' THEN l.last_name END,
  CASE WHEN @sort = '-name' THEN l.last_name END DESC,
  CASE WHEN @sort = 'company' THEN l.company END,
  CASE WHEN @sort = '-company' THEN l.company END DESC,
  CASE WHEN @sort = 'created' THEN l.created_at END,
  CASE WHEN @sort = '-created' THEN l.created_at END DESC,
  CASE WHEN @sort = 'cf' THEN crm_cf_text(l.custom, @cf_key::text) END,
  CASE WHEN @sort = '-cf' THEN crm_cf_text(l.custom, @cf_key::text) END DESC,
  CASE WHEN @sort = 'cfn' THEN crm_cf_num(l.custom, @cf_key::text) END,
  CASE WHEN @sort = '-cfn' THEN crm_cf_num(l.custom, @cf_key::text) END DESC,
  CASE WHEN @sort IN ('name', 'company', 'created', 'cf', 'cfn') THEN l.id END,
  CASE WHEN @sort IN ('-name', '-company', '-created', '-cf', '-cfn') THEN l.id END DESC;

-- name: CountLeads :one
SELECT count(*) FROM (
    SELECT 1 FROM leads l
    WHERE (@see_all::boolean OR l.owner_id = sqlc.narg(own_id) OR l.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(custom)::jsonb IS NULL OR l.id = ANY(ARRAY(SELECT crm_custom_match('leads', sqlc.narg(custom)::jsonb))))
      AND (sqlc.narg(owner)::bigint IS NULL OR l.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR l.team_id = sqlc.narg(team))
      AND (sqlc.narg(status)::lead_status IS NULL OR l.status = sqlc.narg(status)::lead_status)
      AND (sqlc.narg(source)::text IS NULL OR l.source = sqlc.narg(source))
      AND (sqlc.narg(created_from)::date IS NULL OR l.created_at >= sqlc.narg(created_from)::date)
      AND (sqlc.narg(created_to)::date IS NULL OR l.created_at < sqlc.narg(created_to)::date + 1)
    LIMIT @cap
) capped;

-- name: GetLead :one
-- A converted lead names what it became, where the user may see it ('' where not).
SELECT l.id, l.owner_id, l.team_id, l.first_name, l.last_name, l.company, l.title, l.email, l.phone, l.source, l.status,
       l.converted_account_id, l.converted_contact_id, l.converted_opportunity_id, l.converted_at,
       l.version, l.created_at, l.updated_at, u.name AS owner_name, l.custom,
       coalesce(ca.name, '')::text AS converted_account_name,
       coalesce(btrim(cc.first_name || ' ' || cc.last_name), '')::text AS converted_contact_name,
       coalesce(co.name, '')::text AS converted_opportunity_name
FROM leads l
JOIN users u ON u.id = l.owner_id
LEFT JOIN accounts ca ON ca.id = l.converted_account_id
LEFT JOIN contacts cc ON cc.id = l.converted_contact_id
LEFT JOIN opportunities co ON co.id = l.converted_opportunity_id
WHERE l.id = @id;

-- name: LockLead :one
-- The lead being converted, locked so two conversions cannot both go ahead.
SELECT id, owner_id, status, version FROM leads WHERE id = @id FOR UPDATE;

-- name: UpdateLead :one
-- A converted lead is never edited as a lead: the WHERE refuses it like a stale version.
UPDATE leads
SET owner_id = @owner_id, first_name = @first_name, last_name = @last_name, company = @company, title = @title,
    email = sqlc.narg(email), phone = @phone, source = @source, status = @status,
    custom = (custom || coalesce(sqlc.narg(custom_set)::jsonb, '{}')) - coalesce(sqlc.narg(custom_unset)::text[], '{}')
WHERE id = @id AND version = @version AND status <> 'converted'
RETURNING version;

-- name: MarkLeadConverted :execrows
UPDATE leads
SET status = 'converted', converted_at = now(), converted_account_id = @account_id,
    converted_contact_id = @contact_id, converted_opportunity_id = sqlc.narg(opportunity_id)
WHERE id = @id AND status <> 'converted';

-- name: MoveLeadActivities :execrows
-- The lead's activities join the records it became; they keep the lead link for its history.
UPDATE activities
SET account_id = @account_id, contact_id = @contact_id,
    opportunity_id = coalesce(opportunity_id, sqlc.narg(opportunity_id))
WHERE lead_id = @lead_id;

-- name: DeleteLead :execrows
DELETE FROM leads WHERE id = @id;

-- name: SuggestAccounts :many
-- Existing accounts a converted lead probably belongs to: its email domain, or its company's
-- name, found by the accounts' search (an exact domain first).
SELECT a.id, a.name, a.domain FROM accounts a
WHERE a.id = ANY(ARRAY(SELECT crm_search_accounts(sqlc.narg(domain), NULL, NULL, NULL, 5)))
   OR a.id = ANY(ARRAY(SELECT crm_search_accounts(sqlc.narg(company), NULL, NULL, NULL, 5)))
ORDER BY (a.domain = sqlc.narg(domain)::citext) DESC NULLS LAST, a.name
LIMIT 5;

-- name: PickLeads :many
-- Leads matching what the user typed, not yet converted, for pickers.
SELECT l.id, l.first_name, l.last_name, l.company, l.email FROM leads l
WHERE l.id = ANY(ARRAY(SELECT crm_search_leads(@q::text, NULL, NULL, NULL, 50))) AND l.status <> 'converted'
ORDER BY l.last_name, l.id
LIMIT 10;
