package opportunities

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/pipeline"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// New shows an empty opportunity form: the user's, in the first stage of the default pipeline,
// closing in a month, at the account given in the query.
func (h *Handler) New(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("opportunities", "create") {
		return render.Forbidden("Your role does not allow you to create opportunities.")
	}
	f := form.New(map[string]string{"owner_id": form.IDString(u.ID), "owner_id_label": u.Name, "currency": "USD",
		"close_date": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)})
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if id := list.ID(c.Query("account_id")); id != nil {
			a, err := db.Q.GetAccount(ctx, tx, *id)
			if err == nil {
				f.Values["account_id"], f.Values["account_id_label"] = form.IDString(a.ID), a.Name
				f.Values["name"] = a.Name + " – "
			} else if !db.IsNoRows(err) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return h.form(c, http.StatusOK, 0, f, nil)
}

// Create saves a new opportunity.
func (h *Handler) Create(c *gin.Context) error {
	u := viewer.From(c)
	if !u.Can("opportunities", "create") {
		return render.Forbidden("Your role does not allow you to create opportunities.")
	}
	f := form.Parse(c, fields...)
	custom.Read(c.Request.PostForm, f)
	in := validate(f)
	var id int64
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		patch, err := record.CheckShared(ctx, tx, u, f, "opportunities", "create")
		if err != nil {
			return err
		}
		if err := h.check(ctx, tx, f, in); err != nil {
			return err
		}
		id, err = db.Q.CreateOpportunity(ctx, tx, store.CreateOpportunityParams{OwnerID: in.OwnerID, Name: in.Name,
			AccountID: in.AccountID, ContactID: in.ContactID, StageID: in.StageID, Amount: in.Amount,
			Currency: in.Currency, CloseDate: in.CloseDate, LostReason: in.LostReason, Custom: patch.Set})
		return err
	})
	if err == record.ErrInvalid || f.FromDB(err, constraints) {
		return h.form(c, http.StatusUnprocessableEntity, 0, f, nil)
	}
	if err != nil {
		return render.Refused(err, "create this opportunity")
	}
	h.R.Flash(c, "Opportunity "+in.Name+" created.")
	render.Redirect(c, fmt.Sprintf("/opportunities/%d", id))
	return nil
}

// check validates what needs the database beyond record.CheckShared: the account and contact are
// visible and belong together, the stage exists and a lost deal says why.
func (h *Handler) check(ctx context.Context, tx pgx.Tx, f *form.Form, in input) error {
	if in.AccountID != 0 {
		if _, err := db.Q.GetAccount(ctx, tx, in.AccountID); db.IsNoRows(err) {
			f.Fail("account_id", "Choose an account from the list.")
		} else if err != nil {
			return err
		}
	}
	if in.ContactID != nil {
		ct, err := db.Q.GetContact(ctx, tx, *in.ContactID)
		switch {
		case db.IsNoRows(err):
			f.Fail("contact_id", "Choose a contact from the list.")
		case err != nil:
			return err
		case ct.AccountID != nil && *ct.AccountID != in.AccountID:
			f.Fail("contact_id", "This contact works at another account; choose one from this deal's account.")
		}
	}
	stages, err := db.Q.ListStageChoices(ctx, tx)
	if err != nil {
		return err
	}
	found := false
	for _, s := range stages {
		if s.ID == in.StageID {
			found = true
			if pipeline.Check(s.Kind, in.LostReason) != nil {
				f.Fail("lost_reason", needReason)
			}
		}
	}
	if !found && in.StageID != 0 {
		f.Fail("stage_id", "Choose a stage from the list.")
	}
	if !f.Valid() {
		return record.ErrInvalid
	}
	return nil
}

