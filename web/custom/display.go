package custom

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
)

// Shown is one field's value as a page shows it.
type Shown struct {
	Key, Label, Text string
	Href             string // a link for web addresses, emails and phone numbers
}

// Show is how a record page or list shows a field's form value ("" when empty).
func (s Set) Show(fd store.CustomField, v string) Shown {
	out := Shown{Key: fd.Key, Label: fd.Label, Text: v}
	if v == "" {
		return out
	}
	switch fd.Type {
	case store.CustomFieldTypeMoney:
		var n pgtype.Numeric
		if n.Scan(v) == nil {
			out.Text = format.Amount(n)
		}
	case store.CustomFieldTypeNumber:
		var n pgtype.Numeric
		if n.Scan(v) == nil {
			out.Text = format.Money(n)
		}
	case store.CustomFieldTypeDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			out.Text = format.Date(t)
		}
	case store.CustomFieldTypeBoolean:
		out.Text = map[string]string{"yes": "Yes", "no": "No"}[v]
	case store.CustomFieldTypeMultiSelect:
		out.Text = strings.ReplaceAll(v, "\n", ", ")
	case store.CustomFieldTypeUser:
		if i := slices.IndexFunc(s.People, func(o form.Option) bool { return o.Value == v }); i >= 0 {
			out.Text = s.People[i].Label
		}
	case store.CustomFieldTypeUrl:
		out.Href = v
	case store.CustomFieldTypeEmail:
		out.Href = "mailto:" + v
	case store.CustomFieldTypePhone:
		out.Href = "tel:" + format.Tel(v)
	}
	return out
}

// Shows are a record's active fields as its page shows them, empty ones included.
func (s Set) Shows(values map[string]string) []Shown {
	out := make([]Shown, len(s.Fields))
	for i, fd := range s.Fields {
		out[i] = s.Show(fd, values[Name(fd.Key)])
	}
	return out
}

// Inputs are the form fields of the set, with f's values and messages.
func (s Set) Inputs(f *form.Form) []form.Field {
	out := make([]form.Field, 0, len(s.Fields))
	for _, fd := range s.Fields {
		out = append(out, s.Input(fd, f))
	}
	return out
}

// inputTypes are the form inputs of the types that need no choices.
var inputTypes = map[store.CustomFieldType]string{
	store.CustomFieldTypeText: "text", store.CustomFieldTypeLongText: "textarea", store.CustomFieldTypeNumber: "text",
	store.CustomFieldTypeMoney: "text", store.CustomFieldTypeDate: "date", store.CustomFieldTypeUrl: "url",
	store.CustomFieldTypeEmail: "email", store.CustomFieldTypePhone: "tel",
}

// Input is one field's form input: its type, choices, help and f's value and message.
func (s Set) Input(fd store.CustomField, f *form.Form) form.Field {
	name := Name(fd.Key)
	typ, ok := inputTypes[fd.Type]
	if !ok {
		typ = "select"
	}
	in := form.FieldOf(f, name, fd.Label, typ)
	in.Help, in.Required = fd.Help, fd.Required
	none := []form.Option{{Value: "", Label: "—"}}
	switch fd.Type {
	case store.CustomFieldTypeBoolean:
		in.Options = append(none, form.Option{Value: "yes", Label: "Yes"}, form.Option{Value: "no", Label: "No"})
	case store.CustomFieldTypeSelect:
		in.Options = append(none, form.Plain(fd.Options)...)
	case store.CustomFieldTypeUser:
		in.Options = append(none, s.People...)
	case store.CustomFieldTypeMultiSelect:
		in.Type, in.Options, in.Chosen = "checkboxes", form.Plain(fd.Options), map[string]bool{}
		for _, c := range strings.Split(in.Value, "\n") {
			in.Chosen[c] = true
		}
	}
	return in
}

// Inputs loads a record type's fields as form inputs with f's values and messages.
func Inputs(ctx context.Context, tx pgx.Tx, entity string, f *form.Form) ([]form.Field, error) {
	s, err := Load(ctx, tx, entity)
	return s.Inputs(f), err
}

// Inlines are a record's fields as its page shows them, each editable in place.
func (s Set) Inlines(entity string, id int64, raw []byte, canEdit bool) []form.Inline {
	values := Values(raw)
	out := make([]form.Inline, len(s.Fields))
	for i, fd := range s.Fields {
		out[i] = s.Inline(entity, id, fd, values, canEdit)
	}
	return out
}

// Inline is one field of a record page, with its input for editing in place.
func (s Set) Inline(entity string, id int64, fd store.CustomField, values map[string]string, canEdit bool) form.Inline {
	name := Name(fd.Key)
	shown := s.Show(fd, values[name])
	input := s.Input(fd, form.New(values))
	return form.Inline{Entity: entity, ID: id, Field: name, Label: fd.Label, Value: values[name], Display: shown.Text,
		Href: shown.Href, CanEdit: canEdit, Input: &input, Version: values["version"]}
}

// Cells are a record's values of every field for an export: as typed in the form (ISO dates,
// plain numbers), several choices joined by "; ", a person by name.
func (s Set) Cells(raw []byte) []string {
	values := Values(raw)
	out := make([]string, len(s.Fields))
	for i, fd := range s.Fields {
		v := values[Name(fd.Key)]
		switch fd.Type {
		case store.CustomFieldTypeMultiSelect:
			v = strings.ReplaceAll(v, "\n", "; ")
		case store.CustomFieldTypeUser, store.CustomFieldTypeBoolean:
			v = s.Show(fd, v).Text
		}
		out[i] = v
	}
	return out
}
