-- name: ListPipelines :many
SELECT p.id, p.name, p.is_default,
       (SELECT count(*) FROM pipeline_stages s WHERE s.pipeline_id = p.id)::bigint AS stage_count
FROM pipelines p
ORDER BY p.is_default DESC, p.name;

-- name: GetPipeline :one
SELECT id, name, is_default FROM pipelines WHERE id = @id;

-- name: CreatePipeline :one
INSERT INTO pipelines (name, is_default)
VALUES (@name, NOT EXISTS (SELECT FROM pipelines))
RETURNING id;

-- name: RenamePipeline :execrows
UPDATE pipelines SET name = @name WHERE id = @id;

-- name: MakeDefaultPipeline :exec
UPDATE pipelines SET is_default = (id = @id) WHERE is_default OR id = @id;

-- name: DeletePipeline :execrows
DELETE FROM pipelines WHERE id = @id;

-- name: ListStages :many
SELECT s.id, s.name, s.position, s.probability, s.kind,
       (SELECT coalesce(sum(c.n), 0) FROM record_counts c
        WHERE c.entity = 'opportunities' AND c.bucket = s.id::text)::bigint AS opportunity_count
FROM pipeline_stages s
WHERE s.pipeline_id = @pipeline_id
ORDER BY s.position;

-- name: CreateStage :one
INSERT INTO pipeline_stages (pipeline_id, name, position, probability, kind)
VALUES (@pipeline_id, @name,
        (SELECT coalesce(max(position), 0) + 1 FROM pipeline_stages WHERE pipeline_id = @pipeline_id),
        @probability, @kind)
RETURNING id;

-- name: UpdateStage :execrows
UPDATE pipeline_stages SET name = @name, probability = @probability, kind = @kind
WHERE id = @id AND pipeline_id = @pipeline_id;

-- name: SetStagePosition :execrows
UPDATE pipeline_stages SET position = @position WHERE id = @id AND pipeline_id = @pipeline_id;

-- name: DeleteStage :execrows
DELETE FROM pipeline_stages WHERE id = @id AND pipeline_id = @pipeline_id;
