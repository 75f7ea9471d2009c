package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/automation"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/render"
)

// RunsPage is a rule's run log.
type RunsPage struct {
	render.Page
	Rule automation.Rule
	Runs []store.ListRunsRow
	More string // the next page's address
}

// Runs lists a rule's runs, newest first, fifty a page.
func (h *Handler) Runs(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	rule, err := h.rule(c, id)
	if err != nil {
		return err
	}
	page := RunsPage{Page: h.R.Page(c, "Runs of "+rule.Name, "admin"), Rule: rule}
	before := list.ID(c.Query("before"))
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Runs, err = db.Q.ListRuns(ctx, tx, store.ListRunsParams{AutomationID: id, Before: before})
		return err
	}); err != nil {
		return err
	}
	if len(page.Runs) == 50 {
		page.More = "/admin/automations/" + strconv.FormatInt(id, 10) + "/runs?before=" + strconv.FormatInt(page.Runs[49].ID, 10)
	}
	h.R.HTML(c, http.StatusOK, "admin/automation_runs", page)
	return nil
}

// RetryRun runs a rule again on a failed run's record, as a new job.
func (h *Handler) RetryRun(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	runID, err := render.PathID(c, "run")
	if err != nil {
		return err
	}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		run, err := db.Q.GetRun(ctx, tx, store.GetRunParams{ID: runID, AutomationID: id})
		if err != nil {
			return err
		}
		args := automation.RuleArgs{AutomationID: id, Depth: int(run.Depth)}
		if run.RecordID != nil {
			args.RecordID = *run.RecordID
		}
		_, err = h.Queue.InsertTx(ctx, tx, args, nil)
		return err
	}); err != nil {
		return err
	}
	h.R.Flash(c, "Queued to run again; its run shows here in a moment.")
	render.Redirect(c, "/admin/automations/"+strconv.FormatInt(id, 10)+"/runs")
	return nil
}
