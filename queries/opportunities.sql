-- name: CreateOpportunity :one
-- The stage's trigger (00007) sets the pipeline, closes a deal created won or lost, and puts it
-- at the bottom of its column.
INSERT INTO opportunities (owner_id, name, account_id, contact_id, stage_id, amount, currency, close_date,
                           lost_reason, closed_at, custom)
VALUES (@owner_id, @name, @account_id, sqlc.narg(contact_id), @stage_id, @amount, @currency, @close_date,
        @lost_reason, sqlc.narg(closed_at), coalesce(sqlc.narg(custom)::jsonb, '{}'))
RETURNING id;

-- name: ListOpportunities :many
-- One page of the opportunities list; see ListAccounts for how the optional filters fold away.
SELECT o.id, o.name, o.amount, o.currency, o.close_date, o.created_at, o.account_id, a.name AS account_name,
       s.name AS stage_name, s.kind AS stage_kind, u.name AS owner_name,
       coalesce(nx.subject, '') AS next_subject, coalesce(nx.type::text, '')::text AS next_type, nx.at AS next_at, o.custom
FROM (
    SELECT o.* FROM opportunities o
    WHERE (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(custom)::jsonb IS NULL OR o.id = ANY(ARRAY(SELECT crm_custom_match('opportunities', sqlc.narg(custom)::jsonb))))
      AND (sqlc.narg(owner)::bigint IS NULL OR o.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR o.team_id = sqlc.narg(team))
      AND (sqlc.narg(stage)::bigint IS NULL OR o.stage_id = sqlc.narg(stage))
      AND (sqlc.narg(q)::text IS NULL OR o.id = ANY(ARRAY(SELECT crm_search_opportunities(sqlc.narg(q), sqlc.narg(search_owner)::bigint, sqlc.narg(search_team)::bigint, sqlc.narg(search_after)::bigint, sqlc.narg(search_lim)::int))))
      AND (sqlc.narg(close_from)::date IS NULL OR o.close_date >= sqlc.narg(close_from)::date)
      AND (sqlc.narg(close_to)::date IS NULL OR o.close_date <= sqlc.narg(close_to)::date)
      AND (sqlc.narg(amount_min)::numeric IS NULL OR o.amount >= sqlc.narg(amount_min)::numeric)
      AND (sqlc.narg(amount_max)::numeric IS NULL OR o.amount <= sqlc.narg(amount_max)::numeric)
      AND (sqlc.narg(after_id)::bigint IS NULL OR CASE @sort::text
            WHEN 'match' THEN o.id < sqlc.narg(after_id)
            WHEN 'close' THEN (o.close_date, o.id) > (sqlc.narg(after_date)::date, sqlc.narg(after_id))
            WHEN '-close' THEN (o.close_date, o.id) < (sqlc.narg(after_date)::date, sqlc.narg(after_id))
            WHEN 'amount' THEN (o.amount, o.id) > (sqlc.narg(after_num)::numeric, sqlc.narg(after_id))
            WHEN '-amount' THEN (o.amount, o.id) < (sqlc.narg(after_num)::numeric, sqlc.narg(after_id))
            WHEN 'name' THEN (o.name, o.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN '-name' THEN (o.name, o.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id))
            WHEN 'created' THEN (o.created_at, o.id) > (sqlc.narg(after_time)::timestamptz, sqlc.narg(after_id))
            WHEN 'cf' THEN CASE WHEN sqlc.narg(after_text)::text IS NULL THEN crm_cf_text(o.custom, @cf_key::text) IS NULL AND o.id > sqlc.narg(after_id)
                ELSE (crm_cf_text(o.custom, @cf_key::text), o.id) > (sqlc.narg(after_text)::text, sqlc.narg(after_id)) OR crm_cf_text(o.custom, @cf_key::text) IS NULL END
            WHEN '-cf' THEN CASE WHEN sqlc.narg(after_text)::text IS NULL THEN crm_cf_text(o.custom, @cf_key::text) IS NOT NULL OR o.id < sqlc.narg(after_id)
                ELSE (crm_cf_text(o.custom, @cf_key::text), o.id) < (sqlc.narg(after_text)::text, sqlc.narg(after_id)) END
            WHEN 'cfn' THEN CASE WHEN sqlc.narg(after_num)::numeric IS NULL THEN crm_cf_num(o.custom, @cf_key::text) IS NULL AND o.id > sqlc.narg(after_id)
                ELSE (crm_cf_num(o.custom, @cf_key::text), o.id) > (sqlc.narg(after_num)::numeric, sqlc.narg(after_id)) OR crm_cf_num(o.custom, @cf_key::text) IS NULL END
            WHEN '-cfn' THEN CASE WHEN sqlc.narg(after_num)::numeric IS NULL THEN crm_cf_num(o.custom, @cf_key::text) IS NOT NULL OR o.id < sqlc.narg(after_id)
                ELSE (crm_cf_num(o.custom, @cf_key::text), o.id) < (sqlc.narg(after_num)::numeric, sqlc.narg(after_id)) END
            ELSE (o.created_at, o.id) < (sqlc.narg(after_time)::timestamptz, sqlc.narg(after_id))
          END)
    ORDER BY
      CASE WHEN @sort = 'match' THEN o.id END DESC,
      CASE WHEN @sort = 'close' THEN o.close_date END,
      CASE WHEN @sort = '-close' THEN o.close_date END DESC,
      CASE WHEN @sort = 'amount' THEN o.amount END,
      CASE WHEN @sort = '-amount' THEN o.amount END DESC,
      CASE WHEN @sort = 'name' THEN o.name END,
      CASE WHEN @sort = '-name' THEN o.name END DESC,
      CASE WHEN @sort = 'created' THEN o.created_at END,
      CASE WHEN @sort = '-created' THEN o.created_at END DESC,
      CASE WHEN @sort = 'cf' THEN crm_cf_text(o.custom, @cf_key::text) END,
      CASE WHEN @sort = '-cf' THEN crm_cf_text(o.custom, @cf_key::text) END DESC,
      CASE WHEN @sort = 'cfn' THEN crm_cf_num(o.custom, @cf_key::text) END,
      CASE WHEN @sort = '-cfn' THEN crm_cf_num(o.custom, @cf_key::text) END DESC,
      CASE WHEN @sort IN ('close', 'amount', 'name', 'created', 'cf', 'cfn') THEN o.id END,
      CASE WHEN @sort IN ('-close', '-amount', '-name', '-created', '-cf', '-cfn') THEN o.id END DESC
    LIMIT @lim
) o
JOIN users u ON u.id = o.owner_id
JOIN pipeline_stages s ON s.id = o.stage_id
LEFT JOIN accounts a ON a.id = o.account_id
LEFT JOIN LATERAL (
    SELECT x.subject, x.type, coalesce(x.due_at, x.starts_at) AS at FROM activities x
    WHERE x.opportunity_id = o.id AND x.done_at IS NULL AND x.type IN ('task', 'meeting')
      AND (x.type = 'task' OR x.starts_at >= now())
    ORDER BY coalesce(x.due_at, x.starts_at), x.id LIMIT 1
) nx ON s.kind = 'open'
ORDER BY
  CASE WHEN @sort = 'match' THEN o.id END DESC,
  CASE WHEN @sort = 'close' THEN o.close_date END,
  CASE WHEN @sort = '-close' THEN o.close_date END DESC,
  CASE WHEN @sort = 'amount' THEN o.amount END,
  CASE WHEN @sort = '-amount' THEN o.amount END DESC,
  CASE WHEN @sort = 'name' THEN o.name END,
  CASE WHEN @sort = '-name' THEN o.name END DESC,
  CASE WHEN @sort = 'created' THEN o.created_at END,
  CASE WHEN @sort = '-created' THEN o.created_at END DESC,
  CASE WHEN @sort = 'cf' THEN crm_cf_text(o.custom, @cf_key::text) END,
  CASE WHEN @sort = '-cf' THEN crm_cf_text(o.custom, @cf_key::text) END DESC,
  CASE WHEN @sort = 'cfn' THEN crm_cf_num(o.custom, @cf_key::text) END,
  CASE WHEN @sort = '-cfn' THEN crm_cf_num(o.custom, @cf_key::text) END DESC,
  CASE WHEN @sort IN ('close', 'amount', 'name', 'created', 'cf', 'cfn') THEN o.id END,
  CASE WHEN @sort IN ('-close', '-amount', '-name', '-created', '-cf', '-cfn') THEN o.id END DESC;

