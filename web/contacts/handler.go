// Package contacts serves /contacts: the list, the record page, and its forms.
package contacts

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
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /contacts.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

var spec = list.Spec{Path: "/contacts", Sorts: []string{"name", "created"}, Default: "name"}

// ListPage is the contacts list.
type ListPage struct {
	render.Page
	list.Listing[store.ListContactsRow]
}

// ShowPage is one contact with their deals and latest activity.
type ShowPage struct {
	render.Page
	Contact       store.GetContactRow
	Opportunities []store.ListOpportunitiesOfRow
	CanEdit       bool
	Custom        []form.Inline
}

// FormPage is the new and edit form.
type FormPage struct {
	render.Page
	ID          int64
	Form        *form.Form
	OwnerSource string // the owner picker's address
	Changes     []store.ChangesSinceRow
	Custom      []form.Field
	Duplicates  []record.Duplicate // likely the same record, found before saving
}

func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTx(c, h.Pool, fn)
}

// List shows the contacts the user may see, filtered, sorted and paged by the query string.
func (h *Handler) List(c *gin.Context) error {
	page := ListPage{Page: h.R.Page(c, "Contacts", "contacts")}
	var err error
	if page.Listing, err = contactList.Load(c, h.Pool, nil); err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "contacts/list", page)
	return nil
}

// Views are the list's saved view handlers.
func (h *Handler) Views() list.ViewRoutes { return contactList.ViewRoutes(h.Pool, h.R) }

// Bulk changes the ticked rows, or every row of the view, at once.
func (h *Handler) Bulk(c *gin.Context) error { return contactList.Bulk(c, h.Pool, h.R) }

// Export downloads the list as it is filtered, searched and sorted, as CSV.
func (h *Handler) Export(c *gin.Context) error { return contactList.Export(c, h.Pool, h.R) }

var contactList = list.Frame[store.ListContactsRow]{Spec: spec, Entity: "contacts",
	Rows: func(ctx context.Context, tx pgx.Tx, q list.Query) ([]store.ListContactsRow, error) {
		return db.Q.ListContacts(ctx, tx, store.ListContactsParams{Custom: q.Custom, SeeAll: q.SeeAll, OwnID: q.OwnID, TeamID: q.TeamID,
			Owner: q.Owner, Team: q.Team, Q: q.Q, SearchOwner: q.SearchOwner, SearchTeam: q.SearchTeam, SearchAfter: q.SearchAfter, SearchLim: q.SearchLimit, CreatedFrom: q.CreatedFrom, CreatedTo: q.CreatedTo,
			Sort: q.Sort, CfKey: q.SortField, Lim: q.Limit, AfterID: q.After.ID, AfterText: q.After.Text, AfterTime: q.After.Time, AfterNum: q.After.Num})
	},
	Count: func(ctx context.Context, tx pgx.Tx, q list.Query, cap int32) (int64, error) {
		return db.Q.CountContacts(ctx, tx, store.CountContactsParams{Custom: q.Custom, SeeAll: q.SeeAll, OwnID: q.OwnID, TeamID: q.TeamID,
			Owner: q.Owner, Team: q.Team, CreatedFrom: q.CreatedFrom, CreatedTo: q.CreatedTo, Cap: cap})
	},
	Cursor: func(r store.ListContactsRow, key string) (int64, string) {
		if key == "created" {
			return r.ID, list.TimeValue(r.CreatedAt)
		}
		return r.ID, r.LastName
	},
	CSV: list.Columns[store.ListContactsRow]{
		Header: []string{"ID", "First name", "Last name", "Email", "Phone", "Title", "Account", "Owner", "Created"},
		Row: func(r store.ListContactsRow) []string {
			return []string{list.IDCell(r.ID), r.FirstName, r.LastName, list.Opt(r.Email), r.Phone, r.Title, list.Opt(r.AccountName), r.OwnerName, list.Stamp(r.CreatedAt)}
		},
		Custom: func(r store.ListContactsRow) []byte { return r.Custom },
	},
}

