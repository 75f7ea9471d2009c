// Package dashboard serves the home page: the signed-in user's numbers and open tasks.
package dashboard

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// Page is the dashboard's view model.
type Page struct {
	render.Page
	Stats    store.MyDashboardRow
	Tasks    []store.MyOpenTasksRow
	Pipeline []store.PipelineByStageRow
	// PipelineOf says whose deals the pipeline shows: "My", "My team's" or "All".
	PipelineOf string
}

// Show renders the dashboard.
func (h *Handler) Show(c *gin.Context) error {
	u := viewer.From(c)
	page := Page{Page: h.R.Page(c, "Dashboard", "home")}
	ctx := c.Request.Context()
	err := db.InTx(ctx, h.Pool, u.Access, func(tx pgx.Tx) (err error) {
		if page.Stats, err = db.Q.MyDashboard(ctx, tx, u.ID); err != nil {
			return err
		}
		if page.Tasks, err = db.Q.MyOpenTasks(ctx, tx, u.ID); err != nil {
			return err
		}
		f := u.Access.Filter("opportunities", "view")
		page.PipelineOf = map[string]string{"all": "All", "team": "My team's"}[u.Access.Scope("opportunities", "view")]
		if page.PipelineOf == "" {
			page.PipelineOf = "My"
		}
		page.Pipeline, err = db.Q.PipelineByStage(ctx, tx, store.PipelineByStageParams(f))
		return err
	})
	if err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "dashboard", page)
	return nil
}
