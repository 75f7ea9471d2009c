-- name: CreateLead :one
INSERT INTO leads (owner_id, first_name, last_name, company, title, email, phone, source, status)
VALUES (@owner_id, @first_name, @last_name, @company, @title, sqlc.narg(email), @phone, @source, @status)
RETURNING id;