// Show renders one contact.
func (h *Handler) Show(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var page ShowPage
	var fields custom.Set
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Contact, err = db.Q.GetContact(ctx, tx, id); err != nil {
			return err
		}
		if fields, err = custom.Load(ctx, tx, "contacts"); err != nil {
			return err
		}
		page.Opportunities, err = db.Q.ListOpportunitiesOf(ctx, tx, store.ListOpportunitiesOfParams{ContactID: &id})
		return err
	})
	if err != nil {
		return err
	}
	page.Page = h.R.Page(c, page.Contact.FirstName+" "+page.Contact.LastName, "contacts")
	page.CanEdit = viewer.From(c).CanTouch("contacts", "edit", page.Contact.OwnerID, page.Contact.TeamID)
	page.Custom = fields.Inlines("contacts", id, page.Contact.Custom, page.CanEdit)
	h.R.HTML(c, http.StatusOK, "contacts/show", page)
	return nil
}

// Delete removes a contact with their activities; deals keep their account and lose the contact.
func (h *Handler) Delete(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var ct store.GetContactRow
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if ct, err = db.Q.GetContact(ctx, tx, id); err != nil {
			return err
		}
		if !viewer.From(c).CanTouch("contacts", "delete", ct.OwnerID, ct.TeamID) {
			return render.Forbidden("Your role does not allow you to delete this contact.")
		}
		_, err := db.Q.DeleteContact(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	h.R.Flash(c, "Contact "+ct.FirstName+" "+ct.LastName+" deleted.")
	render.Redirect(c, "/contacts")
	return nil
}

// Pick answers the contact picker, optionally within one account.
func (h *Handler) Pick(c *gin.Context) error {
	var rows []store.PickContactsRow
	if err := viewer.InTxCustomPlans(c, h.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		rows, err = db.Q.PickContacts(ctx, tx, store.PickContactsParams{Q: list.Text(c.Query("q")), AccountID: list.ID(c.Query("account_id"))})
		return err
	}); err != nil {
		return err
	}
	opts := make([]form.Choice, 0, len(rows))
	for _, r := range rows {
		hint := ""
		if r.Email != nil {
			hint = *r.Email
		}
		opts = append(opts, form.Choice{ID: r.ID, Label: r.FirstName + " " + r.LastName, Hint: hint})
	}
	h.R.Fragment(c, http.StatusOK, "contacts/list", "choices", form.Choices{Options: opts})
	return nil
}

// Merger merges another contact into one (see record.Merger).
func (h *Handler) Merger() record.Merger {
	return record.Merger{R: h.R, Pool: h.Pool, Entity: "contacts", Noun: "contact",
		Fields: []record.MergeField{{Column: "first_name", Label: "First name"}, {Column: "last_name", Label: "Last name"},
			{Column: "email", Label: "Email"}, {Column: "phone", Label: "Phone"}, {Column: "title", Label: "Title"},
			{Column: "account_id", Label: "Account", Show: "account_id_label"}, {Column: "owner_id", Label: "Owner", Show: "owner_id_label"}},
		Load: func(ctx context.Context, tx pgx.Tx, id int64) (record.Merged, error) {
			ct, err := db.Q.GetContact(ctx, tx, id)
			return record.Merged{ID: ct.ID, Name: ct.FirstName + " " + ct.LastName, Version: ct.Version, OwnerID: ct.OwnerID,
				TeamID: ct.TeamID, Values: values(ct)}, err
		},
	}
}

// History is the record's history page (see record.History).
func (h *Handler) History() record.History {
	return record.History{R: h.R, Pool: h.Pool, Entity: "contacts", Name: func(ctx context.Context, tx pgx.Tx, id int64) (string, error) {
		r, err := db.Q.GetContact(ctx, tx, id)
		return r.FirstName + " " + r.LastName, err
	}}
}

// Inline edits single fields of the record page in place (see record.InlineEditor).
func (h *Handler) Inline() record.InlineEditor {
	return record.InlineEditor{R: h.R, Pool: h.Pool, Entity: "contacts", Constraints: constraints,
		Fields: map[string]string{"title": "Title", "email": "Email", "phone": "Phone"},
		Load: func(c *gin.Context, id int64) (map[string]string, bool, error) {
			var ct store.GetContactRow
			err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
				ct, err = db.Q.GetContact(ctx, tx, id)
				return err
			})
			return values(ct), err == nil && viewer.From(c).CanTouch("contacts", "edit", ct.OwnerID, ct.TeamID), err
		},
		SaveForm: func(c *gin.Context, id int64, f *form.Form) ([]store.ChangesSinceRow, error) {
			_, changes, err := h.save(c, id, f)
			return changes, err
		},
	}
}
