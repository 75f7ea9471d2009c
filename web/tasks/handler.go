// Package tasks serves /activities: the open tasks of the user (or of a manager's team),
// grouped by when they are due, completed with one click.
package tasks

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /activities.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// PerPage is how many tasks a page shows before "show more".
const PerPage = 50

// Page is the task list.
type Page struct {
	render.Page
	Owner     string
	Owners    []form.Option // the owner filter, for those who see others' tasks
	Count     int64         // every open task in view
	Rows      []Row
	More      string // the next page of rows, if any
	CanAssign bool   // the user may give tasks to someone else
}

// Row is a line of the list: a task, or the heading of the period the next tasks are due in.
type Row struct {
	Group string
	Task  *Task
}

// Task is one open task.
type Task struct {
	store.ListOpenTasksRow
	Overdue   bool
	Due       string
	Link      string
	CanAssign bool
	Done      bool
	Filter    string // the owner filter of the list it is on ("me" on the dashboard)
}

// Done is the answer to completing or reopening a task: its row and the counts it changed.
type Done struct {
	Task  Task
	Count int64 // open tasks under the row's list filter
	Mine  int64 // the user's own open tasks, for the navigation's badge
}

func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTxCustomPlans(c, h.Pool, fn)
}

// List shows the open tasks soonest first, under the headings overdue, today, upcoming and no
// date, a page at a time; "show more" (HTMX) answers just the next rows.
func (h *Handler) List(c *gin.Context) error {
	u := viewer.From(c)
	filter, owner := ownerFilter(c.Query("owner"), u)
	page := Page{Page: h.R.Page(c, "Tasks", "tasks"), Owner: filter}
	scope := u.Access.Filter("activities", "view")
	p := store.ListOpenTasksParams{SeeAll: scope.SeeAll, OwnID: scope.OwnID, TeamID: scope.TeamID, Owner: owner, Lim: PerPage + 1,
		AfterID: list.ID(c.Query("after_id")), AfterDue: list.Time(c.Query("after_due"))}
	var rows []store.ListOpenTasksRow
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if rows, err = db.Q.ListOpenTasks(ctx, tx, p); err != nil {
			return err
		}
		if page.Count, err = openTasks(ctx, tx, u, owner); err != nil {
			return err
		}
		owners, err := people.Owners(ctx, tx, u, "activities", "edit")
		page.CanAssign = len(owners) > 1
		if page.CanAssign {
			page.Owners = append([]form.Option{{Value: "", Label: "Everyone I can see"}, {Value: "me", Label: "Me"}}, owners...)
		}
		return err
	})
	if err != nil {
		return err
	}
	loc := u.Location()
	if len(rows) > PerPage {
		rows = rows[:PerPage]
		last := rows[len(rows)-1]
		next := url.Values{"after_id": {form.IDString(last.ID)}}
		if last.DueAt != nil {
			next.Set("after_due", list.TimeValue(*last.DueAt))
		}
		if page.Owner != "" {
			next.Set("owner", page.Owner)
		}
		page.More = "/activities?" + next.Encode()
	}
	previous := ""
	if p.AfterID != nil {
		previous = group(p.AfterDue, loc) // a next page goes on under the heading it stopped in
	}
	for _, r := range rows {
		t := View(r, page.CanAssign, page.Owner, loc)
		if g := group(r.DueAt, loc); g != previous {
			page.Rows = append(page.Rows, Row{Group: g})
			previous = g
		}
		page.Rows = append(page.Rows, Row{Task: &t})
	}
	if p.AfterID != nil {
		h.R.Fragment(c, http.StatusOK, "tasks/list", "rows", page)
		return nil
	}
	h.R.HTML(c, http.StatusOK, "tasks/list", page)
	return nil
}

// group names when a task is due, in the user's time zone: overdue, today, upcoming or no date.
func group(due *time.Time, loc *time.Location) string {
	if due == nil {
		return "No date"
	}
	now := time.Now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	switch {
	case due.Before(today):
		return "Overdue"
	case due.Before(today.AddDate(0, 0, 1)):
		return "Today"
	}
	return "Upcoming"
}

// ownerFilter reads the owner filter of a task list: "me", someone's id, or "" for everyone in
// view; and the owner id it narrows to.
func ownerFilter(v string, u *viewer.User) (string, *int64) {
	switch {
	case v == "me":
		return v, &u.ID
	case list.ID(v) != nil:
		return v, list.ID(v)
	}
	return "", nil
}

