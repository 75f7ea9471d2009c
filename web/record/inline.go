package record

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// InlineEditor edits single fields of a record in place with the same validation, permission
// checks and version check as the record's full form: it loads the record's form values, puts
// the one changed value in, and saves the whole form through the record's own save. Custom
// fields ("cf_<key>") are editable in place too, each with its own input.
type InlineEditor struct {
	R           *render.Renderer
	Pool        *pgxpool.Pool
	Entity      string            // "accounts"
	Fields      map[string]string // the fields that may be edited in place, with their labels
	Constraints map[string]form.Constraint
	// Load returns the record's form values (with "version") and whether the user may edit it.
	Load func(c *gin.Context, id int64) (map[string]string, bool, error)
	// Show, when set, is how the page shows a field's value, from the record's form values.
	Show func(field string, values map[string]string) string
	// SaveForm saves a full form of the record, as its edit page does.
	SaveForm func(c *gin.Context, id int64, f *form.Form) ([]store.ChangesSinceRow, error)
}

// target is the field a request edits: a built-in one, or an active custom field.
type target struct {
	id     int64
	name   string
	custom *custom.Set // the record type's custom fields, when name is one of them
}

func (e InlineEditor) field(c *gin.Context) (target, error) {
	id, err := render.PathID(c, "id")
	if err != nil {
		return target{}, err
	}
	t := target{id: id, name: c.Param("field")}
	if _, ok := e.Fields[t.name]; ok {
		return t, nil
	}
	if !strings.HasPrefix(t.name, custom.Prefix) {
		return t, render.NotFound()
	}
	var set custom.Set
	if err := viewer.InTx(c, e.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		set, err = custom.Load(ctx, tx, e.Entity)
		return err
	}); err != nil {
		return t, err
	}
	if _, ok := set.Field(t.name); !ok {
		return t, render.NotFound()
	}
	t.custom = &set
	return t, nil
}

// describe is the field as the page shows it, from the record's form values.
func (e InlineEditor) describe(t target, values map[string]string, canEdit bool) form.Inline {
	if t.custom != nil {
		fd, _ := t.custom.Field(t.name)
		return t.custom.Inline(e.Entity, t.id, fd, values, canEdit)
	}
	in := form.Inline{Entity: e.Entity, ID: t.id, Field: t.name, Label: e.Fields[t.name], Value: values[t.name], CanEdit: canEdit,
		Version: values["version"]}
	if e.Show != nil {
		in.Display = e.Show(t.name, values)
	}
	return in
}

// Edit answers the field's small form, or its plain value with ?show (cancel).
func (e InlineEditor) Edit(c *gin.Context) error {
	t, err := e.field(c)
	if err != nil {
		return err
	}
	values, canEdit, err := e.Load(c, t.id)
	if err != nil {
		return err
	}
	in := e.describe(t, values, canEdit)
	if _, show := c.GetQuery("show"); show {
		e.R.Fragment(c, http.StatusOK, "inline", "inline", in)
		return nil
	}
	if !canEdit {
		return render.Forbidden("Your role does not allow you to edit this record.")
	}
	e.R.Fragment(c, http.StatusOK, "inline", "inline_form", in)
	return nil
}

// Save saves the one field and answers its new value, or the form again with the problem.
func (e InlineEditor) Save(c *gin.Context) error {
	t, err := e.field(c)
	if err != nil {
		return err
	}
	values, canEdit, err := e.Load(c, t.id)
	if err != nil {
		return err
	}
	if !canEdit {
		return render.Forbidden("Your role does not allow you to edit this record.")
	}
	f := form.New(values)
	f.Values[t.name] = custom.Join(c.PostFormArray(t.name)) // a multi-select posts several
	f.Values["version"] = c.PostForm("version")
	changes, err := e.SaveForm(c, t.id, f)
	in := e.describe(t, f.Values, true)
	switch {
	case errors.Is(err, ErrConflict):
		in.Conflict = "Someone else saved this record just now"
		if len(changes) > 0 {
			in.Conflict = changes[len(changes)-1].UserName + " saved this record just now"
		}
		in.Conflict += ". Check the value and save again to keep yours."
		e.R.Fragment(c, http.StatusConflict, "inline", "inline_form", in)
		return nil
	case errors.Is(err, ErrInvalid) || f.FromDB(err, e.Constraints):
		in.Error = f.Errors[t.name]
		for _, msg := range f.Errors { // a rule on another field still says what is wrong
			if in.Error == "" {
				in.Error = msg
			}
		}
		e.R.Fragment(c, http.StatusUnprocessableEntity, "inline", "inline_form", in)
		return nil
	case err != nil:
		return err
	}
	if !render.IsHTMX(c) {
		render.Redirect(c, fmt.Sprintf("/%s/%d", e.Entity, t.id))
		return nil
	}
	e.R.Fragment(c, http.StatusOK, "inline", "inline", in)
	return nil
}
