package timeline

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// logFields are what the log form sends; which of them count depends on the type.
var logFields = []string{"type", "subject", "body", "outcome", "duration_minutes", "due_at", "starts_at", "ends_at",
	"owner_id", "owner_id_label"}

// Log adds an activity to a record and answers the timeline with the new entry, its form offering
// to schedule the next step; a form with problems comes back with them, everything typed kept.
func (h *Handler) Log(entity string) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		id, err := render.PathID(c, "id")
		if err != nil {
			return err
		}
		u := viewer.From(c)
		if !u.Can("activities", "create") {
			return render.Forbidden("Your role does not allow you to log activities.")
		}
		f := form.Parse(c, logFields...)
		p := validate(f, u, time.Now())
		switch entity {
		case "leads":
			p.LeadID = &id
		case "accounts":
			p.AccountID = &id
		case "contacts":
			p.ContactID = &id
		default:
			p.OpportunityID = &id
		}
		err = viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) error {
			if err := visible(ctx, tx, entity, id, true); err != nil {
				return err
			}
			return create(ctx, tx, u, f, p)
		})
		t := Timeline{Entity: entity, ID: id, Types: Types, CanLog: true, Form: f}
		if err == record.ErrInvalid {
			c.Header("HX-Retarget", "#log-form") // only the form, with its messages, comes back
			c.Header("HX-Reswap", "outerHTML")
			h.R.Fragment(c, http.StatusUnprocessableEntity, "timeline", "log_form", t)
			return nil
		}
		if err != nil {
			return render.Refused(err, "log this activity")
		}
		if !render.IsHTMX(c) {
			h.R.Flash(c, loggedMessage(p))
			render.Redirect(c, fmt.Sprintf("/%s/%d", entity, id))
			return nil
		}
		// The whole first page again, so the new entry sits where the timeline's order puts it.
		fresh, err := h.load(c, entity, id, "", "", "")
		if err != nil {
			return err
		}
		fresh.Form, fresh.Logged = followUp(p, u, time.Now()), loggedMessage(p)
		h.R.Fragment(c, http.StatusOK, "timeline", "timeline", fresh)
		return nil
	}
}

// create saves an activity once its owner is one the user may give it to and the form is good.
func create(ctx context.Context, tx pgx.Tx, u *viewer.User, f *form.Form, p store.CreateActivityParams) error {
	owners, err := people.Owners(ctx, tx, u, "activities", "create")
	if err != nil {
		return err
	}
	people.CheckOwner(f, owners)
	if !f.Valid() {
		return record.ErrInvalid
	}
	_, err = db.Q.CreateActivity(ctx, tx, p)
	return err
}

// validate reads the fields of the chosen type (the others are ignored, whatever they hold): an
// outcome and minutes for a call, a due time and an assignee for a task, a start and an end for a
// meeting. A task is open until done, and so is a meeting that is still to come.
func validate(f *form.Form, u *viewer.User, now time.Time) store.CreateActivityParams {
	f.OneOf("type", "note", "call", "email", "meeting", "task")
	f.MaxLength("subject", 200)
	f.MaxLength("body", 10000)
	typ := f.Get("type")
	if f.Get("subject") == "" {
		if typ == "note" && f.Get("body") != "" {
			f.Values["subject"] = firstLine(f.Get("body"))
		} else {
			f.Fail("subject", "Say in a few words what this is about.")
		}
	}
	p := store.CreateActivityParams{OwnerID: u.ID, Type: store.ActivityType(typ), Subject: f.Get("subject"), Body: f.Get("body"),
		CreatedAt: now, DoneAt: &now}
	loc := u.Location()
	switch typ {
	case "call":
		p.Outcome = f.Get("outcome")
		if f.Get("duration_minutes") != "" {
			if n, ok := f.Int("duration_minutes", 0, 1440); ok {
				d := int32(n)
				p.DurationMinutes = &d
			}
		}
	case "task":
		p.OwnerID, p.DueAt, p.DoneAt = f.ID("owner_id"), f.Time("due_at", loc), nil
	case "meeting":
		p.StartsAt, p.EndsAt = f.Time("starts_at", loc), f.Time("ends_at", loc)
		switch {
		case p.StartsAt == nil && f.Errors["starts_at"] == "":
			f.Fail("starts_at", "When does the meeting start?")
		case p.StartsAt != nil && p.EndsAt != nil && p.EndsAt.Before(*p.StartsAt):
			f.Fail("ends_at", "The meeting has to end after it starts.")
		case p.StartsAt != nil && p.StartsAt.After(now):
			p.DoneAt = nil // still to come: the deal's next step until then
		}
	}
	if typ != "task" { // only a task is given to someone; everything else is the user's own
		f.Values["owner_id"], f.Values["owner_id_label"] = form.IDString(u.ID), u.Name
	}
	return p
}

// followUp is the log form after logging p: a task to follow up, due the next working day at
// nine, after a note, call, email or meeting; a fresh note after a task.
func followUp(p store.CreateActivityParams, u *viewer.User, now time.Time) *form.Form {
	v := map[string]string{"type": "note", "owner_id": form.IDString(u.ID), "owner_id_label": u.Name}
	if p.Type == store.ActivityTypeTask {
		return form.New(v)
	}
	v["type"], v["subject"], v["due_at"] = "task", firstLine("Follow up: "+p.Subject), nextMorning(u, now)
	return form.New(v)
}

// nextMorning is nine o'clock on the next working day in the user's time zone, as a
// datetime-local input takes it.
func nextMorning(u *viewer.User, now time.Time) string {
	day := now.In(u.Location()).AddDate(0, 0, 1)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, day.Location()).Format("2006-01-02T15:04")
}

// loggedMessage says what was just saved.
func loggedMessage(p store.CreateActivityParams) string {
	switch {
	case p.Type == store.ActivityTypeTask:
		return "Task added."
	case p.Type == store.ActivityTypeMeeting && p.DoneAt == nil:
		return "Meeting scheduled."
	}
	return strings.ToUpper(string(p.Type)[:1]) + string(p.Type)[1:] + " logged."
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
