package form

// Option is one choice of a select field.
type Option struct{ Value, Label string }

// Plain are options that show their values as they are.
func Plain(values []string) []Option {
	out := make([]Option, len(values))
	for i, v := range values {
		out[i] = Option{Value: v, Label: v}
	}
	return out
}

// Field is what the "field" partial needs to draw one labelled input with its error.
type Field struct {
	Name, Label, Type, Value, Error string
	Required                        bool
	Options                         []Option
	Display, Source, Scope          string          // pickers: the chosen record's name, where to search, and a field narrowing it
	Help                            string          // a hint under the input
	Chosen                          map[string]bool // "checkboxes": the options ticked
	List                            string          // the id of a datalist of suggestions
}

// FieldOf describes a field of f for the "field" partial. Type is an input type, "textarea",
// or "select" (then pass the options).
func FieldOf(f *Form, name, label, typ string, options ...[]Option) Field {
	fl := Field{Name: name, Label: label, Type: typ}
	if f != nil {
		fl.Value, fl.Error, fl.Required = f.Values[name], f.Errors[name], f.needed[name]
	}
	if len(options) > 0 {
		fl.Options = options[0]
	}
	return fl
}

// PickerOf describes a picker: a search box over source that fills the id field name; the name
// shown comes from the field name_label, so it survives a failed save.
func PickerOf(f *Form, name, label, source string, scope ...string) Field {
	fl := FieldOf(f, name, label, "picker")
	fl.Source = source
	if len(scope) > 0 {
		fl.Scope = scope[0]
	}
	if f != nil {
		fl.Display = f.Values[name+"_label"]
	}
	return fl
}
