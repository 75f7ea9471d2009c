-- A record's history by its id first. Under row-level security the entity comparison is not
-- leakproof, so it cannot lead an index scan: the old index (entity, record_id, ...) was read
-- end to end for every deal page and timeline (3 ms at 67,000 history rows, growing with it).

-- +goose Up
CREATE INDEX record_history_by_record_idx ON record_history (record_id, created_at DESC, id DESC);
DROP INDEX record_history_record_idx;

-- +goose Down
CREATE INDEX record_history_record_idx ON record_history (entity, record_id, created_at DESC, id DESC);
DROP INDEX record_history_by_record_idx;