// Edit shows an opportunity's form.
func (h *Handler) Edit(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var o store.GetOpportunityRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		o, err = db.Q.GetOpportunity(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	if !viewer.From(c).CanTouch("opportunities", "edit", o.OwnerID, o.TeamID) {
		return render.Forbidden("Your role does not allow you to edit this opportunity.")
	}
	return h.form(c, http.StatusOK, id, form.New(values(o)), nil)
}

// Update saves an opportunity over the version the user started from (see accounts.Update).
func (h *Handler) Update(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	f := form.Parse(c, append(fields, "version")...)
	custom.Read(c.Request.PostForm, f)
	in, changes, err := h.save(c, id, f)
	switch {
	case err == record.ErrConflict:
		return h.form(c, http.StatusConflict, id, f, changes)
	case err == record.ErrInvalid || f.FromDB(err, constraints):
		return h.form(c, http.StatusUnprocessableEntity, id, f, nil)
	case err != nil:
		return render.Refused(err, "give this opportunity to that owner")
	}
	h.R.Flash(c, "Saved "+in.Name+".")
	render.Redirect(c, fmt.Sprintf("/opportunities/%d", id))
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
		current, err := db.Q.GetOpportunity(ctx, tx, id)
		if err != nil {
			return err
		}
		if !u.CanTouch("opportunities", "edit", current.OwnerID, current.TeamID) {
			return render.Forbidden("Your role does not allow you to edit this opportunity.")
		}
		patch, err := record.CheckShared(ctx, tx, u, f, "opportunities", "edit")
		if err != nil {
			return err
		}
		if err := h.check(ctx, tx, f, in); err != nil {
			return err
		}
		next, err := db.Q.UpdateOpportunity(ctx, tx, store.UpdateOpportunityParams{ID: id, Version: int32(version),
			OwnerID: in.OwnerID, Name: in.Name, AccountID: in.AccountID, ContactID: in.ContactID,
			Amount: in.Amount, Currency: in.Currency, CloseDate: in.CloseDate, CustomSet: patch.Set, CustomUnset: patch.Unset})
		if err == nil && (in.StageID != current.StageID || in.LostReason != current.LostReason) {
			_, err = pipeline.Apply(ctx, tx, pipeline.Move{ID: id, StageID: in.StageID, Version: next,
				LostReason: in.LostReason, AnyPipeline: true})
		}
		if db.IsNoRows(err) {
			if changes, err = record.Changes(ctx, tx, store.PermEntityOpportunities, id, int32(version)); err != nil {
				return err
			}
			f.Values["version"] = form.IDString(int64(current.Version))
			return record.ErrConflict
		}
		return err
	})
	return in, changes, err
}

func (h *Handler) form(c *gin.Context, status int, id int64, f *form.Form, changes []store.ChangesSinceRow) error {
	f.Need(required...)
	title := "New opportunity"
	if id != 0 {
		title = "Edit " + f.Get("name")
	}
	page := FormPage{Page: h.R.Page(c, title, "opportunities"), ID: id, Form: f, Changes: changes, Currencies: Currencies,
		OwnerSource: people.PickerURL("opportunities", id)}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Stages, err = stageOptions(ctx, tx, ""); err != nil {
			return err
		}
		page.Custom, err = custom.Inputs(ctx, tx, "opportunities", f)
		return err
	}); err != nil {
		return err
	}
	if f.Get("stage_id") == "" && len(page.Stages) > 0 {
		f.Values["stage_id"] = page.Stages[0].Value
	}
	h.R.HTML(c, status, "opportunities/form", page)
	return nil
}

// stageOptions lists every stage as "Pipeline · Stage" (just the stage when there is one
// pipeline), led by an "any" option when anyLabel is set.
func stageOptions(ctx context.Context, tx pgx.Tx, anyLabel string) ([]form.Option, error) {
	stages, err := db.Q.ListStageChoices(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []form.Option
	if anyLabel != "" {
		out = append(out, form.Option{Value: "", Label: anyLabel})
	}
	pipelines := map[int64]bool{}
	for _, s := range stages {
		pipelines[s.PipelineID] = true
	}
	for _, s := range stages {
		label := s.Name
		if len(pipelines) > 1 {
			label = s.PipelineName + " · " + s.Name
		}
		out = append(out, form.Option{Value: form.IDString(s.ID), Label: label})
	}
	return out, nil
}
