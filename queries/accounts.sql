-- name: CreateAccount :one
INSERT INTO accounts (owner_id, name, domain, industry, employees, annual_revenue, phone, street, city, region, postal_code, country)
VALUES (@owner_id, @name, sqlc.narg(domain), @industry, sqlc.narg(employees), sqlc.narg(annual_revenue), @phone, @street, @city, @region, @postal_code, @country)
RETURNING id;

-- name: CountAccounts :one
SELECT count(*) FROM accounts;
