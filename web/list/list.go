// Package list reads the query string of list pages (one vocabulary for every list: q, owner,
// team, status, stage, source, created_from/to, close_from/to, amount_min/max, sort, cursor,
// per_page), keeping only values it understands, and builds the links of the list back.
package list

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgtype"
)

// PerPageChoices are the page sizes a user may pick; DefaultPerPage is the first page's.
var PerPageChoices = []int{25, 50, 100}

// DefaultPerPage is the page size when none is chosen.
const DefaultPerPage = 50

// Match is the sort of a search: the newest matching records first, cut inside the database.
const Match = "match"

// CountCap is where counting stops for a list filtered beyond what the kept counts know (a
// search, dates, amounts): beyond it the list says "1,000+".
const CountCap = 1000

// Spec is what one list allows: its sort keys (the first is the default, "-" for descending)
// and the values its status, stage and source filters accept.
type Spec struct {
	Path     string
	Sorts    []string // keys without a direction, e.g. "name", "created"
	Default  string   // e.g. "-created"
	Statuses []string
	Sources  []string
}

// Params is a parsed list query. Empty means "not filtered".
type Params struct {
	spec                   Spec
	Q                      string
	Owner                  string // "", "me" or a user id
	Team                   string // "" or a team id
	Status, Stage, Source  string
	CreatedFrom, CreatedTo string // ISO dates
	CloseFrom, CloseTo     string
	AmountMin, AmountMax   string
	Sort                   string // an allowed key, "-" prefixed for descending
	PerPage                int
	Start                  int // the 1-based number of the first row shown
	AfterValue, AfterID    string
	Custom                 customParams // filters on custom fields (custom.go)
	Cols                   []string     // the custom columns chosen (columns.go), when ColsSet
	ColsSet                bool
}

// Parse reads the list parameters from the request. Values outside the spec are dropped, so
// nothing the request says reaches SQL except as a typed parameter.
func Parse(c *gin.Context, spec Spec) Params { return ParseValues(c.Request.URL.Query(), spec) }

// ParseValues is Parse over query values, for a view carried in a form field.
func ParseValues(q url.Values, spec Spec) Params {
	p := Params{spec: spec, Sort: spec.Default, PerPage: DefaultPerPage, Start: 1}
	p.Q = strings.TrimSpace(q.Get("q"))
	if len([]rune(p.Q)) > 100 {
		p.Q = string([]rune(p.Q)[:100])
	}
	if o := q.Get("owner"); o == "me" || isID(o) {
		p.Owner = o
	}
	if isID(q.Get("team")) {
		p.Team = q.Get("team")
	}
	p.Status = oneOf(q.Get("status"), spec.Statuses)
	p.Source = oneOf(q.Get("source"), spec.Sources)
	if isID(q.Get("stage")) {
		p.Stage = q.Get("stage")
	}
	p.CreatedFrom, p.CreatedTo = isoDate(q.Get("created_from")), isoDate(q.Get("created_to"))
	p.CloseFrom, p.CloseTo = isoDate(q.Get("close_from")), isoDate(q.Get("close_to"))
	p.AmountMin, p.AmountMax = amount(q.Get("amount_min")), amount(q.Get("amount_max"))
	p.Custom = parseCustom(q)
	if p.Q != "" {
		p.Sort = Match // a search lists the best matches first, unless a column is chosen
	}
	if s := q.Get("sort"); oneOf(strings.TrimPrefix(s, "-"), spec.Sorts) != "" || (s == Match && p.Q != "") || customSortKey(s) != "" {
		p.Sort = s
	}
	if keys, ok := q["cols"]; ok {
		p.ColsSet = true
		for _, k := range keys {
			if fieldKey.MatchString(k) && len(p.Cols) < 50 && !slices.Contains(p.Cols, k) {
				p.Cols = append(p.Cols, k)
			}
		}
	}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil {
		for _, choice := range PerPageChoices {
			if n == choice {
				p.PerPage = n
			}
		}
	}
	if v, id, ok := decodeCursor(q.Get("cursor")); ok {
		p.AfterValue, p.AfterID = v, id
		if n, err := strconv.Atoi(q.Get("n")); err == nil && n > 0 {
			p.Start = n
		}
	}
	return p
}

func (p Params) defaultSort() string {
	if p.Q != "" {
		return Match
	}
	return p.spec.Default
}

// SortKey is the sort without its direction; Desc says whether it is descending.
func (p Params) SortKey() string { return strings.TrimPrefix(p.Sort, "-") }

// Desc reports whether the list is sorted descending.
func (p Params) Desc() bool { return strings.HasPrefix(p.Sort, "-") }

