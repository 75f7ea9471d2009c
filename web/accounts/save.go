package accounts

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// New shows an empty account form, owned by the user.
func (h *Handler) New(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("accounts", "create") {
		return render.Forbidden("Your role does not allow you to create accounts.")
	}
	return h.form(c, http.StatusOK, 0, form.New(map[string]string{"owner_id": form.IDString(u.ID), "owner_id_label": u.Name}), nil)
}

// Create saves a new account.
func (h *Handler) Create(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("accounts", "create") {
		return render.Forbidden("Your role does not allow you to create accounts.")
	}
	f := form.Parse(c, append(fields, record.SaveAnyway)...)
	custom.Read(c.Request.PostForm, f)
	in := validate(f)
	var id int64
	var dups []record.Duplicate
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		patch, err := record.CheckShared(ctx, tx, u, f, "accounts", "create")
		if err != nil {
			return err
		}
		if !f.Valid() {
			return record.ErrInvalid
		}
		email, name := identity(f)
		if dups, err = record.Duplicates(ctx, tx, f, "accounts", email, name, nil); err != nil {
			return err
		} else if len(dups) > 0 {
			return record.ErrDuplicates
		}
		id, err = db.Q.CreateAccount(ctx, tx, store.CreateAccountParams{OwnerID: in.OwnerID, Name: in.Name, Domain: in.Domain,
			Industry: in.Industry, Employees: in.Employees, AnnualRevenue: in.Revenue, Phone: in.Phone, Street: in.Street,
			City: in.City, Region: in.Region, PostalCode: in.PostalCode, Country: in.Country, Custom: patch.Set})
		return err
	})
	if err == record.ErrDuplicates {
		return h.form(c, http.StatusUnprocessableEntity, 0, f, nil, dups...)
	}
	if err == record.ErrInvalid || f.FromDB(err, constraints) {
		return h.form(c, http.StatusUnprocessableEntity, 0, f, nil)
	}
	if err != nil {
		return render.Refused(err, "create this account")
	}
	h.R.Flash(c, "Account "+in.Name+" created.")
	render.Redirect(c, fmt.Sprintf("/accounts/%d", id))
	return nil
}

// Edit shows an account's form.
func (h *Handler) Edit(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var a store.GetAccountRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		a, err = db.Q.GetAccount(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	if !viewer.From(c).CanTouch("accounts", "edit", a.OwnerID, a.TeamID) {
		return render.Forbidden("Your role does not allow you to edit this account.")
	}
	return h.form(c, http.StatusOK, id, form.New(values(a)), nil)
}

// Update saves an account over the version the user started from; a newer save by someone else
// is refused with what they changed, and the user's values are kept.
func (h *Handler) Update(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	f := form.Parse(c, append(fields, "version", record.SaveAnyway)...)
	custom.Read(c.Request.PostForm, f)
	if dups, err := h.duplicates(c, id, f); err != nil || len(dups) > 0 {
		if err != nil {
			return err
		}
		return h.form(c, http.StatusUnprocessableEntity, id, f, nil, dups...)
	}
	in, changes, err := h.save(c, id, f)
	switch {
	case err == record.ErrConflict:
		return h.form(c, http.StatusConflict, id, f, changes)
	case err == record.ErrInvalid || f.FromDB(err, constraints):
		return h.form(c, http.StatusUnprocessableEntity, id, f, nil)
	case err != nil:
		return render.Refused(err, "give this account to that owner")
	}
	h.R.Flash(c, "Saved "+in.Name+".")
	render.Redirect(c, fmt.Sprintf("/accounts/%d", id))
	return nil
}

// save validates a full form and saves it over the version it carries: the one path of Update
// and of inline edits. A newer save by someone else is ErrConflict, with what they changed.
func (h *Handler) save(c *gin.Context, id int64, f *form.Form) (input, []store.ChangesSinceRow, error) {
	u := viewer.From(c)
	in := validate(f)
	version, _ := f.Int("version", 1, 1<<31-1)
	var changes []store.ChangesSinceRow
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		current, err := db.Q.GetAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.CanTouch("accounts", "edit", current.OwnerID, current.TeamID) {
			return render.Forbidden("Your role does not allow you to edit this account.")
		}
		patch, err := record.CheckShared(ctx, tx, u, f, "accounts", "edit")
		if err != nil {
			return err
		}
		if !f.Valid() {
			return record.ErrInvalid
		}
		_, err = db.Q.UpdateAccount(ctx, tx, store.UpdateAccountParams{ID: id, Version: int32(version), OwnerID: in.OwnerID,
			Name: in.Name, Domain: in.Domain, Industry: in.Industry, Employees: in.Employees, AnnualRevenue: in.Revenue,
			Phone: in.Phone, Street: in.Street, City: in.City, Region: in.Region, PostalCode: in.PostalCode, Country: in.Country,
			CustomSet: patch.Set, CustomUnset: patch.Unset})
		if db.IsNoRows(err) {
			if changes, err = record.Changes(ctx, tx, store.PermEntityAccounts, id, int32(version)); err != nil {
				return err
			}
			f.Values["version"] = form.IDString(int64(current.Version))
			return record.ErrConflict
		}
		return err
	})
	return in, changes, err
}

func (h *Handler) form(c *gin.Context, status int, id int64, f *form.Form, changes []store.ChangesSinceRow, dups ...record.Duplicate) error {
	f.Need(required...)
	title := "New account"
	if id != 0 {
		title = "Edit " + f.Get("name")
	}
	page := FormPage{Page: h.R.Page(c, title, "accounts"), ID: id, Duplicates: dups, Form: f, Changes: changes,
		OwnerSource: people.PickerURL("accounts", id)}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Custom, err = custom.Inputs(ctx, tx, "accounts", f)
		return err
	}); err != nil {
		return err
	}
	h.R.HTML(c, status, "accounts/form", page)
	return nil
}

// identity is what makes an account the same as another: its name (its domain is unique, and
// the database says so).
func identity(f *form.Form) (string, string) {
	return "", strings.TrimSpace(f.Get("name"))
}

// duplicates warns of likely duplicates when the form changes the account's name.
func (h *Handler) duplicates(c *gin.Context, id int64, f *form.Form) (dups []record.Duplicate, err error) {
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		current, err := db.Q.GetAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		dups, err = record.DuplicatesOfEdit(ctx, tx, f, "accounts", id, values(current), identity)
		return err
	})
	return dups, err
}
