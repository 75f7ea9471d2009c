package automation

import (
	"regexp"
	"strconv"
	"strings"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+(\.[a-z0-9_]+)?\}`)

// Matches reports whether the record passes every condition; when not, it says which failed.
func (r Rule) Matches(rec Record) (bool, string) {
	for _, c := range r.Conds {
		if !c.holds(rec.Value(c.Field)) {
			return false, "“" + c.String() + "” is not so (it is “" + rec.Value(c.Field) + "”)"
		}
	}
	return true, ""
}

func (c Condition) holds(v string) bool {
	switch c.Op {
	case "empty":
		return v == ""
	case "not_empty":
		return v != ""
	case "eq":
		return strings.EqualFold(v, c.Value)
	case "in":
		for _, x := range strings.Split(c.Value, ",") {
			if strings.EqualFold(v, strings.TrimSpace(x)) {
				return true
			}
		}
		return false
	case "gt", "lt":
		if v == "" {
			return false
		}
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(c.Value, 64)
		cmp := strings.Compare(v, c.Value) // dates compare as ISO text
		if err1 == nil && err2 == nil {
			cmp = 0
			if a < b {
				cmp = -1
			} else if a > b {
				cmp = 1
			}
		}
		return c.Op == "gt" && cmp > 0 || c.Op == "lt" && cmp < 0
	}
	return false
}

// String says the condition in words: "amount is more than 1000".
func (c Condition) String() string {
	s := strings.TrimPrefix(c.Field, "custom.") + " " + label(Ops, c.Op)
	if c.Op != "empty" && c.Op != "not_empty" {
		s += " " + c.Value
	}
	return s
}
