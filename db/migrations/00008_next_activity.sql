-- A deal's next step: its earliest open task or upcoming meeting, read for every card of a board
-- and every row of the opportunities list through one index probe each. A meeting now has an end,
-- and one scheduled for later stays open (done_at NULL) until it has happened.

-- +goose Up
ALTER TABLE activities ADD COLUMN ends_at timestamptz,
    ADD CONSTRAINT activities_ends_after_start CHECK (ends_at IS NULL OR (starts_at IS NOT NULL AND ends_at >= starts_at));
CREATE INDEX activities_next_idx ON activities (opportunity_id, (coalesce(due_at, starts_at)), id)
    WHERE done_at IS NULL AND type IN ('task', 'meeting');

-- +goose Down
DROP INDEX activities_next_idx;
ALTER TABLE activities DROP COLUMN ends_at;
