// Package form parses and validates submitted forms, keeps every value the user typed, and turns
// database constraint violations into messages beside the right field.
package form

import (
	"errors"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crm-team/crm/web/format"
)

// Form holds submitted values and the error message of each invalid field.
type Form struct {
	Values map[string]string
	Errors map[string]string
	needed map[string]bool
}

// New returns an empty form, optionally prefilled.
func New(values map[string]string) *Form {
	if values == nil {
		values = map[string]string{}
	}
	return &Form{Values: values, Errors: map[string]string{}}
}

// Parse reads the named fields of a posted form, trimmed of surrounding space. A value longer
// than its field allows (see Limit) is kept, so the user can shorten it, and failed.
func Parse(c *gin.Context, names ...string) *Form {
	f := New(nil)
	for _, n := range names {
		f.Values[n] = strings.TrimSpace(c.PostForm(n))
		f.MaxLength(n, Limit(n))
	}
	return f
}

// Limit is the most characters a field takes: long texts (a note, a reason, a description)
// 20,000, the view a move form carries 2,000, anything else 300. No name, email or subject is
// longer, and the database's full-text vectors refuse text over a megabyte.
func Limit(name string) int {
	switch name {
	case "body", "description", "lost_reason":
		return 20000
	case "view":
		return 2000
	}
	return 300
}

// Get returns a field's value.
func (f *Form) Get(name string) string { return f.Values[name] }

// Fail records an error for a field; the first one wins.
func (f *Form) Fail(name, msg string) {
	if _, ok := f.Errors[name]; !ok {
		f.Errors[name] = msg
	}
}

// Valid reports whether no field has an error.
func (f *Form) Valid() bool { return len(f.Errors) == 0 }

// Need marks fields the user has to fill: their labels say so.
func (f *Form) Need(names ...string) *Form {
	if f.needed == nil {
		f.needed = map[string]bool{}
	}
	for _, n := range names {
		f.needed[n] = true
	}
	return f
}

// Required marks the named fields as needed and fails every one that is empty.
func (f *Form) Required(names ...string) {
	f.Need(names...)
	for _, n := range names {
		if f.Values[n] == "" {
			f.Fail(n, "This field is required.")
		}
	}
}

// MaxLength fails a field longer than max characters.
func (f *Form) MaxLength(name string, max int) {
	if n := utf8.RuneCountInString(f.Values[name]); n > max {
		f.Fail(name, "Use at most "+format.Num(int64(max))+" characters (this has "+format.Num(int64(n))+").")
	}
}

// Time parses a day and time as a datetime-local input sends it (2026-12-01T14:30), or a day
// alone (midnight), in loc; empty is nil, anything else fails the field.
func (f *Form) Time(name string, loc *time.Location) *time.Time {
	v := f.Values[name]
	if v == "" {
		return nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return &t
		}
	}
	f.Fail(name, "Enter a date and time like 2026-12-01 14:30.")
	return nil
}

// Email fails a non-empty field that is not a plain email address.
func (f *Form) Email(name string) {
	v := f.Values[name]
	if v == "" {
		return
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
		f.Fail(name, "Enter an email address like name@example.com.")
	}
}

// Int parses a whole number between min and max; ok is false (and the field failed) otherwise.
func (f *Form) Int(name string, min, max int) (n int, ok bool) {
	n, err := strconv.Atoi(f.Values[name])
	if err != nil || n < min || n > max {
		f.Fail(name, "Enter a whole number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max)+".")
		return 0, false
	}
	return n, true
}

// ID parses a record id; empty gives 0 (none chosen).
func (f *Form) ID(name string) int64 {
	v := f.Values[name]
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		f.Fail(name, "Choose one of the options.")
		return 0
	}
	return n
}

// OneOf fails a field whose value is not one of the allowed ones.
func (f *Form) OneOf(name string, allowed ...string) {
	for _, a := range allowed {
		if f.Values[name] == a {
			return
		}
	}
	f.Fail(name, "Choose one of the options.")
}

// Constraint says which field a named database constraint guards, and what to tell the user.
type Constraint struct{ Field, Message string }

// FromDB turns a unique or check violation of a known constraint into a field error and reports
// whether it did; any other error is left for the caller to return.
func (f *Form) FromDB(err error, known map[string]Constraint) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	if pe.Code != "23505" && pe.Code != "23514" && pe.Code != "23503" {
		return false
	}
	if c, ok := known[pe.ConstraintName]; ok {
		f.Fail(c.Field, c.Message)
		return true
	}
	return false
}

// IDString formats a record id for a form value.
func IDString(id int64) string { return strconv.FormatInt(id, 10) }

var moneyRE = regexp.MustCompile(`^\d{1,12}(\.\d{1,2})?$`)

// Money parses an amount like 12500 or 12,500.50. Empty is allowed unless positive is set,
// which also demands more than zero. The numeric is invalid (NULL) when empty or wrong.
func (f *Form) Money(name string, positive bool) pgtype.Numeric {
	v := strings.ReplaceAll(strings.ReplaceAll(f.Values[name], ",", ""), " ", "")
	var n pgtype.Numeric
	switch {
	case v == "" && !positive:
		return n
	case !moneyRE.MatchString(v):
		f.Fail(name, "Enter an amount like 12500 or 12500.50.")
		return n
	}
	_ = n.Scan(v)
	if positive && strings.Trim(strings.ReplaceAll(v, ".", ""), "0") == "" {
		f.Fail(name, "Enter an amount greater than 0.")
		return pgtype.Numeric{}
	}
	return n
}

// Decimal formats a numeric for a form field: 12500 or 12500.5.
func Decimal(n pgtype.Numeric) string {
	f, err := n.Float64Value()
	if err != nil || !f.Valid {
		return ""
	}
	return strconv.FormatFloat(f.Float64, 'f', -1, 64)
}

// ParseID parses a record id, 0 when it is not one.
func ParseID(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
