-- name: ListCustomFields :many
-- Every field of every record type, removed ones last, for the admin page.
SELECT * FROM custom_fields ORDER BY entity, archived_at IS NOT NULL, position, id;

-- name: ActiveCustomFields :many
-- A record type's fields as forms, record pages, lists and exports show them.
SELECT * FROM custom_fields WHERE entity = @entity AND archived_at IS NULL ORDER BY position, id;

-- name: GetCustomField :one
SELECT * FROM custom_fields WHERE id = @id;

-- name: CreateCustomField :one
INSERT INTO custom_fields (entity, key, label, type, help, required, options, in_list, position)
VALUES (@entity, @key, @label, @type, @help, @required, @options, @in_list,
        coalesce((SELECT max(position) + 1 FROM custom_fields WHERE entity = @entity), 0))
RETURNING id;

-- name: UpdateCustomField :execrows
UPDATE custom_fields
SET label = @label, type = @type, help = @help, required = @required, options = @options, in_list = @in_list, position = @position
WHERE id = @id;

-- name: SetCustomFieldArchived :execrows
-- Removing a field hides it and keeps its values; restoring it brings them back.
UPDATE custom_fields SET archived_at = CASE WHEN @archived::boolean THEN now() END WHERE id = @id;

-- name: CustomMisfits :one
-- How many records hold a value of the field that the given type would not accept.
SELECT crm_custom_misfits(@entity::perm_entity, @key::text, @type::custom_field_type, @options::text[])::bigint AS n;

-- name: IndexCustomField :exec
-- Gives a field shown in lists the expression index its filters use, or takes it away.
SELECT crm_custom_index(@entity::perm_entity, @key::text, @num::boolean, @wanted::boolean);
