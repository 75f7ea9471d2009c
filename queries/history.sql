-- name: ChangesSince :many
-- Field changes to a record after a version, with who made them: what a refused stale edit shows.
-- Ids are shown by the names of what they point at (when the user may see it).
SELECT h.field,
       coalesce(fs.name, fu.name, fa.name, fc.first_name || ' ' || fc.last_name, h.old_value, '')::text AS old_value,
       coalesce(ts.name, tu.name, ta.name, tc.first_name || ' ' || tc.last_name, h.new_value, '')::text AS new_value,
       h.created_at, coalesce(u.name, 'someone')::text AS user_name
FROM record_history h
LEFT JOIN users u ON u.id = h.user_id
LEFT JOIN pipeline_stages fs ON h.field = 'stage_id' AND fs.id::text = h.old_value
LEFT JOIN pipeline_stages ts ON h.field = 'stage_id' AND ts.id::text = h.new_value
LEFT JOIN users fu ON h.field = 'owner_id' AND fu.id::text = h.old_value
LEFT JOIN users tu ON h.field = 'owner_id' AND tu.id::text = h.new_value
LEFT JOIN accounts fa ON h.field = 'account_id' AND fa.id::text = h.old_value
LEFT JOIN accounts ta ON h.field = 'account_id' AND ta.id::text = h.new_value
LEFT JOIN contacts fc ON h.field = 'contact_id' AND fc.id::text = h.old_value
LEFT JOIN contacts tc ON h.field = 'contact_id' AND tc.id::text = h.new_value
WHERE h.entity = @entity AND h.record_id = @record_id AND h.version > @version::integer
ORDER BY h.id;
