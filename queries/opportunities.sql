-- name: CreateOpportunity :one
INSERT INTO opportunities (owner_id, name, account_id, contact_id, pipeline_id, stage_id, amount, currency, close_date, position, closed_at)
VALUES (@owner_id, @name, @account_id, sqlc.narg(contact_id), @pipeline_id, @stage_id, @amount, @currency, sqlc.narg(close_date),
        (SELECT coalesce(max(position), 0) + 1 FROM opportunities WHERE stage_id = @stage_id),
        sqlc.narg(closed_at))
RETURNING id;
