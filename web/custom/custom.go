// Package custom is the fields admins add to each record type, and their values in a record's
// custom JSON as forms take them, record pages and lists show them and exports write them.
//
// In a form a value is text under the name "cf_<key>": a multi-select's choices one per line, a
// yes/no "yes" or "no", a person their user id. In the JSON a value has its type's shape: text,
// a number, true or false, a list of choices, a user id; an empty value is no key at all.
package custom

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
)

// Prefix starts the form name of every custom field.
const Prefix = "cf_"

// Name is a field's form name.
func Name(key string) string { return Prefix + key }

// Types are the kinds of field an admin may add, with their labels, in the order offered.
var Types = []form.Option{
	{Value: "text", Label: "Text"}, {Value: "long_text", Label: "Long text"}, {Value: "number", Label: "Number"},
	{Value: "money", Label: "Money"}, {Value: "date", Label: "Date"}, {Value: "boolean", Label: "Yes / no"},
	{Value: "select", Label: "One choice"}, {Value: "multi_select", Label: "Several choices"}, {Value: "url", Label: "Web address"},
	{Value: "email", Label: "Email"}, {Value: "phone", Label: "Phone"}, {Value: "user", Label: "Person"},
}

// TypeLabel is how a type is named to admins.
func TypeLabel(t store.CustomFieldType) string {
	for _, o := range Types {
		if o.Value == string(t) {
			return o.Label
		}
	}
	return string(t)
}

// Numeric reports whether a type's values are numbers.
func Numeric(t store.CustomFieldType) bool {
	return t == store.CustomFieldTypeNumber || t == store.CustomFieldTypeMoney
}

// Set is a record type's active fields in order, with the people a person field may name.
type Set struct {
	Fields []store.CustomField
	People []form.Option // active users (id, name), loaded when a person field exists
}

// Load reads a record type's active fields (and, when one names a person, the people).
func Load(ctx context.Context, tx pgx.Tx, entity string) (Set, error) {
	var s Set
	var err error
	if s.Fields, err = db.Q.ActiveCustomFields(ctx, tx, store.PermEntity(entity)); err != nil {
		return s, err
	}
	if slices.ContainsFunc(s.Fields, func(f store.CustomField) bool { return f.Type == store.CustomFieldTypeUser }) {
		choices, err := db.Q.ListFilterChoices(ctx, tx)
		if err != nil {
			return s, err
		}
		for _, c := range choices {
			if c.Kind != "team" {
				s.People = append(s.People, form.Option{Value: form.IDString(c.ID), Label: c.Name})
			}
		}
	}
	return s, nil
}

// Field is the active field of a form name, if there is one.
func (s Set) Field(name string) (store.CustomField, bool) {
	i := slices.IndexFunc(s.Fields, func(f store.CustomField) bool { return Name(f.Key) == name })
	if i < 0 {
		return store.CustomField{}, false
	}
	return s.Fields[i], true
}

// InList are the fields shown as list columns.
func (s Set) InList() []store.CustomField {
	var out []store.CustomField
	for _, f := range s.Fields {
		if f.InList {
			out = append(out, f)
		}
	}
	return out
}

// Values are a record's custom JSON as form values ("cf_<key>" → text), every key it holds,
// so a field removed and restored finds its values again.
func Values(raw []byte) map[string]string {
	out := map[string]string{}
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if len(raw) == 0 || d.Decode(&doc) != nil {
		return out
	}
	for k, v := range doc {
		switch x := v.(type) {
		case string:
			out[Name(k)] = x
		case json.Number:
			out[Name(k)] = x.String()
		case bool:
			out[Name(k)] = map[bool]string{true: "yes", false: "no"}[x]
		case []any:
			var parts []string
			for _, p := range x {
				if s, ok := p.(string); ok {
					parts = append(parts, s)
				}
			}
			out[Name(k)] = strings.Join(parts, "\n")
		}
	}
	return out
}

// Read puts every custom field the request posted into f: a multi-select's checked choices one
// per line (its form sends an empty marker first, so none checked still arrives, as empty).
func Read(form map[string][]string, f *form.Form) {
	for name, vs := range form {
		if strings.HasPrefix(name, Prefix) {
			f.Values[name] = Join(vs)
		}
	}
}

