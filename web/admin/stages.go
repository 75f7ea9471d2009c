package admin

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
)

var stageKinds = []form.Option{{Value: "open", Label: "Open"}, {Value: "won", Label: "Won"}, {Value: "lost", Label: "Lost"}}

// CreateStage adds a stage at the end of the pipeline.
func (h *Handler) CreateStage(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	f, prob := parseStage(c)
	err = errInvalid
	if f.Valid() {
		err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
			_, err := db.Q.CreateStage(ctx, tx, store.CreateStageParams{PipelineID: id, Name: f.Get("name"),
				Probability: prob, Kind: store.StageKind(f.Get("kind"))})
			return err
		})
	}
	if err == errInvalid || f.FromDB(err, pipelineConstraints) {
		return h.pipelinePage(c, http.StatusUnprocessableEntity, id, PipelinePage{NewStage: f})
	}
	if form.New(nil).FromDB(err, map[string]form.Constraint{"pipeline_stages_pipeline_id_fkey": {}}) {
		return render.NotFound()
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Stage "+f.Get("name")+" added.")
	render.Redirect(c, "/admin/pipelines/"+form.IDString(id))
	return nil
}

// UpdateStage saves a stage's name, probability and kind.
func (h *Handler) UpdateStage(c *gin.Context) error {
	id, stage, err := stageIDs(c)
	if err != nil {
		return err
	}
	f, prob := parseStage(c)
	err = errInvalid
	if f.Valid() {
		err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
			n, err := db.Q.UpdateStage(ctx, tx, store.UpdateStageParams{ID: stage, PipelineID: id, Name: f.Get("name"),
				Probability: prob, Kind: store.StageKind(f.Get("kind"))})
			if err == nil && n == 0 {
				err = pgx.ErrNoRows
			}
			return err
		})
	}
	if err == errInvalid || f.FromDB(err, pipelineConstraints) {
		return h.pipelinePage(c, http.StatusUnprocessableEntity, id, PipelinePage{EditID: stage, Edit: f})
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Stage "+f.Get("name")+" saved.")
	render.Redirect(c, "/admin/pipelines/"+form.IDString(id))
	return nil
}

// MoveStage swaps a stage with its neighbour above or below.
func (h *Handler) MoveStage(c *gin.Context) error {
	id, stage, err := stageIDs(c)
	if err != nil {
		return err
	}
	step := 1
	if c.PostForm("direction") == "up" {
		step = -1
	}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		stages, err := db.Q.ListStages(ctx, tx, id)
		if err != nil {
			return err
		}
		for i, s := range stages {
			j := i + step
			if s.ID != stage || j < 0 || j >= len(stages) {
				continue
			}
			// The position key is deferred, so the swap is checked at commit.
			if _, err := db.Q.SetStagePosition(ctx, tx, store.SetStagePositionParams{ID: s.ID, PipelineID: id, Position: stages[j].Position}); err != nil {
				return err
			}
			_, err := db.Q.SetStagePosition(ctx, tx, store.SetStagePositionParams{ID: stages[j].ID, PipelineID: id, Position: s.Position})
			return err
		}
		return nil
	}); err != nil {
		return err
	}
	render.Redirect(c, "/admin/pipelines/"+form.IDString(id))
	return nil
}

// DeleteStage removes a stage that holds no opportunities.
func (h *Handler) DeleteStage(c *gin.Context) error {
	id, stage, err := stageIDs(c)
	if err != nil {
		return err
	}
	var count int64
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		stages, err := db.Q.ListStages(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, s := range stages {
			if s.ID == stage && s.OpportunityCount > 0 {
				count = s.OpportunityCount
				return errInvalid
			}
		}
		_, err = db.Q.DeleteStage(ctx, tx, store.DeleteStageParams{ID: stage, PipelineID: id})
		return err
	})
	switch {
	case err == errInvalid:
		h.R.Flash(c, fmt.Sprintf("This stage still holds %d opportunities. Move them to another stage first.", count))
	case err != nil:
		return err
	default:
		h.R.Flash(c, "Stage deleted.")
	}
	render.Redirect(c, "/admin/pipelines/"+form.IDString(id))
	return nil
}

func parseStage(c *gin.Context) (*form.Form, int32) {
	f := form.Parse(c, "name", "probability", "kind")
	f.Required("name", "probability")
	f.MaxLength("name", 60)
	f.OneOf("kind", "open", "won", "lost")
	p, _ := f.Int("probability", 0, 100)
	return f, int32(p)
}

func stageIDs(c *gin.Context) (pipeline, stage int64, err error) {
	if pipeline, err = render.PathID(c, "id"); err != nil {
		return 0, 0, err
	}
	stage, err = render.PathID(c, "stage")
	return pipeline, stage, err
}