-- name: CountOpportunities :one
SELECT count(*) FROM (
    SELECT 1 FROM opportunities o
    WHERE (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(custom)::jsonb IS NULL OR o.id = ANY(ARRAY(SELECT crm_custom_match('opportunities', sqlc.narg(custom)::jsonb))))
      AND (sqlc.narg(owner)::bigint IS NULL OR o.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR o.team_id = sqlc.narg(team))
      AND (sqlc.narg(stage)::bigint IS NULL OR o.stage_id = sqlc.narg(stage))
      AND (sqlc.narg(close_from)::date IS NULL OR o.close_date >= sqlc.narg(close_from)::date)
      AND (sqlc.narg(close_to)::date IS NULL OR o.close_date <= sqlc.narg(close_to)::date)
      AND (sqlc.narg(amount_min)::numeric IS NULL OR o.amount >= sqlc.narg(amount_min)::numeric)
      AND (sqlc.narg(amount_max)::numeric IS NULL OR o.amount <= sqlc.narg(amount_max)::numeric)
    LIMIT @cap
) capped;

-- name: GetOpportunity :one
SELECT o.id, o.owner_id, o.team_id, o.name, o.account_id, o.contact_id, o.pipeline_id, o.stage_id, o.amount, o.currency,
       o.close_date, o.lost_reason, o.closed_at, o.stage_changed_at, o.version, o.created_at, o.updated_at,
       u.name AS owner_name, a.name AS account_name,
       btrim(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, ''))::text AS contact_name,
       s.name AS stage_name, s.kind AS stage_kind, s.probability, p.name AS pipeline_name, o.custom