// Join is posted values as a form value: trimmed, the empty ones dropped, one per line.
func Join(vs []string) string {
	var kept []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			kept = append(kept, v)
		}
	}
	return strings.Join(kept, "\n")
}

// Patch is what a save does to a record's custom JSON: the keys it sets (a JSON object) and
// the keys it removes. Keys of removed fields are left alone.
type Patch struct {
	Set   []byte
	Unset []string
}

var (
	decimal = regexp.MustCompile(`^-?\d{1,15}(\.\d{1,6})?$`)
	cents   = regexp.MustCompile(`^-?\d{1,13}(\.\d{1,2})?$`)
	phone   = regexp.MustCompile(`^[0-9+()./ -]{3,40}$`)
)

// Check validates f's custom values by each field's type and required flag, with a message
// beside the field, and returns the patch that saves them.
func (s Set) Check(f *form.Form) Patch {
	set := map[string]any{}
	var p Patch
	for _, fd := range s.Fields {
		name := Name(fd.Key)
		v := f.Values[name]
		if fd.Required {
			f.Need(name)
		}
		if v == "" {
			if fd.Required {
				f.Fail(name, "This field is required.")
			}
			p.Unset = append(p.Unset, fd.Key)
			continue
		}
		if value, msg := s.parse(fd, v); msg != "" {
			f.Fail(name, msg)
		} else {
			set[fd.Key] = value
		}
	}
	p.Set, _ = json.Marshal(set)
	return p
}

// parse turns a form value into the field's JSON value, or says what is wrong with it.
func (s Set) parse(fd store.CustomField, v string) (any, string) {
	switch fd.Type {
	case store.CustomFieldTypeText, store.CustomFieldTypeLongText:
		limit := 300
		if fd.Type == store.CustomFieldTypeLongText {
			limit = 5000
		}
		if n := utf8.RuneCountInString(v); n > limit {
			return nil, "Use at most " + format.Num(int64(limit)) + " characters (this has " + format.Num(int64(n)) + ")."
		}
		return v, ""
	case store.CustomFieldTypeNumber:
		if n := strings.ReplaceAll(v, ",", ""); decimal.MatchString(n) {
			return json.Number(n), ""
		}
		return nil, "Enter a number like 42 or 3.5."
	case store.CustomFieldTypeMoney:
		if n := strings.ReplaceAll(strings.TrimPrefix(v, "$"), ",", ""); cents.MatchString(n) {
			return json.Number(n), ""
		}
		return nil, "Enter an amount like 1200 or 1,200.50."
	case store.CustomFieldTypeDate:
		if _, err := time.Parse(time.DateOnly, v); err == nil {
			return v, ""
		}
		return nil, "Enter a date like 2027-01-31."
	case store.CustomFieldTypeBoolean:
		if v == "yes" || v == "no" {
			return v == "yes", ""
		}
		return nil, "Choose yes or no."
	case store.CustomFieldTypeSelect:
		if slices.Contains(fd.Options, v) {
			return v, ""
		}
		return nil, "Choose one of the options."
	case store.CustomFieldTypeMultiSelect:
		chosen := strings.Split(v, "\n")
		for _, c := range chosen {
			if !slices.Contains(fd.Options, c) {
				return nil, "Choose from the options."
			}
		}
		slices.Sort(chosen)
		return slices.Compact(chosen), ""
	case store.CustomFieldTypeUrl:
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(v) > 500 {
			return nil, "Enter a web address like https://example.com."
		}
		return v, ""
	case store.CustomFieldTypeEmail:
		probe := form.New(map[string]string{"v": v})
		if probe.Email("v"); !probe.Valid() || len(v) > 254 {
			return nil, "Enter an email address like name@example.com."
		}
		return v, ""
	case store.CustomFieldTypePhone:
		if phone.MatchString(v) {
			return v, ""
		}
		return nil, "Enter a phone number: digits, spaces and + ( ) - only."
	case store.CustomFieldTypeUser:
		if slices.ContainsFunc(s.People, func(o form.Option) bool { return o.Value == v }) {
			id, _ := strconv.ParseInt(v, 10, 64)
			return id, ""
		}
		return nil, "Choose a person from the list."
	}
	return nil, "This field cannot be saved."
}
