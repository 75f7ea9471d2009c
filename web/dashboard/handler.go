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
	Stats store.MyDashboardRow
	Tasks []store.MyOpenTasksRow
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
		page.Tasks, err = db.Q.MyOpenTasks(ctx, tx, u.ID)
		return err
	})
	if err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "dashboard", page)
	return nil
}
