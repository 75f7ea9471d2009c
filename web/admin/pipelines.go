package admin

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
)

// PipelinesPage lists pipelines with a form to add one.
type PipelinesPage struct {
	render.Page
	Pipelines []store.ListPipelinesRow
	Form      *form.Form
}

// PipelinePage is one pipeline: its name and its ordered stages.
type PipelinePage struct {
	render.Page
	Pipeline store.GetPipelineRow
	Stages   []StageRow
	Rename   *form.Form
	NewStage *form.Form
	EditID   int64 // the stage whose save failed, if any
	Edit     *form.Form
	Kinds    []form.Option
}

// StageRow is a stage with its form when a save of it just failed.
type StageRow struct {
	store.ListStagesRow
	Failed *form.Form
}

var pipelineConstraints = map[string]form.Constraint{
	"pipelines_name_key":                {Field: "name", Message: "A pipeline with this name already exists."},
	"pipelines_name_not_blank":          {Field: "name", Message: "This field is required."},
	"pipeline_stages_name_key":          {Field: "name", Message: "This pipeline already has a stage with this name."},
	"pipeline_stages_name_not_blank":    {Field: "name", Message: "This field is required."},
	"pipeline_stages_probability_range": {Field: "probability", Message: "Enter a whole number from 0 to 100."},
}

// Pipelines lists pipelines.
func (h *Handler) Pipelines(c *gin.Context) error {
	return h.pipelinesPage(c, http.StatusOK, form.New(nil))
}

func (h *Handler) pipelinesPage(c *gin.Context, status int, f *form.Form) error {
	page := PipelinesPage{Page: h.R.Page(c, "Pipelines", "admin"), Form: f}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Pipelines, err = db.Q.ListPipelines(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	h.R.HTML(c, status, "admin/pipelines", page)
	return nil
}

// CreatePipeline adds a pipeline (the first one becomes the default).
func (h *Handler) CreatePipeline(c *gin.Context) error {
	f := form.Parse(c, "name")
	f.Required("name")
	f.MaxLength("name", 80)
	var id int64
	err := errInvalid
	if f.Valid() {
		err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
			id, err = db.Q.CreatePipeline(ctx, tx, f.Get("name"))
			return err
		})
	}
	if err == errInvalid || f.FromDB(err, pipelineConstraints) {
		return h.pipelinesPage(c, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Pipeline "+f.Get("name")+" created. Add its stages below.")
	render.Redirect(c, "/admin/pipelines/"+form.IDString(id))
	return nil
}

// Pipeline shows a pipeline's stages.
func (h *Handler) Pipeline(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	return h.pipelinePage(c, http.StatusOK, id, PipelinePage{NewStage: form.New(map[string]string{"kind": "open", "probability": "50"})})
}

func (h *Handler) pipelinePage(c *gin.Context, status int, id int64, page PipelinePage) error {
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Pipeline, err = db.Q.GetPipeline(ctx, tx, id); err != nil {
			return err
		}
		stages, err := db.Q.ListStages(ctx, tx, id)
		for _, s := range stages {
			row := StageRow{ListStagesRow: s}
			if s.ID == page.EditID {
				row.Failed = page.Edit
			}
			page.Stages = append(page.Stages, row)
		}
		return err
	})
	if err != nil {
		return err
	}
	page.Page = h.R.Page(c, "Pipeline: "+page.Pipeline.Name, "admin")
	page.Kinds = stageKinds
	if page.Rename == nil {
		page.Rename = form.New(map[string]string{"name": page.Pipeline.Name})
	}
	if page.NewStage == nil {
		page.NewStage = form.New(map[string]string{"kind": "open", "probability": "50"})
	}
	h.R.HTML(c, status, "admin/pipeline", page)
	return nil
}

// UpdatePipeline renames a pipeline and can make it the default.
func (h *Handler) UpdatePipeline(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	f := form.Parse(c, "name", "is_default")
	f.Required("name")
	f.MaxLength("name", 80)
	err = errInvalid
	if f.Valid() {
		err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
			n, err := db.Q.RenamePipeline(ctx, tx, store.RenamePipelineParams{ID: id, Name: f.Get("name")})
			if err == nil && n == 0 {
				return pgx.ErrNoRows
			}
			if err == nil && f.Get("is_default") == "on" {
				err = db.Q.MakeDefaultPipeline(ctx, tx, id)
			}
			return err
		})
	}
	if err == errInvalid || f.FromDB(err, pipelineConstraints) {
		return h.pipelinePage(c, http.StatusUnprocessableEntity, id, PipelinePage{Rename: f})
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Pipeline saved.")
	render.Redirect(c, "/admin/pipelines/"+form.IDString(id))
	return nil
}

// DeletePipeline removes a pipeline that holds no opportunities.
func (h *Handler) DeletePipeline(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var p store.GetPipelineRow
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if p, err = db.Q.GetPipeline(ctx, tx, id); err != nil {
			return err
		}
		_, err := db.Q.DeletePipeline(ctx, tx, id)
		return err
	})
	if form.New(nil).FromDB(err, map[string]form.Constraint{"opportunities_pipeline_id_fkey": {}, "opportunities_stage_id_fkey": {}}) {
		h.R.Flash(c, "Pipeline "+p.Name+" still has opportunities. Move or delete them first.")
		render.Redirect(c, "/admin/pipelines/"+form.IDString(id))
		return nil
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Pipeline "+p.Name+" deleted.")
	render.Redirect(c, "/admin/pipelines")
	return nil
}
