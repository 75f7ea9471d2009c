-- name: RecordLoginAttempt :one
-- A sign-in attempt, counted before its password is checked so that parallel guesses cannot
-- all pass the throttle; a right password deletes it, a throttled attempt takes itself back.
INSERT INTO login_failures (email, ip) VALUES (@email, @ip) RETURNING id;

-- name: PriorLoginFailures :one
-- The failures within the last hour before an attempt, and the latest of each: this account
-- from this address, this address for any account, this account from anywhere.
SELECT
    count(*) FILTER (WHERE email = @email AND ip = @ip)::bigint AS pair,
    count(*) FILTER (WHERE ip = @ip)::bigint AS by_ip,
    count(*) FILTER (WHERE email = @email)::bigint AS by_email,
    coalesce(max(created_at) FILTER (WHERE email = @email AND ip = @ip), 'epoch')::timestamptz AS pair_last,
    coalesce(max(created_at) FILTER (WHERE ip = @ip), 'epoch')::timestamptz AS ip_last,
    coalesce(max(created_at) FILTER (WHERE email = @email), 'epoch')::timestamptz AS email_last
FROM login_failures
WHERE created_at > now() - interval '1 hour' AND id <> @attempt_id
  AND (email = @email OR ip = @ip);

-- name: ForgetLoginAttempt :exec
DELETE FROM login_failures WHERE id = @id;

-- name: ClearLoginFailures :exec
-- After a right password: the failures of this account from this address. Others' guesses from
-- elsewhere stay counted against them.
DELETE FROM login_failures WHERE email = @email AND ip = @ip;

-- name: PruneLoginFailures :exec
DELETE FROM login_failures WHERE created_at < now() - interval '1 day';
