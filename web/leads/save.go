package leads

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

// New shows an empty lead form, owned by the user.
func (h *Handler) New(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("leads", "create") {
		return render.Forbidden("Your role does not allow you to create leads.")
	}
	return h.form(c, http.StatusOK, 0, form.New(map[string]string{"owner_id": form.IDString(u.ID), "owner_id_label": u.Name, "status": "new"}), nil)
}

// Create saves a new lead.
func (h *Handler) Create(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("leads", "create") {
		return render.Forbidden("Your role does not allow you to create leads.")
	}
	f := form.Parse(c, append(fields, record.SaveAnyway)...)
	custom.Read(c.Request.PostForm, f)
	in := validate(f)
	var id int64
	var dups []record.Duplicate
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		patch, err := record.CheckShared(ctx, tx, u, f, "leads", "create")
		if err != nil {
			return err
		}
		if !f.Valid() {
			return record.ErrInvalid
		}
		email, name := identity(f)
		if dups, err = record.Duplicates(ctx, tx, f, "leads", email, name, nil); err != nil {
			return err
		} else if len(dups) > 0 {
			return record.ErrDuplicates
		}
		id, err = db.Q.CreateLead(ctx, tx, store.CreateLeadParams{OwnerID: in.OwnerID, FirstName: in.FirstName,
			LastName: in.LastName, Company: in.Company, Title: in.Title, Email: in.Email, Phone: in.Phone,
			Source: in.Source, Status: in.Status, Custom: patch.Set})
		return err
	})
	if err == record.ErrDuplicates {
		return h.form(c, http.StatusUnprocessableEntity, 0, f, nil, dups...)
	}
	if err == record.ErrInvalid || f.FromDB(err, constraints) {
		return h.form(c, http.StatusUnprocessableEntity, 0, f, nil)
	}
	if err != nil {
		return render.Refused(err, "create this lead")
	}
	h.R.Flash(c, "Lead "+leadName(in.FirstName, in.LastName, in.Company)+" created.")
	render.Redirect(c, fmt.Sprintf("/leads/%d", id))
	return nil
}

// Edit shows a lead's form; a converted lead is not edited any more.
func (h *Handler) Edit(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var l store.GetLeadRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		l, err = db.Q.GetLead(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	if err := editable(viewer.From(c), l); err != nil {
		return err
	}
	return h.form(c, http.StatusOK, id, form.New(values(l)), nil)
}

// Update saves a lead over the version the user started from (see accounts.Update).
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
		return render.Refused(err, "give this lead to that owner")
	}
	h.R.Flash(c, "Saved "+leadName(in.FirstName, in.LastName, in.Company)+".")
	render.Redirect(c, fmt.Sprintf("/leads/%d", id))
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
		current, err := db.Q.GetLead(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := editable(u, current); err != nil {
			return err
		}
		patch, err := record.CheckShared(ctx, tx, u, f, "leads", "edit")
		if err != nil {
			return err
		}
		if !f.Valid() {
			return record.ErrInvalid
		}
		_, err = db.Q.UpdateLead(ctx, tx, store.UpdateLeadParams{ID: id, Version: int32(version), OwnerID: in.OwnerID,
			FirstName: in.FirstName, LastName: in.LastName, Company: in.Company, Title: in.Title, Email: in.Email,
			Phone: in.Phone, Source: in.Source, Status: in.Status, CustomSet: patch.Set, CustomUnset: patch.Unset})
		if db.IsNoRows(err) {
			if changes, err = record.Changes(ctx, tx, store.PermEntityLeads, id, int32(version)); err != nil {
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
	title := "New lead"
	if id != 0 {
		title = "Edit " + leadName(f.Get("first_name"), f.Get("last_name"), f.Get("company"))
	}
	page := FormPage{Page: h.R.Page(c, title, "leads"), ID: id, Duplicates: dups, Form: f, Changes: changes,
		Statuses: options(Statuses, ""), Sources: options(Sources, "Unknown")}
	page.OwnerSource = people.PickerURL("leads", id)
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Custom, err = custom.Inputs(ctx, tx, "leads", f)
		return err
	}); err != nil {
		return err
	}
	h.R.HTML(c, status, "leads/form", page)
	return nil
}

// identity is what makes a lead the same as another: its email and its name.
func identity(f *form.Form) (string, string) {
	return strings.ToLower(f.Get("email")), strings.TrimSpace(f.Get("first_name") + " " + f.Get("last_name") + " " + f.Get("company"))
}

// duplicates warns of likely duplicates when the form changes the lead's email or name.
func (h *Handler) duplicates(c *gin.Context, id int64, f *form.Form) (dups []record.Duplicate, err error) {
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		current, err := db.Q.GetLead(ctx, tx, id)
		if err != nil {
			return err
		}
		dups, err = record.DuplicatesOfEdit(ctx, tx, f, "leads", id, values(current), identity)
		return err
	})
	return dups, err
}
