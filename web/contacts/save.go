package contacts

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
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// New shows an empty contact form, owned by the user, at the account given in the query.
func (h *Handler) New(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("contacts", "create") {
		return render.Forbidden("Your role does not allow you to create contacts.")
	}
	f := form.New(map[string]string{"owner_id": form.IDString(u.ID), "owner_id_label": u.Name})
	if id := list.ID(c.Query("account_id")); id != nil {
		err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
			a, err := db.Q.GetAccount(ctx, tx, *id)
			if err == nil {
				f.Values["account_id"], f.Values["account_id_label"] = form.IDString(a.ID), a.Name
			}
			if db.IsNoRows(err) {
				return nil // an account the user cannot see is simply not prefilled
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return h.form(c, http.StatusOK, 0, f, nil)
}

// Create saves a new contact.
func (h *Handler) Create(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("contacts", "create") {
		return render.Forbidden("Your role does not allow you to create contacts.")
	}
	f := form.Parse(c, append(fields, record.SaveAnyway)...)
	custom.Read(c.Request.PostForm, f)
	in := validate(f)
	var id int64
	var dups []record.Duplicate
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		patch, err := record.CheckShared(ctx, tx, u, f, "contacts", "create")
		if err != nil {
			return err
		}
		if err := h.check(ctx, tx, f, in); err != nil {
			return err
		}
		email, name := identity(f)
		if dups, err = record.Duplicates(ctx, tx, f, "contacts", email, name, nil); err != nil {
			return err
		} else if len(dups) > 0 {
			return record.ErrDuplicates
		}
		id, err = db.Q.CreateContact(ctx, tx, store.CreateContactParams{OwnerID: in.OwnerID, AccountID: in.AccountID,
			FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Phone: in.Phone, Title: in.Title, Custom: patch.Set})
		return err
	})
	if err == record.ErrDuplicates {
		return h.form(c, http.StatusUnprocessableEntity, 0, f, nil, dups...)
	}
	if err == record.ErrInvalid || f.FromDB(err, constraints) {
		return h.form(c, http.StatusUnprocessableEntity, 0, f, nil)
	}
	if err != nil {
		return render.Refused(err, "create this contact")
	}
	h.R.Flash(c, "Contact "+in.FirstName+" "+in.LastName+" created.")
	render.Redirect(c, fmt.Sprintf("/contacts/%d", id))
	return nil
}

// check validates what needs the database beyond record.CheckShared: the account is one the
// user may see.
func (h *Handler) check(ctx context.Context, tx pgx.Tx, f *form.Form, in input) error {
	if in.AccountID != nil {
		if _, err := db.Q.GetAccount(ctx, tx, *in.AccountID); db.IsNoRows(err) {
			f.Fail("account_id", "Choose an account from the list.")
		} else if err != nil {
			return err
		}
	}
	if !f.Valid() {
		return record.ErrInvalid
	}
	return nil
}

// Edit shows a contact's form.
func (h *Handler) Edit(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var ct store.GetContactRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		ct, err = db.Q.GetContact(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	if !viewer.From(c).CanTouch("contacts", "edit", ct.OwnerID, ct.TeamID) {
		return render.Forbidden("Your role does not allow you to edit this contact.")
	}
	return h.form(c, http.StatusOK, id, form.New(values(ct)), nil)
}

// Update saves a contact over the version the user started from (see accounts.Update).
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
		return render.Refused(err, "give this contact to that owner")
	}
	h.R.Flash(c, "Saved "+in.FirstName+" "+in.LastName+".")
	render.Redirect(c, fmt.Sprintf("/contacts/%d", id))
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
		current, err := db.Q.GetContact(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.CanTouch("contacts", "edit", current.OwnerID, current.TeamID) {
			return render.Forbidden("Your role does not allow you to edit this contact.")
		}
		patch, err := record.CheckShared(ctx, tx, u, f, "contacts", "edit")
		if err != nil {
			return err
		}
		if err := h.check(ctx, tx, f, in); err != nil {
			return err
		}
		_, err = db.Q.UpdateContact(ctx, tx, store.UpdateContactParams{ID: id, Version: int32(version), OwnerID: in.OwnerID,
			AccountID: in.AccountID, FirstName: in.FirstName, LastName: in.LastName, Email: in.Email, Phone: in.Phone, Title: in.Title,
			CustomSet: patch.Set, CustomUnset: patch.Unset})
		if db.IsNoRows(err) {
			if changes, err = record.Changes(ctx, tx, store.PermEntityContacts, id, int32(version)); err != nil {
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
	title := "New contact"
	if id != 0 {
		title = "Edit " + f.Get("first_name") + " " + f.Get("last_name")
	}
	page := FormPage{Page: h.R.Page(c, title, "contacts"), ID: id, Duplicates: dups, Form: f, Changes: changes}
	page.OwnerSource = people.PickerURL("contacts", id)
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Custom, err = custom.Inputs(ctx, tx, "contacts", f)
		return err
	}); err != nil {
		return err
	}
	h.R.HTML(c, status, "contacts/form", page)
	return nil
}

// identity is what makes a contact the same as another: its email and its name.
func identity(f *form.Form) (string, string) {
	return strings.ToLower(f.Get("email")), strings.TrimSpace(f.Get("first_name") + " " + f.Get("last_name"))
}

// duplicates warns of likely duplicates when the form changes the contact's email or name.
func (h *Handler) duplicates(c *gin.Context, id int64, f *form.Form) (dups []record.Duplicate, err error) {
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		current, err := db.Q.GetContact(ctx, tx, id)
		if err != nil {
			return err
		}
		dups, err = record.DuplicatesOfEdit(ctx, tx, f, "contacts", id, values(current), identity)
		return err
	})
	return dups, err
}
