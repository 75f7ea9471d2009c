-- name: ChangesSince :many
-- Field changes to a record after a version, with who made them: what a refused stale edit shows.
SELECT h.field, coalesce(h.old_value, '')::text AS old_value, coalesce(h.new_value, '')::text AS new_value,
       h.created_at, coalesce(u.name, 'someone')::text AS user_name
FROM record_history h
LEFT JOIN users u ON u.id = h.user_id
WHERE h.entity = @entity AND h.record_id = @record_id AND h.version > @version::integer
ORDER BY h.id;
