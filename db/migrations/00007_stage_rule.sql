-- One rule for a deal entering a stage, whoever writes it (the board, the deal's form, lead
-- conversion, imports): the stage decides the pipeline, restarts the days-in-stage clock, closes
-- or reopens the deal, and a lost stage needs a reason; a deal written without a position (NULL) goes to
-- the bottom of its column. Queries only say which stage, which reason and, for a drop between
-- two cards, which position.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION opportunity_stage() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    kind stage_kind;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.stage_id = OLD.stage_id AND NEW.lost_reason = OLD.lost_reason
       AND NEW.position IS NOT NULL THEN
        RETURN NEW;
    END IF;
    SELECT s.pipeline_id, s.kind INTO NEW.pipeline_id, kind FROM pipeline_stages s WHERE s.id = NEW.stage_id;
    IF NOT FOUND THEN
        RETURN NEW; -- the foreign key refuses it
    END IF;
    IF kind = 'lost' AND btrim(NEW.lost_reason) = '' THEN
        RAISE EXCEPTION 'a lost deal needs a reason' USING ERRCODE = 'check_violation',
            CONSTRAINT = 'opportunities_lost_reason_required', TABLE = 'opportunities';
    ELSIF kind <> 'lost' THEN
        NEW.lost_reason := '';
    END IF;
    IF TG_OP = 'INSERT' OR NEW.stage_id <> OLD.stage_id THEN
        IF TG_OP = 'UPDATE' THEN
            NEW.stage_changed_at := now();
        END IF;
        NEW.closed_at := CASE WHEN kind = 'open' THEN NULL ELSE coalesce(NEW.closed_at, now()) END;
    END IF;
    IF NEW.position IS NULL THEN
        -- Security definer: the bottom of the whole column, not of the part the user sees.
        NEW.position := (SELECT coalesce(max(o.position), 0) + 1 FROM opportunities o WHERE o.stage_id = NEW.stage_id);
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

ALTER TABLE opportunities ALTER COLUMN position DROP DEFAULT;
CREATE TRIGGER opportunities_stage BEFORE INSERT OR UPDATE OF stage_id, lost_reason, position ON opportunities
    FOR EACH ROW EXECUTE FUNCTION opportunity_stage();

-- +goose Down
DROP TRIGGER opportunities_stage ON opportunities;
ALTER TABLE opportunities ALTER COLUMN position SET DEFAULT 0;
DROP FUNCTION opportunity_stage();
