-- name: LikelyDuplicates :many
-- The records the user may see that are likely the one being saved (crm_duplicates), named.
SELECT DISTINCT ON (d.kind, d.id) d.kind::text AS kind, d.id::bigint AS id, d.reason::text AS reason,
       coalesce(nullif(btrim(l.first_name || ' ' || l.last_name), ''), l.company, btrim(c.first_name || ' ' || c.last_name), a.name, '')::text AS name,
       coalesce(l.email::text, c.email::text, a.domain::text, '')::text AS detail
FROM crm_duplicates(@entity::perm_entity, @email::text, @name::text, sqlc.narg(exclude)::bigint) AS d(kind, id, reason)
LEFT JOIN leads l ON d.kind = 'leads' AND l.id = d.id
LEFT JOIN contacts c ON d.kind = 'contacts' AND c.id = d.id
LEFT JOIN accounts a ON d.kind = 'accounts' AND a.id = d.id
ORDER BY d.kind, d.id, d.reason
LIMIT 10;