FROM opportunities o
JOIN users u ON u.id = o.owner_id
JOIN pipeline_stages s ON s.id = o.stage_id
JOIN pipelines p ON p.id = o.pipeline_id
LEFT JOIN accounts a ON a.id = o.account_id
LEFT JOIN contacts c ON c.id = o.contact_id
WHERE o.id = @id;

-- name: UpdateOpportunity :one
-- Everything but the stage, which only pipeline.Apply changes (MoveOpportunity).
UPDATE opportunities
SET owner_id = @owner_id, name = @name, account_id = @account_id, contact_id = sqlc.narg(contact_id),
    amount = @amount, currency = @currency, close_date = @close_date, custom = (custom || coalesce(sqlc.narg(custom_set)::jsonb, '{}')) - coalesce(sqlc.narg(custom_unset)::text[], '{}')
WHERE id = @id AND version = @version
RETURNING version;

-- name: DeleteOpportunity :execrows
DELETE FROM opportunities WHERE id = @id;

-- name: ListStageChoices :many
-- Every stage of every pipeline, for the stage select of the opportunity form.
SELECT s.id, s.name, s.kind, p.id AS pipeline_id, p.name AS pipeline_name, p.is_default
FROM pipeline_stages s
JOIN pipelines p ON p.id = s.pipeline_id
ORDER BY p.is_default DESC, p.name, s.position;

-- name: StageHistory :many
-- The stages an opportunity went through, from its history.
SELECT h.created_at, coalesce(u.name, 'someone')::text AS user_name,
       coalesce(f.name, '?')::text AS from_stage, coalesce(t.name, '?')::text AS to_stage
FROM record_history h
LEFT JOIN users u ON u.id = h.user_id
LEFT JOIN pipeline_stages f ON f.id = h.old_value::bigint
LEFT JOIN pipeline_stages t ON t.id = h.new_value::bigint
WHERE h.entity = 'opportunities' AND h.record_id = @id AND h.field = 'stage_id'
ORDER BY h.created_at DESC, h.id DESC;

-- name: ListOpportunitiesOf :many
-- The deals of an account or of a contact (as primary contact), by close date.
SELECT o.id, o.name, o.amount, o.currency, o.close_date, s.name AS stage_name, s.kind AS stage_kind, u.name AS owner_name
FROM opportunities o
JOIN pipeline_stages s ON s.id = o.stage_id
JOIN users u ON u.id = o.owner_id
WHERE (sqlc.narg(account_id)::bigint IS NULL OR o.account_id = sqlc.narg(account_id))
  AND (sqlc.narg(contact_id)::bigint IS NULL OR o.contact_id = sqlc.narg(contact_id))
ORDER BY o.close_date, o.id
LIMIT 200;

-- name: SpreadStageDates :exec
-- Demo data: deals entered their stages over the last two months, not all today.
UPDATE opportunities SET stage_changed_at = now() - make_interval(days => (id * 7 % 60)::int);

-- name: NextActivity :one
-- A deal's next step: its earliest open task or upcoming meeting (see activities_next_idx).
SELECT a.id, a.subject, a.type, coalesce(a.due_at, a.starts_at) AS at FROM activities a
WHERE a.opportunity_id = @opportunity_id AND a.done_at IS NULL AND a.type IN ('task', 'meeting')
  AND (a.type = 'task' OR a.starts_at >= now())
ORDER BY coalesce(a.due_at, a.starts_at), a.id
LIMIT 1;
