-- name: Merge :exec
-- Merges record gone into record keep (crm_merge): references move, gone goes, keep takes the
-- listed columns and custom fields from it.
SELECT crm_merge(@entity::perm_entity, @keep::bigint, @keep_version::int, @gone::bigint, @gone_version::int,
                 @columns::text[], @custom_keys::text[]);
