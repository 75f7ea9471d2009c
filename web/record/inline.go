package record

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
)

// InlineEditor edits single fields of a record in place with the same validation, permission
// checks and version check as the record's full form: it loads the record's form values, puts
// the one changed value in, and saves the whole form through the record's own save.
type InlineEditor struct {
	R           *render.Renderer
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

func (e InlineEditor) field(c *gin.Context) (int64, string, error) {
	id, err := render.PathID(c, "id")
	if err != nil {
		return 0, "", err
	}
	if _, ok := e.Fields[c.Param("field")]; !ok {
		return 0, "", render.NotFound()
	}
	return id, c.Param("field"), nil
}

// Edit answers the field's small form, or its plain value with ?show (cancel).
func (e InlineEditor) Edit(c *gin.Context) error {
	id, field, err := e.field(c)
	if err != nil {
		return err
	}
	values, canEdit, err := e.Load(c, id)
	if err != nil {
		return err
	}
	in := form.Inline{Entity: e.Entity, ID: id, Field: field, Label: e.Fields[field], Value: values[field], CanEdit: canEdit, Version: values["version"]}
	if _, show := c.GetQuery("show"); show {
		in.Display = e.display(field, values)
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
	id, field, err := e.field(c)
	if err != nil {
		return err
	}
	values, canEdit, err := e.Load(c, id)
	if err != nil {
		return err
	}
	if !canEdit {
		return render.Forbidden("Your role does not allow you to edit this record.")
	}
	f := form.New(values)
	f.Values[field] = strings.TrimSpace(c.PostForm(field))
	f.Values["version"] = c.PostForm("version")
	in := form.Inline{Entity: e.Entity, ID: id, Field: field, Label: e.Fields[field], CanEdit: true}
	changes, err := e.SaveForm(c, id, f)
	in.Value, in.Version = f.Values[field], f.Values["version"]
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
		in.Error = f.Errors[field]
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
		render.Redirect(c, fmt.Sprintf("/%s/%d", e.Entity, id))
		return nil
	}
	in.Display = e.display(field, f.Values)
	e.R.Fragment(c, http.StatusOK, "inline", "inline", in)
	return nil
}

func (e InlineEditor) display(field string, values map[string]string) string {
	if e.Show == nil {
		return ""
	}
	return e.Show(field, values)
}
