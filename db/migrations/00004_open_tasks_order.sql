-- Open tasks in due order with the undated last, as one plain indexed column: the task list
-- pages through them with a cursor on (due_key, id), which "due_at NULLS LAST" cannot give, and
-- an expression such as coalesce(due_at, ...) would not do either: it is not leakproof, so under
-- row-level security it never becomes an index condition.

-- +goose Up
ALTER TABLE activities ADD COLUMN due_key timestamptz GENERATED ALWAYS AS (coalesce(due_at, 'infinity'::timestamptz)) STORED;
DROP INDEX activities_open_tasks_owner_idx, activities_open_tasks_team_idx, activities_open_tasks_idx;
CREATE INDEX activities_open_tasks_owner_idx ON activities (owner_id, due_key, id) WHERE type = 'task' AND done_at IS NULL;
CREATE INDEX activities_open_tasks_team_idx ON activities (team_id, due_key, id) WHERE type = 'task' AND done_at IS NULL;
CREATE INDEX activities_open_tasks_idx ON activities (due_key, id) WHERE type = 'task' AND done_at IS NULL;

-- Tiny tables never reach autovacuum's analyze threshold: without statistics the planner takes
-- "kind = 'open'" to match 0.5% of stages and sorts a month of deals instead of walking an index.
ANALYZE pipelines, pipeline_stages;

-- +goose Down
DROP INDEX activities_open_tasks_owner_idx, activities_open_tasks_team_idx, activities_open_tasks_idx;
ALTER TABLE activities DROP COLUMN due_key;
CREATE INDEX activities_open_tasks_owner_idx ON activities (owner_id, due_at, id) WHERE type = 'task' AND done_at IS NULL;
CREATE INDEX activities_open_tasks_team_idx ON activities (team_id, due_at, id) WHERE type = 'task' AND done_at IS NULL;
CREATE INDEX activities_open_tasks_idx ON activities (due_at, id) WHERE type = 'task' AND done_at IS NULL;
