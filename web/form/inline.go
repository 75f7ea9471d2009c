package form

import "fmt"

// Inline is one field of a record page, shown with an edit button or as a small form.
type Inline struct {
	Entity, Field, Label, Value string
	Display                     string // the value as the page shows it ($15,000), when not as typed
	Href                        string // the value as a link (a custom web address, email or phone)
	Input                       *Field // the input to edit it with, when not a line of text
	ID                          int64
	CanEdit                     bool
	Version, Error, Conflict    string // the form only
}

// URL is where the field's form is fetched and posted.
func (i Inline) URL() string { return fmt.Sprintf("/%s/%d/fields/%s", i.Entity, i.ID, i.Field) }

// NewInline describes a field for the "inline" partial; value may be a string or *string, and
// display, when given, is how the page shows it.
func NewInline(entity string, id int64, field, label string, value any, canEdit bool, display ...string) Inline {
	v := ""
	switch x := value.(type) {
	case string:
		v = x
	case *string:
		if x != nil {
			v = *x
		}
	default:
		v = fmt.Sprint(x)
	}
	in := Inline{Entity: entity, ID: id, Field: field, Label: label, Value: v, CanEdit: canEdit}
	if len(display) > 0 {
		in.Display = display[0]
	}
	return in
}

// Choice is one option a picker offers: a record's id, or a Key when the picker mixes kinds.
type Choice struct {
	ID               int64
	Key, Label, Hint string
}

// Choices is a picker's answer: the options for the field it fills.
type Choices struct {
	Field   string
	Options []Choice
}
