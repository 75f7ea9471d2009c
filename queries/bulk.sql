-- name: Bulk :one
-- One change to many records, as the user (crm_bulk): how many changed.
SELECT crm_bulk(@entity::perm_entity, @action::text, @ids::bigint[], @val::text, @reason::text)::bigint AS changed;
