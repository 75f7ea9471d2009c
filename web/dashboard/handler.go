// Package dashboard serves the home page: for everyone their tasks, open pipeline, deals closing
// this month and latest activity; for managers also the team by rep and the deals slipping.
package dashboard

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/tasks"
	"github.com/crm-team/crm/web/viewer"
)

// StalledDays is how long a deal may sit in one stage before the dashboard calls it slipping.
const StalledDays = 30

// Handler serves /.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// Page is the dashboard's view model.
type Page struct {
	render.Page
	Stats    store.MyDashboardRow
	Tasks    []tasks.Task
	Pipeline []store.PipelineByStageRow
	// PipelineOf says whose deals the pipeline shows: "My", "My team's" or "All".
	PipelineOf string
	Closing    []store.ClosingBetweenRow
	Latest     []store.LatestActivitiesRow
	// For managers and admins (a team or wider view of deals):
	Manager     bool
	ByOwner     []store.PipelineByOwnerRow
	Slipping    []store.SlippingDealsRow
	ThisWeek    []store.ActivitiesSinceByOwnerRow
	StalledDays int
}

// Show renders the dashboard.
func (h *Handler) Show(c *gin.Context) error {
	u := viewer.From(c)
	page := Page{Page: h.R.Page(c, "Dashboard", "home"), StalledDays: StalledDays}
	scope := u.Access.Scope("opportunities", "view")
	page.PipelineOf = map[string]string{"all": "All", "team": "My team's"}[scope]
	if page.PipelineOf == "" {
		page.PipelineOf = "My"
	}
	page.Manager = scope == "team" || scope == "all"
	loc := u.Location()
	now := time.Now().In(loc)
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	weekStart := time.Date(now.Year(), now.Month(), now.Day()-(int(now.Weekday())+6)%7, 0, 0, 0, 0, loc)
	ctx := c.Request.Context()
	err := db.InTxCustomPlans(ctx, h.Pool, u.Access, func(tx pgx.Tx) (err error) {
		if page.Stats, err = db.Q.MyDashboard(ctx, tx, store.MyDashboardParams{UserID: u.ID, Now: now}); err != nil {
			return err
		}
		a := u.Access.Filter("activities", "view")
		mine, err := db.Q.ListOpenTasks(ctx, tx, store.ListOpenTasksParams{SeeAll: a.SeeAll, OwnID: a.OwnID,
			TeamID: a.TeamID, Owner: &u.ID, Lim: 10})
		if err != nil {
			return err
		}
		for _, t := range mine {
			page.Tasks = append(page.Tasks, tasks.View(t, false, "me", loc))
		}
		f := u.Access.Filter("opportunities", "view")
		if page.Pipeline, err = db.Q.PipelineByStage(ctx, tx, store.PipelineByStageParams(f)); err != nil {
			return err
		}
		if page.Closing, err = db.Q.ClosingBetween(ctx, tx, store.ClosingBetweenParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID,
			CloseFrom: date(monthStart), CloseTo: date(monthStart.AddDate(0, 1, -1))}); err != nil {
			return err
		}
		if page.Latest, err = db.Q.LatestActivities(ctx, tx, store.LatestActivitiesParams(a)); err != nil {
			return err
		}
		if !page.Manager {
			return nil
		}
		return h.manager(ctx, tx, &page, f, a, weekStart)
	})
	if err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "dashboard", page)
	return nil
}

// manager fills the sections a manager steers the team with.
func (h *Handler) manager(ctx context.Context, tx pgx.Tx, page *Page, f, a db.Filter, weekStart time.Time) (err error) {
	if page.ByOwner, err = db.Q.PipelineByOwner(ctx, tx, store.PipelineByOwnerParams(f)); err != nil {
		return err
	}
	if page.Slipping, err = db.Q.SlippingDeals(ctx, tx, store.SlippingDealsParams{SeeAll: f.SeeAll, OwnID: f.OwnID,
		TeamID: f.TeamID, StalledDays: StalledDays}); err != nil {
		return err
	}
	page.ThisWeek, err = db.Q.ActivitiesSinceByOwner(ctx, tx, store.ActivitiesSinceByOwnerParams{SeeAll: a.SeeAll,
		OwnID: a.OwnID, TeamID: a.TeamID, Since: date(weekStart)})
	return err
}

func date(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: true} }
