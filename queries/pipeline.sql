-- name: BoardTotals :many
-- Each stage of a pipeline with the count, total and weighted total of the deals the user may
-- see (of one owner or team), from the counts the triggers keep: a board narrowed by nothing
-- else never reads the deals.
SELECT s.id, s.name, s.kind, s.probability,
       coalesce(sum(c.n), 0)::bigint AS deals,
       coalesce(sum(c.amount), 0)::numeric AS amount,
       coalesce(sum(c.amount) * s.probability / 100.0, 0)::numeric AS weighted
FROM pipeline_stages s
LEFT JOIN record_counts c ON c.entity = 'opportunities' AND c.bucket = s.id::text
    AND (@see_all::boolean OR c.owner_id = sqlc.narg(own_id) OR c.team_id = sqlc.narg(team_id))
    AND (sqlc.narg(owner)::bigint IS NULL OR c.owner_id = sqlc.narg(owner))
    AND (sqlc.narg(team)::bigint IS NULL OR c.team_id = sqlc.narg(team))
WHERE s.pipeline_id = @pipeline_id
GROUP BY s.id
ORDER BY s.position;

-- name: BoardColumns :many
-- The same for a board filtered by what the counts do not keep (search, dates, amounts): one
-- aggregate over the deals. Filters fold away when NULL (see ListAccounts).
SELECT s.id, s.name, s.kind, s.probability,
       count(o.id)::bigint AS deals,
       coalesce(sum(o.amount), 0)::numeric AS amount,
       coalesce(sum(o.amount * s.probability / 100.0), 0)::numeric AS weighted
FROM pipeline_stages s
LEFT JOIN opportunities o ON o.stage_id = s.id
    AND (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
    AND (sqlc.narg(owner)::bigint IS NULL OR o.owner_id = sqlc.narg(owner))
    AND (sqlc.narg(team)::bigint IS NULL OR o.team_id = sqlc.narg(team))
    AND (sqlc.narg(q)::text IS NULL OR o.id = ANY(ARRAY(SELECT crm_search_opportunities(sqlc.narg(q), NULL, NULL, NULL, NULL))))
    AND (sqlc.narg(close_from)::date IS NULL OR o.close_date >= sqlc.narg(close_from)::date)
    AND (sqlc.narg(close_to)::date IS NULL OR o.close_date <= sqlc.narg(close_to)::date)
    AND (sqlc.narg(amount_min)::numeric IS NULL OR o.amount >= sqlc.narg(amount_min)::numeric)
    AND (sqlc.narg(amount_max)::numeric IS NULL OR o.amount <= sqlc.narg(amount_max)::numeric)
WHERE s.pipeline_id = @pipeline_id
GROUP BY s.id
ORDER BY s.position;

-- name: BoardCards :many
-- The first cards of one or more columns, in board order, in one round trip: each stage's next
-- @lim cards (after a position and id, for "show more" of one column).
SELECT o.id, o.stage_id, o.name, o.amount, o.currency, o.close_date, o.version, o.stage_changed_at, o.position,
       o.owner_id, o.team_id, o.account_id, u.name AS owner_name, a.name AS account_name,
       coalesce(nx.subject, '') AS next_subject, coalesce(nx.type::text, '')::text AS next_type, nx.at AS next_at
FROM unnest(@stage_ids::bigint[]) WITH ORDINALITY AS st (id, n)
CROSS JOIN LATERAL (
    SELECT o.* FROM opportunities o
    WHERE o.stage_id = st.id
      AND (@see_all::boolean OR o.owner_id = sqlc.narg(own_id) OR o.team_id = sqlc.narg(team_id))
      AND (sqlc.narg(owner)::bigint IS NULL OR o.owner_id = sqlc.narg(owner))
      AND (sqlc.narg(team)::bigint IS NULL OR o.team_id = sqlc.narg(team))
      AND (sqlc.narg(q)::text IS NULL OR o.id = ANY(ARRAY(SELECT crm_search_opportunities(sqlc.narg(q), NULL, NULL, NULL, NULL))))
      AND (sqlc.narg(close_from)::date IS NULL OR o.close_date >= sqlc.narg(close_from)::date)
      AND (sqlc.narg(close_to)::date IS NULL OR o.close_date <= sqlc.narg(close_to)::date)
      AND (sqlc.narg(amount_min)::numeric IS NULL OR o.amount >= sqlc.narg(amount_min)::numeric)
      AND (sqlc.narg(amount_max)::numeric IS NULL OR o.amount <= sqlc.narg(amount_max)::numeric)
      AND (sqlc.narg(after_id)::bigint IS NULL OR (o.position, o.id) > (sqlc.narg(after_position)::numeric, sqlc.narg(after_id)))
    ORDER BY o.position, o.id
    LIMIT @lim
) o
JOIN users u ON u.id = o.owner_id
LEFT JOIN accounts a ON a.id = o.account_id
LEFT JOIN LATERAL (
    SELECT x.subject, x.type, coalesce(x.due_at, x.starts_at) AS at FROM activities x
    WHERE x.opportunity_id = o.id AND x.done_at IS NULL AND x.type IN ('task', 'meeting')
      AND (x.type = 'task' OR x.starts_at >= now())
    ORDER BY coalesce(x.due_at, x.starts_at), x.id LIMIT 1
) nx ON true
ORDER BY st.n, o.position, o.id;

-- name: LockOpportunity :one
-- The card being moved, locked until the move commits.
SELECT o.id, o.stage_id, o.pipeline_id, o.version, o.owner_id, o.team_id
FROM opportunities o WHERE o.id = @id FOR UPDATE;

-- name: GetStage :one
SELECT id, pipeline_id, name, kind FROM pipeline_stages WHERE id = @id;

-- name: MoveOpportunity :one
-- Moves a card to a stage, between the cards it was dropped between: the midpoint of their
-- positions (numeric, so there is always room), one past the card above, one before the card
-- below, or (NULL) the bottom of the column. Nothing else in the column is renumbered; the
-- stage's trigger (00007) does the rest of a stage change.
UPDATE opportunities o
SET stage_id = @stage_id, lost_reason = @lost_reason,
    position = CASE
        WHEN sqlc.narg(above_id)::bigint IS NOT NULL AND sqlc.narg(below_id)::bigint IS NOT NULL THEN
            ((SELECT x.position FROM opportunities x WHERE x.id = sqlc.narg(above_id)) +
             (SELECT x.position FROM opportunities x WHERE x.id = sqlc.narg(below_id))) / 2
        WHEN sqlc.narg(above_id)::bigint IS NOT NULL THEN
            (SELECT x.position FROM opportunities x WHERE x.id = sqlc.narg(above_id)) + 1
        WHEN sqlc.narg(below_id)::bigint IS NOT NULL THEN
            (SELECT x.position FROM opportunities x WHERE x.id = sqlc.narg(below_id)) - 1
    END
WHERE o.id = @id AND o.version = @version
RETURNING o.version;
