package admin

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
)

var keyFormat = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// fieldInput is a checked field form.
type fieldInput struct {
	Entity, Label, Key, Help string
	Type                     store.CustomFieldType
	Options                  []string
	Required, InList         bool
	Position                 int32
}

// checkField validates the form; the key (new fields only) comes from the label when left empty.
func checkField(f *form.Form, isNew bool) fieldInput {
	in := fieldInput{Label: f.Get("label"), Help: f.Get("help"), Type: store.CustomFieldType(f.Get("type")),
		Required: f.Get("required") == "on", InList: f.Get("in_list") == "on"}
	f.Required("label", "type")
	f.MaxLength("label", 80)
	f.MaxLength("help", 300)
	f.OneOf("type", optionValues(custom.Types)...)
	if isNew {
		f.Required("entity")
		f.OneOf("entity", optionValues(fieldEntities)...)
		in.Entity = f.Get("entity")
		if f.Get("key") == "" {
			f.Values["key"] = keyOf(in.Label)
		}
		in.Key = f.Get("key")
		if in.Key != "" && !keyFormat.MatchString(in.Key) {
			f.Fail("key", "Use lower-case letters, digits and _, starting with a letter (at most 40).")
		}
	}
	for _, line := range strings.Split(f.Get("options"), "\n") {
		if line = strings.TrimSpace(line); line != "" && !slices.Contains(in.Options, line) {
			in.Options = append(in.Options, line)
		}
	}
	switch {
	case in.Type != store.CustomFieldTypeSelect && in.Type != store.CustomFieldTypeMultiSelect:
		in.Options = nil
	case len(in.Options) == 0:
		f.Fail("options", "List the choices, one per line.")
	case len(in.Options) > 100:
		f.Fail("options", "Offer at most 100 choices.")
	case slices.ContainsFunc(in.Options, func(o string) bool { return utf8.RuneCountInString(o) > 80 }):
		f.Fail("options", "Keep each choice to 80 characters.")
	}
	if p := f.Get("position"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1000 {
			f.Fail("position", "Enter a whole number from 0 to 1000.")
		}
		in.Position = int32(n)
	}
	return in
}

// keyOf turns a label into a key: "Renewal date" is renewal_date.
func keyOf(label string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(label) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			under = false
		default:
			under = true
		}
	}
	k := b.String()
	if k != "" && (k[0] < 'a' || k[0] > 'z') {
		k = "f_" + k
	}
	if len(k) > 40 {
		k = strings.TrimRight(k[:40], "_")
	}
	return k
}

func optionValues(opts []form.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return ""
}

func isSubset(old, kept []string) bool {
	for _, o := range old {
		if !slices.Contains(kept, o) {
			return false
		}
	}
	return true
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