// Filtered reports whether any filter or search narrows the list.
func (p Params) Filtered() bool {
	return p.Q != "" || p.Owner != "" || p.Team != "" || p.Status != "" || p.Stage != "" || p.Source != "" ||
		p.CreatedFrom != "" || p.CreatedTo != "" || p.CloseFrom != "" || p.CloseTo != "" || p.AmountMin != "" || p.AmountMax != "" ||
		len(p.Custom) > 0
}

// Values is the query string of the list as it is, without the page position.
func (p Params) Values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", p.Q)
	set("owner", p.Owner)
	set("team", p.Team)
	set("status", p.Status)
	set("stage", p.Stage)
	set("source", p.Source)
	set("created_from", p.CreatedFrom)
	set("created_to", p.CreatedTo)
	set("close_from", p.CloseFrom)
	set("close_to", p.CloseTo)
	set("amount_min", p.AmountMin)
	set("amount_max", p.AmountMax)
	p.Custom.set(v)
	if p.ColsSet {
		v["cols"] = append([]string{}, p.Cols...)
		if len(p.Cols) == 0 {
			v.Set("cols", "")
		}
	}
	if p.Sort != p.defaultSort() {
		v.Set("sort", p.Sort)
	}
	if p.PerPage != DefaultPerPage {
		v.Set("per_page", strconv.Itoa(p.PerPage))
	}
	return v
}

func (p Params) url(v url.Values) string {
	if len(v) == 0 {
		return p.spec.Path
	}
	return p.spec.Path + "?" + v.Encode()
}

// ExportURL is the CSV download of every row of the list as it is filtered, searched and sorted.
func (p Params) ExportURL() string {
	v := p.Values()
	v.Del("per_page")
	if len(v) == 0 {
		return p.spec.Path + "/export.csv"
	}
	return p.spec.Path + "/export.csv?" + v.Encode()
}

// Query is the list's query string as it is, without the page position.
func (p Params) Query() string { return p.Values().Encode() }

// Path is the list's address without a query.
func (p Params) Path() string { return p.spec.Path }

// URL is the link to the first page of the list as it is filtered now.
func (p Params) URL() string { return p.url(p.Values()) }

// With is the link to the first page with one parameter changed ("" removes it).
func (p Params) With(key, value string) string {
	v := p.Values()
	if value == "" {
		v.Del(key)
	} else {
		v.Set(key, value)
	}
	return p.url(v)
}

// SortLink is the link a column header points to: ascending first, then the other way.
func (p Params) SortLink(key string) string {
	if p.Sort == key {
		return p.With("sort", "-"+key)
	}
	return p.With("sort", key)
}

// AriaSort is the header's aria-sort value for a key.
func (p Params) AriaSort(key string) string {
	switch p.Sort {
	case key:
		return "ascending"
	case "-" + key:
		return "descending"
	}
	return "none"
}

// NextURL is the link to the page after a row with this sort value and id.
func (p Params) NextURL(value string, id int64) string {
	v := p.Values()
	v.Set("cursor", encodeCursor(value, strconv.FormatInt(id, 10)))
	v.Set("n", strconv.Itoa(p.Start+p.PerPage))
	return p.url(v)
}

// Limit is how many rows to fetch: one more than a page, to know whether another follows.
func (p Params) Limit() int32 { return int32(p.PerPage + 1) }

func encodeCursor(value, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(value + "\x00" + id))
}

func decodeCursor(s string) (value, id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", "", false
	}
	value, id, ok = strings.Cut(string(b), "\x00")
	return value, id, ok && isID(id)
}

func isID(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n > 0
}

func oneOf(s string, allowed []string) string {
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	return ""
}

func isoDate(s string) string {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return ""
	}
	return s
}

func amount(s string) string {
	if f, err := strconv.ParseFloat(s, 64); err != nil || f < 0 || f > 1e12 {
		return ""
	}
	return s
}

// Typed parameters for the generated list queries.

// ID returns an id parameter, or nil when empty ("me" is resolved by the caller).
func ID(s string) *int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// Text returns a text parameter, or nil when empty.
func Text(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Date returns a date parameter, invalid when empty.
func Date(s string) pgtype.Date {
	t, err := time.Parse(time.DateOnly, s)
	return pgtype.Date{Time: t, Valid: err == nil}
}

// Numeric returns a numeric parameter, invalid when empty.
func Numeric(s string) pgtype.Numeric {
	var n pgtype.Numeric
	if s != "" {
		_ = n.Scan(s)
	}
	return n
}

// Time returns a timestamp parameter parsed from RFC 3339, or nil.
func Time(s string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil
	}
	return &t
}
