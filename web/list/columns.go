package list

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
)

// A list sorts by a custom field shown in lists ("sort=cf_<key>", "-" first for descending;
// empty values last going up, first going down, as the field's index keeps them), and shows
// the custom columns a view chooses ("cols=<key>", repeated; "cols=" alone for none) or else
// those shown in lists. Both are checked against the record type's fields when the list loads.

var fieldKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// customSortKey is the field key of a sort such as "-cf_tier", or "".
func customSortKey(sort string) string {
	key, ok := strings.CutPrefix(strings.TrimPrefix(sort, "-"), custom.Prefix)
	if !ok || !fieldKey.MatchString(key) {
		return ""
	}
	return key
}

// Sortable reports whether lists sort by a field: one shown in lists (so it is indexed) whose
// values have an order people expect.
func Sortable(fd store.CustomField) bool {
	switch fd.Type {
	case store.CustomFieldTypeLongText, store.CustomFieldTypeMultiSelect, store.CustomFieldTypeUser:
		return false
	}
	return fd.InList
}

// withFields completes a list's query with what depends on the record type's custom fields:
// their filters, and a sort by one of them. A sort by a field the list cannot sort by becomes
// the list's default sort.
func (p *Params) withFields(q Query, set custom.Set) (Query, []FilterInput) {
	var filters []FilterInput
	q.Custom, filters = customFilter(p.Custom, set)
	if key := customSortKey(p.Sort); key != "" {
		fd, ok := set.Field(custom.Name(key))
		switch {
		case !ok || !Sortable(fd):
			p.Sort = p.defaultSort()
			q.Sort, q.After = p.Sort, Cursor{}
		case custom.Numeric(fd.Type):
			q.Sort, q.SortField = "cfn", key
		default:
			q.Sort, q.SortField = "cf", key
		}
		if q.SortField != "" && p.Desc() {
			q.Sort = "-" + q.Sort
		}
	}
	return q.withCustom(), filters
}

// cursor is a row's id and its value of the column the list is sorted by.
func (f Frame[R]) cursor(row R, p Params) (int64, string) {
	id, value := f.Cursor(row, p.SortKey())
	if key := customSortKey(p.Sort); key != "" {
		value = customValue(f.CSV.Custom(row), key)
	}
	return id, value
}

// customValue is a field's value in a custom JSON as SQL's ->> gives it; "" when it has none.
func customValue(raw []byte, key string) string {
	var doc map[string]json.RawMessage
	if json.Unmarshal(raw, &doc) != nil || len(doc[key]) == 0 || string(doc[key]) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(doc[key], &s) == nil {
		return s
	}
	return string(doc[key]) // a number, or true or false
}

// ColumnChoice is a custom field in the list's column chooser.
type ColumnChoice struct {
	Key, Label string
	On         bool
}

// columns are the custom fields the list shows, and the chooser's choices. A choice that is the
// same as the fields shown in lists is forgotten, so the list's address stays plain.
func (p *Params) columns(set custom.Set) ([]store.CustomField, []ColumnChoice) {
	shown := set.InList()
	if p.ColsSet {
		shown = nil
		for _, fd := range set.Fields {
			if slices.Contains(p.Cols, fd.Key) {
				shown = append(shown, fd)
			}
		}
		if slices.EqualFunc(shown, set.InList(), func(a, b store.CustomField) bool { return a.Key == b.Key }) {
			p.Cols, p.ColsSet = nil, false
		}
	}
	var choices []ColumnChoice
	for _, fd := range set.Fields {
		on := slices.ContainsFunc(shown, func(s store.CustomField) bool { return s.Key == fd.Key })
		choices = append(choices, ColumnChoice{Key: fd.Key, Label: fd.Label, On: on})
	}
	return shown, choices
}

// CustomHeader is a custom column's header: a sort link when the list sorts by the field.
func (v View) CustomHeader(fd store.CustomField) Header {
	if !Sortable(fd) {
		return Header{Label: fd.Label}
	}
	return v.Header(custom.Name(fd.Key), fd.Label)
}
