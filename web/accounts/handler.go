// Package accounts serves /accounts: the list, the record page, and its forms.
package accounts

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

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

// Handler serves /accounts.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

var spec = list.Spec{Path: "/accounts", Sorts: []string{"name", "created"}, Default: "name"}

// ListPage is the accounts list.
type ListPage struct {
	render.Page
	list.Listing[store.ListAccountsRow]
}

// ShowPage is one account with its people, deals and latest activity.
type ShowPage struct {
	render.Page
	Account       store.GetAccountRow
	Contacts      []store.ListContactsOfAccountRow
	Opportunities []store.ListOpportunitiesOfRow
	Totals        store.AccountTotalsRow
	CanEdit       bool
	Custom        []form.Inline // the custom fields, editable in place
}

// FormPage is the new and edit form.
type FormPage struct {
	render.Page
	ID          int64
	Form        *form.Form
	OwnerSource string                  // the owner picker's address
	Changes     []store.ChangesSinceRow // edits by others since the user's version, after a conflict
	Custom      []form.Field            // the custom fields
	Duplicates  []record.Duplicate      // likely the same record, found before saving
}

func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTx(c, h.Pool, fn)
}

// List shows the accounts the user may see, filtered, sorted and paged by the query string.
func (h *Handler) List(c *gin.Context) error {
	page := ListPage{Page: h.R.Page(c, "Accounts", "accounts")}
	var err error
	if page.Listing, err = accountList.Load(c, h.Pool, nil); err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "accounts/list", page)
	return nil
}

// Views are the list's saved view handlers.
func (h *Handler) Views() list.ViewRoutes { return accountList.ViewRoutes(h.Pool, h.R) }

// Bulk changes the ticked rows, or every row of the view, at once.
func (h *Handler) Bulk(c *gin.Context) error { return accountList.Bulk(c, h.Pool, h.R) }

// Export downloads the list as it is filtered, searched and sorted, as CSV.
func (h *Handler) Export(c *gin.Context) error { return accountList.Export(c, h.Pool, h.R) }

var accountList = list.Frame[store.ListAccountsRow]{Spec: spec, Entity: "accounts",
	Rows: func(ctx context.Context, tx pgx.Tx, q list.Query) ([]store.ListAccountsRow, error) {
		return db.Q.ListAccounts(ctx, tx, store.ListAccountsParams{Custom: q.Custom, SeeAll: q.SeeAll, OwnID: q.OwnID, TeamID: q.TeamID,
			Owner: q.Owner, Team: q.Team, Q: q.Q, SearchOwner: q.SearchOwner, SearchTeam: q.SearchTeam, SearchAfter: q.SearchAfter, SearchLim: q.SearchLimit, CreatedFrom: q.CreatedFrom, CreatedTo: q.CreatedTo,
			Sort: q.Sort, CfKey: q.SortField, Lim: q.Limit, AfterID: q.After.ID, AfterText: q.After.Text, AfterTime: q.After.Time, AfterNum: q.After.Num})
	},
	Count: func(ctx context.Context, tx pgx.Tx, q list.Query, cap int32) (int64, error) {
		return db.Q.CountAccounts(ctx, tx, store.CountAccountsParams{Custom: q.Custom, SeeAll: q.SeeAll, OwnID: q.OwnID, TeamID: q.TeamID,
			Owner: q.Owner, Team: q.Team, CreatedFrom: q.CreatedFrom, CreatedTo: q.CreatedTo, Cap: cap})
	},
	Cursor: func(r store.ListAccountsRow, key string) (int64, string) {
		if key == "created" {
			return r.ID, list.TimeValue(r.CreatedAt)
		}
		return r.ID, r.Name
	},
	CSV: list.Columns[store.ListAccountsRow]{
		Header: []string{"ID", "Name", "Domain", "Industry", "City", "Country", "Owner", "Created"},
		Row: func(r store.ListAccountsRow) []string {
			return []string{list.IDCell(r.ID), r.Name, list.Opt(r.Domain), r.Industry, r.City, r.Country, r.OwnerName, list.Stamp(r.CreatedAt)}
		},
		Custom: func(r store.ListAccountsRow) []byte { return r.Custom },
	},
}

