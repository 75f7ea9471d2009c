-- name: CreateContact :one
INSERT INTO contacts (owner_id, account_id, first_name, last_name, email, phone, title)
VALUES (@owner_id, sqlc.narg(account_id), @first_name, @last_name, sqlc.narg(email), @phone, @title)
RETURNING id;
