package list

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
)

// Custom field filters in the query string, for the fields shown in lists:
//
//	cf_<key>=v          equals v (repeat it for any of several; several choices: holds v)
//	cf_<key>=.empty     has no value
//	cf_<key>.min=, .max= from, to (numbers, amounts, dates)
//
// Which keys and values count is decided against the record type's fields when the list
// loads (customFilter); the rest are dropped like any unknown parameter.

// Empty is the filter value that asks for records without a value.
const Empty = ".empty"

// customParams are the custom field filters as the query string gives them, by key.
type customParams map[string]*customParam

type customParam struct {
	Values   []string
	Min, Max string
}

func parseCustom(q url.Values) customParams {
	out := customParams{}
	for name, vs := range q {
		rest, ok := strings.CutPrefix(name, custom.Prefix)
		if !ok || len(rest) > 60 {
			continue
		}
		key, bound, _ := strings.Cut(rest, ".")
		p := out[key]
		if p == nil {
			p = &customParam{}
		}
		switch bound {
		case "":
			for _, v := range vs {
				if v = strings.TrimSpace(v); v != "" && len(v) <= 200 && len(p.Values) < 20 {
					p.Values = append(p.Values, v)
				}
			}
		case "min":
			p.Min = strings.TrimSpace(vs[0])
		case "max":
			p.Max = strings.TrimSpace(vs[0])
		default:
			continue
		}
		if len(p.Values) > 0 || p.Min != "" || p.Max != "" {
			out[key] = p
		}
	}
	return out
}

// set writes the filters back into a query string.
func (cp customParams) set(v url.Values) {
	for key, p := range cp {
		name := custom.Name(key)
		for _, x := range p.Values {
			v.Add(name, x)
		}
		if p.Min != "" {
			v.Set(name+".min", p.Min)
		}
		if p.Max != "" {
			v.Set(name+".max", p.Max)
		}
	}
}

// FilterInput is one custom field's filter in the list's filter bar.
type FilterInput struct {
	Name, Label, Kind string // Kind: "choice" (a select), "range" (from and to) or "text"
	Type              string // the inputs' type for a range: "date" or "text"
	Value, Min, Max   string
	Options           []form.Option
}

var rangeNumber = regexp.MustCompile(`^-?\d{1,15}(\.\d{1,6})?$`)

// customFilter checks the filters against the fields shown in lists and returns them as the
// JSON the search functions take (nil when there are none), with the filter bar's inputs.
func customFilter(cp customParams, set custom.Set) ([]byte, []FilterInput) {
	var filters []map[string]any
	var inputs []FilterInput
	for _, fd := range set.InList() {
		p := cp[fd.Key]
		if p == nil {
			p = &customParam{}
		}
		in := FilterInput{Name: custom.Name(fd.Key), Label: fd.Label, Kind: "choice"}
		switch fd.Type {
		case store.CustomFieldTypeNumber, store.CustomFieldTypeMoney, store.CustomFieldTypeDate:
			in.Kind, in.Type, in.Min, in.Max = "range", "text", p.Min, p.Max
			valid := func(s string) bool { return rangeNumber.MatchString(strings.ReplaceAll(s, ",", "")) }
			if fd.Type == store.CustomFieldTypeDate {
				in.Type = "date"
				valid = func(s string) bool { _, err := time.Parse(time.DateOnly, s); return err == nil }
			}
			f := map[string]any{"key": fd.Key, "op": "range", "kind": kindOf(fd)}
			if valid(p.Min) {
				f["min"] = strings.ReplaceAll(p.Min, ",", "")
			}
			if valid(p.Max) {
				f["max"] = strings.ReplaceAll(p.Max, ",", "")
			}
			if f["min"] != nil || f["max"] != nil {
				filters = append(filters, f)
			}
		case store.CustomFieldTypeSelect, store.CustomFieldTypeMultiSelect, store.CustomFieldTypeBoolean, store.CustomFieldTypeUser:
			in.Options = choices(fd, set)
			var values []any
			for _, v := range p.Values {
				if v == Empty {
					filters = append(filters, map[string]any{"key": fd.Key, "op": "empty", "kind": kindOf(fd)})
				} else if slices.ContainsFunc(in.Options, func(o form.Option) bool { return o.Value == v }) {
					values = append(values, typed(fd.Type, v))
				}
			}
			if len(values) > 0 {
				filters = append(filters, map[string]any{"key": fd.Key, "op": "in", "values": values, "multi": fd.Type == store.CustomFieldTypeMultiSelect})
			}
			if len(p.Values) > 0 {
				in.Value = p.Values[0]
			}
		default:
			in.Kind = "text"
			if len(p.Values) > 0 {
				in.Value = p.Values[0]
				if in.Value == Empty {
					filters = append(filters, map[string]any{"key": fd.Key, "op": "empty", "kind": kindOf(fd)})
				} else {
					filters = append(filters, map[string]any{"key": fd.Key, "op": "in", "values": []any{in.Value}})
				}
			}
		}
		inputs = append(inputs, in)
	}
	if len(filters) == 0 {
		return nil, inputs
	}
	sort.Slice(filters, func(i, j int) bool { return filters[i]["key"].(string) < filters[j]["key"].(string) })
	raw, _ := json.Marshal(filters)
	return raw, inputs
}

// kindOf is how the database compares a field's values: as numbers, or as text (dates are ISO).
func kindOf(fd store.CustomField) string {
	if custom.Numeric(fd.Type) {
		return "number"
	}
	return "text"
}

// choices are a choice field's filter options: any, each value, or none.
func choices(fd store.CustomField, set custom.Set) []form.Option {
	opts := []form.Option{{Value: "", Label: "Any " + strings.ToLower(fd.Label)}}
	switch fd.Type {
	case store.CustomFieldTypeBoolean:
		opts = append(opts, form.Option{Value: "yes", Label: "Yes"}, form.Option{Value: "no", Label: "No"})
	case store.CustomFieldTypeUser:
		opts = append(opts, set.People...)
	default:
		opts = append(opts, form.Plain(fd.Options)...)
	}
	return append(opts, form.Option{Value: Empty, Label: "Not set"})
}

// typed is a filter value as the JSON holds it.
func typed(t store.CustomFieldType, v string) any {
	switch t {
	case store.CustomFieldTypeBoolean:
		return v == "yes"
	case store.CustomFieldTypeUser:
		return json.Number(v)
	}
	return v
}
