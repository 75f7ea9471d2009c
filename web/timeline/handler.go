// Package timeline serves the activity timeline of a record page: what was done and what
// changed, newest first, with a form to log a note, call, email, meeting or task.
package timeline

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// PageSize is how many entries a timeline shows before "load more".
const PageSize = 20

// Handler serves the timelines of leads, accounts, contacts and opportunities.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// Entities are the records that have a timeline.
var Entities = []string{"leads", "accounts", "contacts", "opportunities"}

// Types are what can be logged, with the labels the form shows.
var Types = []form.Option{{Value: "note", Label: "Note"}, {Value: "call", Label: "Call"}, {Value: "email", Label: "Email"},
	{Value: "meeting", Label: "Meeting"}, {Value: "task", Label: "Task"}}

// Timeline is the view of a record's timeline, or of its next page.
type Timeline struct {
	Entity string
	ID     int64
	Type   string // the filter, "" for everything
	// An account's timeline can narrow to one of its contacts or deals ("contacts:12").
	Related        string
	RelatedOptions []form.Option
	Entries        []Entry
	More           string
	Form           *form.Form
	Logged         string // what was just logged, when the form offers to schedule what comes next
	CanLog         bool
	Types          []form.Option
	Filters        []form.Option
}

// Entry is one line of the timeline.
type Entry struct {
	store.TimelineRow
	Ago, Exact string
	Meta       string // outcome, duration, meeting time, due date, done
	Notes      template.HTML
	CanEdit    bool
	CanDelete  bool
}

// URL is the timeline's address.
func (t Timeline) URL() string { return fmt.Sprintf("/%s/%d/timeline", t.Entity, t.ID) }

// Show answers a record's timeline (the first page, or the page after ?before=).
func (h *Handler) Show(entity string) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		id, err := render.PathID(c, "id")
		if err != nil {
			return err
		}
		t, err := h.load(c, entity, id, c.Query("type"), c.Query("before"), c.Query("related"))
		if err != nil {
			return err
		}
		block := "timeline"
		if c.Query("before") != "" {
			block = "entries"
		}
		h.R.Fragment(c, http.StatusOK, "timeline", block, t)
		return nil
	}
}

func (h *Handler) load(c *gin.Context, entity string, id int64, typ, before, related string) (Timeline, error) {
	u := viewer.From(c)
	t := Timeline{Entity: entity, ID: id, Type: typ, Types: Types, CanLog: u.Can("activities", "create"),
		Form: form.New(map[string]string{"type": "note", "owner_id": form.IDString(u.ID), "owner_id_label": u.Name})}
	t.Filters = append([]form.Option{{Value: "", Label: "Everything"}}, Types...)
	t.Filters = append(t.Filters, form.Option{Value: "change", Label: "Changes"})
	valid := typ == "" || typ == "change"
	for _, x := range Types {
		valid = valid || x.Value == typ
	}
	if !valid {
		t.Type = ""
	}
	p := store.TimelineParams{Entity: store.PermEntity(entity), RecordID: id, Lim: PageSize + 1, Type: list.Text(t.Type)}
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
	if at, kind, bid, ok := parseCursor(before); ok {
		p.BeforeAt, p.BeforeKind, p.BeforeID = &at, &kind, &bid
	}
	var rows []store.TimelineRow
	// The branches not asked for compare a key with NULL: a generic plan probes their indexes and
	// finds nothing, so cached plans serve (planning this query costs more than running it).
	err := viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) error {
		switch err := visible(ctx, tx, entity, id, t.CanLog); {
		case err == errConverted:
			t.CanLog = false
		case err != nil:
			return err
		}
		if entity == "accounts" {
			if err := narrow(ctx, tx, &t, &p, related); err != nil {
				return err
			}
		}
		var err error
		rows, err = db.Q.Timeline(ctx, tx, p)
		return err
	})
	if err != nil {
		return t, err
	}
	if len(rows) > PageSize {
		rows = rows[:PageSize]
		last := rows[len(rows)-1]
		t.More = fmt.Sprintf("%s?type=%s&related=%s&before=%s", t.URL(), t.Type, t.Related, cursor(last))
	}
	t.Entries = entries(u, rows)
	return t, nil
}

// narrow offers an account's contacts and deals as a filter, and when one is chosen, shows only
// its timeline (a choice that is not one of them is ignored).
func narrow(ctx context.Context, tx pgx.Tx, t *Timeline, p *store.TimelineParams, related string) error {
	contacts, err := db.Q.ListContactsOfAccount(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	deals, err := db.Q.ListOpportunitiesOf(ctx, tx, store.ListOpportunitiesOfParams{AccountID: &t.ID})
	if err != nil {
		return err
	}
	t.RelatedOptions = []form.Option{{Value: "", Label: "The account and all its people and deals"}}
	for _, c := range contacts {
		v := "contacts:" + form.IDString(c.ID)
		t.RelatedOptions = append(t.RelatedOptions, form.Option{Value: v, Label: "Contact: " + c.FirstName + " " + c.LastName})
		if v == related {
			t.Related, p.AccountID, p.ContactID = v, nil, &c.ID
			p.Entity, p.RecordID = store.PermEntityContacts, c.ID
		}
	}
	for _, o := range deals {
		v := "opportunities:" + form.IDString(o.ID)
		t.RelatedOptions = append(t.RelatedOptions, form.Option{Value: v, Label: "Deal: " + o.Name})
		if v == related {
			t.Related, p.AccountID, p.OpportunityID = v, nil, &o.ID
			p.Entity, p.RecordID = store.PermEntityOpportunities, o.ID
		}
	}
	return nil
}

// errConverted refuses activities logged on a converted lead: they belong on its contact now.
var errConverted = &render.HTTPError{Status: http.StatusConflict, Message: "This lead was converted. Log activities on the contact it became."}

// visible fails with no rows when the user may not see the record, and with errConverted when
// it is a converted lead and activities are to be logged on it.
func visible(ctx context.Context, tx pgx.Tx, entity string, id int64, logging bool) error {
	var err error
	switch entity {
	case "leads":
		var l store.GetLeadRow
		l, err = db.Q.GetLead(ctx, tx, id)
		if err == nil && logging && l.Status == store.LeadStatusConverted {
			return errConverted
		}
	case "accounts":
		_, err = db.Q.GetAccount(ctx, tx, id)
	case "contacts":
		_, err = db.Q.GetContact(ctx, tx, id)
	default:
		_, err = db.Q.GetOpportunity(ctx, tx, id)
	}
	return err
}

// Delete removes an activity the user may delete and answers nothing, so its line goes.
func (h *Handler) Delete(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	err = viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) error {
		a, err := db.Q.GetActivityOwner(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.CanTouch("activities", "delete", a.OwnerID, a.TeamID) {
			return render.Forbidden("Your role does not allow you to delete this activity.")
		}
		_, err = db.Q.DeleteActivity(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	if !render.IsHTMX(c) {
		h.R.Flash(c, "Activity deleted.")
		render.Redirect(c, c.GetHeader("Referer"))
		return nil
	}
	c.Status(http.StatusOK)
	return nil
}

func cursor(r store.TimelineRow) string {
	return r.At.UTC().Format(time.RFC3339Nano) + "," + r.Kind + "," + strconv.FormatInt(r.ID, 10)
}

func parseCursor(s string) (time.Time, string, int64, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 || (parts[1] != "a" && parts[1] != "h") {
		return time.Time{}, "", 0, false
	}
	at, err1 := time.Parse(time.RFC3339Nano, parts[0])
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	return at, parts[1], id, err1 == nil && err2 == nil
}
