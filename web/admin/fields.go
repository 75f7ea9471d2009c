package admin

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
	"github.com/crm-team/crm/web/render"
)

// FieldsPage lists every custom field by record type, with the form that adds one.
type FieldsPage struct {
	render.Page
	Groups   []FieldGroup
	Form     *form.Form
	Entities []form.Option
	Types    []form.Option
}

// FieldGroup is one record type's fields.
type FieldGroup struct {
	Entity, Label string
	Fields        []store.CustomField
}

// FieldPage edits one field.
type FieldPage struct {
	render.Page
	Field store.CustomField
	Form  *form.Form
	Types []form.Option
}

// fieldEntities are the record types that take custom fields, as admins see them.
var fieldEntities = []form.Option{{Value: "leads", Label: "Leads"}, {Value: "accounts", Label: "Accounts"},
	{Value: "contacts", Label: "Contacts"}, {Value: "opportunities", Label: "Opportunities"}}

var fieldFields = []string{"entity", "label", "key", "type", "options", "help", "required", "in_list", "position"}

var fieldConstraints = map[string]form.Constraint{
	"custom_fields_key_key":         {Field: "key", Message: "This record type already has a field with this key; choose another."},
	"custom_fields_key_format":      {Field: "key", Message: "Use lower-case letters, digits and _, starting with a letter."},
	"custom_fields_label_not_blank": {Field: "label", Message: "This field is required."},
	"custom_fields_options_needed":  {Field: "options", Message: "List the choices, one per line."},
}

// Fields lists the custom fields.
func (h *Handler) Fields(c *gin.Context) error {
	return h.fieldsPage(c, http.StatusOK, form.New(map[string]string{"type": "text", "entity": c.Query("entity")}))
}

func (h *Handler) fieldsPage(c *gin.Context, status int, f *form.Form) error {
	page := FieldsPage{Page: h.R.Page(c, "Fields", "admin"), Form: f.Need("entity", "label", "type"), Entities: fieldEntities, Types: custom.Types}
	var all []store.CustomField
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		all, err = db.Q.ListCustomFields(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	for _, e := range fieldEntities {
		g := FieldGroup{Entity: e.Value, Label: e.Label}
		for _, fd := range all {
			if string(fd.Entity) == e.Value {
				g.Fields = append(g.Fields, fd)
			}
		}
		page.Groups = append(page.Groups, g)
	}
	h.R.HTML(c, status, "admin/fields", page)
	return nil
}

// CreateField adds a custom field.
func (h *Handler) CreateField(c *gin.Context) error {
	f := form.Parse(c, fieldFields...)
	in := checkField(f, true)
	err := errInvalid
	if f.Valid() {
		err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
			id, err := db.Q.CreateCustomField(ctx, tx, store.CreateCustomFieldParams{Entity: store.PermEntity(in.Entity), Key: in.Key,
				Label: in.Label, Type: in.Type, Help: in.Help, Required: in.Required, Options: orEmpty(in.Options), InList: in.InList})
			if err != nil {
				return err
			}
			return index(ctx, tx, id)
		})
	}
	if err == errInvalid || f.FromDB(err, fieldConstraints) {
		return h.fieldsPage(c, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Field "+in.Label+" added to "+strings.ToLower(format.Label(in.Entity))+". It shows on their forms and pages now.")
	render.Redirect(c, "/admin/fields")
	return nil
}

// Field shows one field's form.
func (h *Handler) Field(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var fd store.CustomField
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		fd, err = db.Q.GetCustomField(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	f := form.New(map[string]string{"label": fd.Label, "type": string(fd.Type), "options": strings.Join(fd.Options, "\n"),
		"help": fd.Help, "position": strconv.Itoa(int(fd.Position)), "required": onOff(fd.Required), "in_list": onOff(fd.InList)})
	return h.fieldPage(c, http.StatusOK, fd, f)
}

func (h *Handler) fieldPage(c *gin.Context, status int, fd store.CustomField, f *form.Form) error {
	page := FieldPage{Page: h.R.Page(c, "Field "+fd.Label, "admin"), Field: fd, Form: f.Need("label", "type"), Types: custom.Types}
	h.R.HTML(c, status, "admin/field", page)
	return nil
}

// UpdateField saves a field. Its key never changes, so a new label changes nothing stored; a new
// type, or choices taken away, is refused while records hold values that would not fit.
func (h *Handler) UpdateField(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	f := form.Parse(c, fieldFields...)
	in := checkField(f, false)
	var fd store.CustomField
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if fd, err = db.Q.GetCustomField(ctx, tx, id); err != nil {
			return err
		}
		if !f.Valid() {
			return errInvalid
		}
		if in.Type != fd.Type || !isSubset(fd.Options, in.Options) {
			n, err := db.Q.CustomMisfits(ctx, tx, store.CustomMisfitsParams{Entity: fd.Entity, Key: fd.Key, Type: in.Type, Options: orEmpty(in.Options)})
			if err != nil {
				return err
			}
			if n > 0 {
				at := "type"
				if in.Type == fd.Type {
					at = "options"
				}
				f.Fail(at, fmt.Sprintf("%s %s a value that would not fit. Change or clear %s first, or add a new field.",
					format.Num(n), plural(n, "record holds", "records hold"), plural(n, "it", "them")))
				return errInvalid
			}
		}
		if _, err := db.Q.UpdateCustomField(ctx, tx, store.UpdateCustomFieldParams{ID: id, Label: in.Label, Type: in.Type, Help: in.Help,
			Required: in.Required, Options: orEmpty(in.Options), InList: in.InList, Position: in.Position}); err != nil {
			return err
		}
		if in.InList == fd.InList && custom.Numeric(in.Type) == custom.Numeric(fd.Type) {
			return nil // the index it has still fits
		}
		return index(ctx, tx, id)
	})
	if err == errInvalid || f.FromDB(err, fieldConstraints) {
		return h.fieldPage(c, http.StatusUnprocessableEntity, fd, f)
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Field "+in.Label+" saved.")
	render.Redirect(c, "/admin/fields")
	return nil
}

// ArchiveField removes a field from forms, pages and lists; its values stay in the records.
func (h *Handler) ArchiveField(c *gin.Context) error { return h.setArchived(c, true) }

// RestoreField brings a removed field back, with the values records kept.
func (h *Handler) RestoreField(c *gin.Context) error { return h.setArchived(c, false) }

func (h *Handler) setArchived(c *gin.Context, archived bool) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var fd store.CustomField
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if fd, err = db.Q.GetCustomField(ctx, tx, id); err != nil {
			return err
		}
		if _, err = db.Q.SetCustomFieldArchived(ctx, tx, store.SetCustomFieldArchivedParams{ID: id, Archived: archived}); err != nil {
			return err
		}
		return index(ctx, tx, id)
	}); err != nil {
		return err
	}
	if archived {
		h.R.Flash(c, "Field "+fd.Label+" removed. Records keep its values; restore it to see them again.")
	} else {
		h.R.Flash(c, "Field "+fd.Label+" restored, with the values records kept.")
	}
	render.Redirect(c, "/admin/fields")
	return nil
}

// index gives a field the expression index its list filters use while it is shown in lists,
// and takes it away when it is not.
func index(ctx context.Context, tx pgx.Tx, id int64) error {
	fd, err := db.Q.GetCustomField(ctx, tx, id)
	if err != nil {
		return err
	}
	return db.Q.IndexCustomField(ctx, tx, store.IndexCustomFieldParams{Entity: fd.Entity, Key: fd.Key,
		Num: custom.Numeric(fd.Type), Wanted: fd.InList && fd.ArchivedAt == nil})
}
