-- name: RecordLoginFailure :exec
INSERT INTO login_failures (email, ip) VALUES (@email, @ip);

-- name: RecentLoginFailures :one
-- Failures in the throttle window for this account and for this client address, and when the
-- oldest of them leaves the window (so the message can say how long to wait).
SELECT
    count(*) FILTER (WHERE email = @email)::bigint AS by_email,
    count(*) FILTER (WHERE ip = @ip)::bigint AS by_ip,
    coalesce(min(created_at) FILTER (WHERE email = @email), now())::timestamptz AS oldest_by_email,
    coalesce(min(created_at) FILTER (WHERE ip = @ip), now())::timestamptz AS oldest_by_ip
FROM login_failures
WHERE created_at > now() - make_interval(secs => @window_seconds::float8)
  AND (email = @email OR ip = @ip);

-- name: ClearLoginFailures :exec
DELETE FROM login_failures WHERE email = @email;

-- name: PruneLoginFailures :exec
DELETE FROM login_failures WHERE created_at < now() - interval '1 day';