// Show renders one account.
func (h *Handler) Show(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	var page ShowPage
	var fields custom.Set
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Account, err = db.Q.GetAccount(ctx, tx, id); err != nil {
			return err
		}
		if fields, err = custom.Load(ctx, tx, "accounts"); err != nil {
			return err
		}
		if page.Contacts, err = db.Q.ListContactsOfAccount(ctx, tx, id); err != nil {
			return err
		}
		if page.Opportunities, err = db.Q.ListOpportunitiesOf(ctx, tx, store.ListOpportunitiesOfParams{AccountID: &id}); err != nil {
			return err
		}
		page.Totals, err = db.Q.AccountTotals(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	page.Page = h.R.Page(c, page.Account.Name, "accounts")
	page.CanEdit = u.CanTouch("accounts", "edit", page.Account.OwnerID, page.Account.TeamID)
	page.Custom = fields.Inlines("accounts", id, page.Account.Custom, page.CanEdit)
	h.R.HTML(c, http.StatusOK, "accounts/show", page)
	return nil
}

// Delete removes an account that has no contacts or deals, and says what to do when it has.
func (h *Handler) Delete(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	var a store.GetAccountRow
	var deps store.AccountDependentsRow
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if a, err = db.Q.GetAccount(ctx, tx, id); err != nil {
			return err
		}
		if !u.CanTouch("accounts", "delete", a.OwnerID, a.TeamID) {
			return render.Forbidden("Your role does not allow you to delete this account.")
		}
		if deps, err = db.Q.AccountDependents(ctx, tx, id); err != nil {
			return err
		}
		if deps.Contacts > 0 || deps.Opportunities > 0 {
			return record.ErrInvalid
		}
		_, err := db.Q.DeleteAccount(ctx, tx, id)
		return err
	})
	if err == record.ErrInvalid {
		h.R.Flash(c, fmt.Sprintf("%s still has %s and %s. Delete them or move them to another account first.",
			a.Name, count(deps.Contacts, "contact"), count(deps.Opportunities, "opportunity")))
		render.Redirect(c, fmt.Sprintf("/accounts/%d", id))
		return nil
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Account "+a.Name+" deleted.")
	render.Redirect(c, "/accounts")
	return nil
}

// Pick answers the account picker with the accounts matching q that the user may see.
func (h *Handler) Pick(c *gin.Context) error {
	var rows []store.PickAccountsRow
	if err := viewer.InTxCustomPlans(c, h.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		rows, err = db.Q.PickAccounts(ctx, tx, list.Text(c.Query("q")))
		return err
	}); err != nil {
		return err
	}
	opts := make([]form.Choice, 0, len(rows))
	for _, r := range rows {
		hint := ""
		if r.Domain != nil {
			hint = *r.Domain
		}
		opts = append(opts, form.Choice{ID: r.ID, Label: r.Name, Hint: hint})
	}
	h.R.Fragment(c, http.StatusOK, "accounts/list", "choices", form.Choices{Field: c.Query("field"), Options: opts})
	return nil
}

// Merger merges another account into one (see record.Merger).
func (h *Handler) Merger() record.Merger {
	return record.Merger{R: h.R, Pool: h.Pool, Entity: "accounts", Noun: "account",
		Fields: []record.MergeField{{Column: "name", Label: "Name"}, {Column: "domain", Label: "Web domain"},
			{Column: "industry", Label: "Industry"}, {Column: "employees", Label: "Employees"},
			{Column: "annual_revenue", Label: "Annual revenue"}, {Column: "phone", Label: "Phone"}, {Column: "street", Label: "Street"},
			{Column: "city", Label: "City"}, {Column: "region", Label: "Region"}, {Column: "postal_code", Label: "Postal code"},
			{Column: "country", Label: "Country"}, {Column: "owner_id", Label: "Owner", Show: "owner_id_label"}},
		Load: func(ctx context.Context, tx pgx.Tx, id int64) (record.Merged, error) {
			a, err := db.Q.GetAccount(ctx, tx, id)
			return record.Merged{ID: a.ID, Name: a.Name, Version: a.Version, OwnerID: a.OwnerID, TeamID: a.TeamID, Values: values(a)}, err
		},
	}
}

// History is the record's history page (see record.History).
func (h *Handler) History() record.History {
	return record.History{R: h.R, Pool: h.Pool, Entity: "accounts", Name: func(ctx context.Context, tx pgx.Tx, id int64) (string, error) {
		r, err := db.Q.GetAccount(ctx, tx, id)
		return r.Name, err
	}}
}

// Inline edits single fields of the record page in place (see record.InlineEditor).
func (h *Handler) Inline() record.InlineEditor {
	return record.InlineEditor{R: h.R, Pool: h.Pool, Entity: "accounts", Constraints: constraints,
		Fields: map[string]string{"domain": "Domain", "industry": "Industry", "phone": "Phone"},
		Load: func(c *gin.Context, id int64) (map[string]string, bool, error) {
			var a store.GetAccountRow
			err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
				a, err = db.Q.GetAccount(ctx, tx, id)
				return err
			})
			return values(a), err == nil && viewer.From(c).CanTouch("accounts", "edit", a.OwnerID, a.TeamID), err
		},
		SaveForm: func(c *gin.Context, id int64, f *form.Form) ([]store.ChangesSinceRow, error) {
			_, changes, err := h.save(c, id, f)
			return changes, err
		},
	}
}

// count says "1 contact" or "3 contacts".
func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	switch {
	case strings.HasSuffix(noun, "y"):
		noun = strings.TrimSuffix(noun, "y") + "ies"
	default:
		noun += "s"
	}
	return strconv.FormatInt(n, 10) + " " + noun
}
