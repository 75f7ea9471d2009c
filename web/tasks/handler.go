// Package tasks serves /activities: the open tasks of the user (or of a manager's team),
// grouped by when they are due, completed with one click.
package tasks

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /activities.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// Page is the task list.
type Page struct {
	render.Page
	Groups []Group
	Owner  string
	Owners []form.Option // the owner filter
	Assign []form.Option // who a task may be given to
	Count  int
}

// Group is the tasks due in one period.
type Group struct {
	Name  string
	Tasks []Task
}

// Task is one row of the list.
type Task struct {
	store.ListOpenTasksRow
	Overdue bool
	Due     string
	Link    string
	Assign  []form.Option
	Done    bool
}

func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTx(c, h.Pool, fn)
}

// List shows the open tasks, grouped overdue, today, upcoming and undated.
func (h *Handler) List(c *gin.Context) error {
	u := viewer.From(c)
	page := Page{Page: h.R.Page(c, "Tasks", "tasks"), Owner: c.Query("owner")}
	if page.Owner != "me" && list.ID(page.Owner) == nil {
		page.Owner = ""
	}
	scope := u.Access.Filter("activities", "view")
	var rows []store.ListOpenTasksRow
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		owner := list.ID(page.Owner)
		if page.Owner == "me" {
			owner = &u.ID
		}
		if rows, err = db.Q.ListOpenTasks(ctx, tx, store.ListOpenTasksParams{SeeAll: scope.SeeAll, OwnID: scope.OwnID,
			TeamID: scope.TeamID, Owner: owner, Lim: 500}); err != nil {
			return err
		}
		if page.Assign, err = record.Owners(ctx, tx, u, "activities", "edit"); err != nil {
			return err
		}
		page.Owners = append([]form.Option{{Value: "", Label: "Everyone I can see"}, {Value: "me", Label: "Me"}}, page.Assign...)
		return nil
	})
	if err != nil {
		return err
	}
	page.Count = len(rows)
	page.Groups = group(rows, page.Assign, location(u))
	h.R.HTML(c, http.StatusOK, "tasks/list", page)
	return nil
}

func location(u *viewer.User) *time.Location {
	loc, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// group sorts tasks into overdue, today, upcoming and no date, in the user's time zone.
func group(rows []store.ListOpenTasksRow, assign []form.Option, loc *time.Location) []Group {
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	tomorrow := today.AddDate(0, 0, 1)
	groups := []Group{{Name: "Overdue"}, {Name: "Today"}, {Name: "Upcoming"}, {Name: "No date"}}
	for _, r := range rows {
		t := view(r, assign, loc, today)
		switch {
		case r.DueAt == nil:
			groups[3].Tasks = append(groups[3].Tasks, t)
		case r.DueAt.Before(today):
			groups[0].Tasks = append(groups[0].Tasks, t)
		case r.DueAt.Before(tomorrow):
			groups[1].Tasks = append(groups[1].Tasks, t)
		default:
			groups[2].Tasks = append(groups[2].Tasks, t)
		}
	}
	return groups
}

func view(r store.ListOpenTasksRow, assign []form.Option, loc *time.Location, today time.Time) Task {
	t := Task{ListOpenTasksRow: r, Assign: assign}
	if r.DueAt != nil {
		t.Due = r.DueAt.In(loc).Format("Mon 2 Jan")
		t.Overdue = r.DueAt.Before(today)
	}
	switch {
	case r.OpportunityID != nil:
		t.Link = fmt.Sprintf("/opportunities/%d", *r.OpportunityID)
	case r.ContactID != nil:
		t.Link = fmt.Sprintf("/contacts/%d", *r.ContactID)
	case r.AccountID != nil:
		t.Link = fmt.Sprintf("/accounts/%d", *r.AccountID)
	case r.LeadID != nil:
		t.Link = fmt.Sprintf("/leads/%d", *r.LeadID)
	}
	return t
}

// Done completes a task (done=1) or reopens it (done=0, the undo) and answers its row.
func (h *Handler) Done(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	done := c.PostForm("done") != "0"
	var row store.SetTaskDoneRow
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		a, err := db.Q.GetActivityOwner(ctx, tx, id)
		if err != nil {
			return err
		}
		if !record.CanTouch(u, "activities", "edit", a.OwnerID, a.TeamID) {
			return render.Forbidden("Your role does not allow you to change this task.")
		}
		row, err = db.Q.SetTaskDone(ctx, tx, store.SetTaskDoneParams{ID: id, Done: done})
		return err
	})
	if err != nil {
		return err
	}
	if !render.IsHTMX(c) {
		render.Redirect(c, "/activities")
		return nil
	}
	t := Task{ListOpenTasksRow: store.ListOpenTasksRow{ID: row.ID, Subject: row.Subject, DueAt: row.DueAt, OwnerID: row.OwnerID},
		Done: row.DoneAt != nil}
	h.R.Fragment(c, http.StatusOK, "tasks/list", "task", t)
	return nil
}

// Assign gives a task to someone in the user's scope.
func (h *Handler) Assign(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	f := form.Parse(c, "owner_id")
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		a, err := db.Q.GetActivityOwner(ctx, tx, id)
		if err != nil {
			return err
		}
		owners, err := record.Owners(ctx, tx, u, "activities", "edit")
		if err != nil {
			return err
		}
		record.CheckOwner(f, owners)
		if !record.CanTouch(u, "activities", "edit", a.OwnerID, a.TeamID) || !f.Valid() {
			return render.Forbidden("You can give tasks only to people in your scope.")
		}
		_, err = db.Q.AssignTask(ctx, tx, store.AssignTaskParams{ID: id, OwnerID: f.ID("owner_id")})
		return err
	})
	if err != nil {
		return record.Refused(err, "give this task to that person")
	}
	h.R.Flash(c, "Task reassigned.")
	render.Redirect(c, "/activities?"+c.Request.URL.RawQuery)
	return nil
}
