// Package leads serves /leads: the list, the record page, its forms, and conversion.
package leads

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /leads.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

var spec = list.Spec{Path: "/leads", Sorts: []string{"created", "name", "company"}, Default: "-created",
	Statuses: append(append([]string{}, Statuses...), "converted"), Sources: Sources}

// ListPage is the leads list.
type ListPage struct {
	render.Page
	list.Listing[store.ListLeadsRow]
	Statuses []form.Option
	Sources  []form.Option
}

// ShowPage is one lead; once converted, with links to what it became.
type ShowPage struct {
	render.Page
	Lead    store.GetLeadRow
	CanEdit bool
	Custom  []form.Inline // the custom fields, editable in place
}

// FormPage is the new and edit form.
type FormPage struct {
	render.Page
	ID          int64
	Form        *form.Form
	OwnerSource string // the owner picker's address
	Statuses    []form.Option
	Sources     []form.Option
	Changes     []store.ChangesSinceRow
	Custom      []form.Field       // the custom fields
	Duplicates  []record.Duplicate // likely the same record, found before saving
}

func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTx(c, h.Pool, fn)
}

// List shows the leads the user may see, filtered, sorted and paged by the query string.
func (h *Handler) List(c *gin.Context) error {
	page := ListPage{Page: h.R.Page(c, "Leads", "leads"), Statuses: options(spec.Statuses, "Any status"), Sources: options(Sources, "Any source")}
	var err error
	if page.Listing, err = leadList.Load(c, h.Pool, nil); err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "leads/list", page)
	return nil
}

// Views are the list's saved view handlers.
func (h *Handler) Views() list.ViewRoutes { return leadList.ViewRoutes(h.Pool, h.R) }

// Bulk changes the ticked rows, or every row of the view, at once.
func (h *Handler) Bulk(c *gin.Context) error { return leadList.Bulk(c, h.Pool, h.R) }

// Export downloads the list as it is filtered, searched and sorted, as CSV.
func (h *Handler) Export(c *gin.Context) error { return leadList.Export(c, h.Pool, h.R) }

var leadList = list.Frame[store.ListLeadsRow]{Spec: spec, Entity: "leads",
	Rows: func(ctx context.Context, tx pgx.Tx, q list.Query) ([]store.ListLeadsRow, error) {
		return db.Q.ListLeads(ctx, tx, store.ListLeadsParams{Custom: q.Custom, SeeAll: q.SeeAll, OwnID: q.OwnID, TeamID: q.TeamID,
			Owner: q.Owner, Team: q.Team, Status: status(q.Status), Source: q.Source, Q: q.Q, SearchOwner: q.SearchOwner, SearchTeam: q.SearchTeam, SearchAfter: q.SearchAfter, SearchLim: q.SearchLimit,
			CreatedFrom: q.CreatedFrom, CreatedTo: q.CreatedTo,
			Sort: q.Sort, CfKey: q.SortField, Lim: q.Limit, AfterID: q.After.ID, AfterText: q.After.Text, AfterTime: q.After.Time, AfterNum: q.After.Num})
	},
	Count: func(ctx context.Context, tx pgx.Tx, q list.Query, cap int32) (int64, error) {
		return db.Q.CountLeads(ctx, tx, store.CountLeadsParams{Custom: q.Custom, SeeAll: q.SeeAll, OwnID: q.OwnID, TeamID: q.TeamID,
			Owner: q.Owner, Team: q.Team, Status: status(q.Status), Source: q.Source,
			CreatedFrom: q.CreatedFrom, CreatedTo: q.CreatedTo, Cap: cap})
	},
	Bucket: func(p list.Params) string { return p.Status },
	Cursor: func(r store.ListLeadsRow, key string) (int64, string) {
		switch key {
		case "name":
			return r.ID, r.LastName
		case "company":
			return r.ID, r.Company
		}
		return r.ID, list.TimeValue(r.CreatedAt)
	},
	Sets: []list.BulkSet{{Action: "status", Label: "Set status", Options: func(context.Context, pgx.Tx) ([]form.Option, error) {
		return options(Statuses, ""), nil
	}}},
	CSV: list.Columns[store.ListLeadsRow]{
		Header: []string{"ID", "First name", "Last name", "Company", "Email", "Status", "Source", "Owner", "Created"},
		Row: func(r store.ListLeadsRow) []string {
			return []string{list.IDCell(r.ID), r.FirstName, r.LastName, r.Company, list.Opt(r.Email), format.Label(string(r.Status)), r.Source, r.OwnerName, list.Stamp(r.CreatedAt)}
		},
		Custom: func(r store.ListLeadsRow) []byte { return r.Custom },
	},
}

func status(s *string) store.NullLeadStatus {
	if s == nil {
		return store.NullLeadStatus{}
	}
	return store.NullLeadStatus{LeadStatus: store.LeadStatus(*s), Valid: true}
}