// openTasks counts the open tasks the user sees, of one owner or of everyone in view.
func openTasks(ctx context.Context, tx pgx.Tx, u *viewer.User, owner *int64) (int64, error) {
	scope := u.Access.Filter("activities", "view")
	return db.Q.CountKept(ctx, tx, store.CountKeptParams{Entity: "activities", Bucket: list.Text("open_task"),
		SeeAll: scope.SeeAll, OwnID: scope.OwnID, TeamID: scope.TeamID, Owner: owner})
}

// View is a task row as the task list and the dashboard show it, in the user's time zone; filter
// is the list's owner filter.
func View(r store.ListOpenTasksRow, canAssign bool, filter string, loc *time.Location) Task {
	t := Task{ListOpenTasksRow: r, CanAssign: canAssign, Filter: filter}
	if r.DueAt != nil {
		t.Due = r.DueAt.In(loc).Format("Mon 2 Jan")
		t.Overdue = group(r.DueAt, loc) == "Overdue"
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

// Done completes a task (done=1) or reopens it (done=0, the undo) and answers its row with the
// open-task counts redrawn.
func (h *Handler) Done(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	done := c.PostForm("done") != "0"
	filter, owner := ownerFilter(c.PostForm("owner"), u)
	var row store.SetTaskDoneRow
	answer := Done{}
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		a, err := db.Q.GetActivityOwner(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.CanTouch("activities", "edit", a.OwnerID, a.TeamID) {
			return render.Forbidden("Your role does not allow you to change this task.")
		}
		if row, err = db.Q.SetTaskDone(ctx, tx, store.SetTaskDoneParams{ID: id, Done: done}); err != nil {
			return err
		}
		if answer.Count, err = openTasks(ctx, tx, u, owner); err != nil {
			return err
		}
		answer.Mine, err = openTasks(ctx, tx, u, &u.ID)
		return err
	})
	if err != nil {
		return err
	}
	if !render.IsHTMX(c) {
		render.Redirect(c, "/activities")
		return nil
	}
	answer.Task = Task{ListOpenTasksRow: store.ListOpenTasksRow{ID: row.ID, Subject: row.Subject, DueAt: row.DueAt, OwnerID: row.OwnerID},
		Done: row.DoneAt != nil, Filter: filter}
	h.R.Fragment(c, http.StatusOK, "tasks/list", "task_done", answer)
	return nil
}

// AssignPage gives one task to someone else: the people the user may give it to.
type AssignPage struct {
	render.Page
	Task   store.GetActivityRow
	Owners []form.Option
	Form   *form.Form
}

// AssignForm shows who a task may be given to: a small form in the row (HTMX), or a page.
func (h *Handler) AssignForm(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	page := AssignPage{Page: h.R.Page(c, "Reassign a task", "tasks")}
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Task, err = db.Q.GetActivity(ctx, tx, id); err != nil {
			return err
		}
		page.Owners, err = people.Owners(ctx, tx, u, "activities", "edit")
		return err
	})
	if err != nil {
		return err
	}
	if !u.CanTouch("activities", "edit", page.Task.OwnerID, page.Task.TeamID) || len(page.Owners) < 2 {
		return render.Forbidden("You can give tasks only to people in your scope, and yours has only you.")
	}
	page.Form = form.New(map[string]string{"owner_id": form.IDString(page.Task.OwnerID)})
	h.R.HTML(c, http.StatusOK, "tasks/assign", page)
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
		owners, err := people.Owners(ctx, tx, u, "activities", "edit")
		if err != nil {
			return err
		}
		people.CheckOwner(f, owners)
		if !u.CanTouch("activities", "edit", a.OwnerID, a.TeamID) || !f.Valid() {
			return render.Forbidden("You can give tasks only to people in your scope.")
		}
		_, err = db.Q.AssignTask(ctx, tx, store.AssignTaskParams{ID: id, OwnerID: f.ID("owner_id")})
		return err
	})
	if err != nil {
		return render.Refused(err, "give this task to that person")
	}
	h.R.Flash(c, "Task reassigned.")
	render.Redirect(c, "/activities?"+c.Request.URL.RawQuery)
	return nil
}
