-- name: CreateActivity :one
INSERT INTO activities (owner_id, type, subject, body, outcome, duration_minutes, starts_at, ends_at, due_at, done_at,
                        lead_id, account_id, contact_id, opportunity_id, created_at)
VALUES (@owner_id, @type, @subject, @body, @outcome, sqlc.narg(duration_minutes), sqlc.narg(starts_at), sqlc.narg(ends_at), sqlc.narg(due_at), sqlc.narg(done_at),
        sqlc.narg(lead_id), sqlc.narg(account_id), sqlc.narg(contact_id), sqlc.narg(opportunity_id), @created_at)
RETURNING id;