// Show renders one lead.
func (h *Handler) Show(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var page ShowPage
	var fields custom.Set
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Lead, err = db.Q.GetLead(ctx, tx, id); err != nil {
			return err
		}
		fields, err = custom.Load(ctx, tx, "leads")
		return err
	})
	if err != nil {
		return err
	}
	page.Page = h.R.Page(c, leadName(page.Lead.FirstName, page.Lead.LastName, page.Lead.Company), "leads")
	page.CanEdit = page.Lead.Status != store.LeadStatusConverted &&
		viewer.From(c).CanTouch("leads", "edit", page.Lead.OwnerID, page.Lead.TeamID)
	page.Custom = fields.Inlines("leads", id, page.Lead.Custom, page.CanEdit)
	h.R.HTML(c, http.StatusOK, "leads/show", page)
	return nil
}

// Delete removes a lead and its activities.
func (h *Handler) Delete(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var l store.GetLeadRow
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if l, err = db.Q.GetLead(ctx, tx, id); err != nil {
			return err
		}
		if !viewer.From(c).CanTouch("leads", "delete", l.OwnerID, l.TeamID) {
			return render.Forbidden("Your role does not allow you to delete this lead.")
		}
		_, err := db.Q.DeleteLead(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	h.R.Flash(c, "Lead "+leadName(l.FirstName, l.LastName, l.Company)+" deleted.")
	render.Redirect(c, "/leads")
	return nil
}

// editable refuses edits of converted leads and of leads outside the user's edit scope.
func editable(u *viewer.User, l store.GetLeadRow) error {
	if l.Status == store.LeadStatusConverted {
		return &render.HTTPError{Status: http.StatusConflict,
			Message: "This lead is converted. Edit the account, contact or opportunity it became instead."}
	}
	if !u.CanTouch("leads", "edit", l.OwnerID, l.TeamID) {
		return render.Forbidden("Your role does not allow you to edit this lead.")
	}
	return nil
}

// leadName is how a lead is called: the person, else the company.
func leadName(first, last, company string) string {
	name := first
	if last != "" {
		if name != "" {
			name += " "
		}
		name += last
	}
	if name == "" {
		return company
	}
	return name
}

// Merger merges another lead into one (see record.Merger); converted leads are not merged.
func (h *Handler) Merger() record.Merger {
	return record.Merger{R: h.R, Pool: h.Pool, Entity: "leads", Noun: "lead",
		Fields: []record.MergeField{{Column: "first_name", Label: "First name"}, {Column: "last_name", Label: "Last name"},
			{Column: "company", Label: "Company"}, {Column: "title", Label: "Title"}, {Column: "email", Label: "Email"},
			{Column: "phone", Label: "Phone"}, {Column: "source", Label: "Source"}, {Column: "status", Label: "Status"},
			{Column: "owner_id", Label: "Owner", Show: "owner_id_label"}},
		Load: func(ctx context.Context, tx pgx.Tx, id int64) (record.Merged, error) {
			l, err := db.Q.GetLead(ctx, tx, id)
			return record.Merged{ID: l.ID, Name: leadName(l.FirstName, l.LastName, l.Company), Version: l.Version, OwnerID: l.OwnerID,
				TeamID: l.TeamID, Values: values(l), Final: l.Status == store.LeadStatusConverted}, err
		},
	}
}

// Pick answers the leads matching what the user typed, for pickers.
func (h *Handler) Pick(c *gin.Context) error {
	var rows []store.PickLeadsRow
	if err := viewer.InTxCustomPlans(c, h.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		rows, err = db.Q.PickLeads(ctx, tx, c.Query("q"))
		return err
	}); err != nil {
		return err
	}
	opts := make([]form.Choice, 0, len(rows))
	for _, r := range rows {
		hint := r.Company
		if r.Email != nil {
			hint = *r.Email
		}
		opts = append(opts, form.Choice{ID: r.ID, Label: leadName(r.FirstName, r.LastName, r.Company), Hint: hint})
	}
	h.R.Fragment(c, http.StatusOK, "leads/list", "choices", form.Choices{Options: opts})
	return nil
}

// History is the record's history page (see record.History).
func (h *Handler) History() record.History {
	return record.History{R: h.R, Pool: h.Pool, Entity: "leads", Name: func(ctx context.Context, tx pgx.Tx, id int64) (string, error) {
		r, err := db.Q.GetLead(ctx, tx, id)
		return leadName(r.FirstName, r.LastName, r.Company), err
	}}
}

// Inline edits single fields of the record page in place (see record.InlineEditor).
func (h *Handler) Inline() record.InlineEditor {
	return record.InlineEditor{R: h.R, Pool: h.Pool, Entity: "leads", Constraints: constraints,
		Fields: map[string]string{"company": "Company", "title": "Title", "email": "Email", "phone": "Phone"},
		Load: func(c *gin.Context, id int64) (map[string]string, bool, error) {
			var l store.GetLeadRow
			err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
				l, err = db.Q.GetLead(ctx, tx, id)
				return err
			})
			return values(l), err == nil && editable(viewer.From(c), l) == nil, err
		},
		SaveForm: func(c *gin.Context, id int64, f *form.Form) ([]store.ChangesSinceRow, error) {
			_, changes, err := h.save(c, id, f)
			return changes, err
		},
	}
}
