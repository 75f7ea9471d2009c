package list

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/viewer"
)

// View is what every list page shows around its rows: the filters, the "1–50 of 1,234" count,
// the page links and the choices of the owner and team filters.
type View struct {
	Params
	Count    int64
	Capped   bool // more than Count rows match ("1,000+")
	Shown    int  // rows on this page
	HasNext  bool
	Next     string
	Owners   []form.Option
	Teams    []form.Option
	PerPages []int
	Export   string // the CSV download of this view, for a role that may export
	// CustomFilters are the filter bar's inputs for the custom fields shown in the list.
	CustomFilters []FilterInput
	ColumnChoices []ColumnChoice // the column chooser (columns.go)
	CanBulk       bool           // rows can be ticked for a bulk action
	Bulk          *BulkBar       // the bulk action bar (full pages only)
	Views         *Views         // the saved views bar (full pages only)
}

// NewView fills the view of a list page; rows is how many rows the query returned (a page and
// one more when another page follows).
func NewView(ctx context.Context, tx pgx.Tx, u *viewer.User, p Params, count int64, capped bool, rows int) (View, error) {
	v := newView(p, count, capped, rows)
	return v, v.loadChoices(ctx, tx, u)
}

func newView(p Params, count int64, capped bool, rows int) View {
	v := View{Params: p, Count: count, Capped: capped, Shown: min(rows, p.PerPage), HasNext: rows > p.PerPage, PerPages: PerPageChoices}
	if capped {
		v.Count = max(count, int64(v.Last())) // a page past the cap says "1,451–1,500 of 1,500+"
	}
	return v
}

// loadChoices fills the owner and team filters' choices.
func (v *View) loadChoices(ctx context.Context, tx pgx.Tx, u *viewer.User) error {
	choices, err := db.Q.ListFilterChoices(ctx, tx)
	if err != nil {
		return err
	}
	v.Owners = []form.Option{{Value: "", Label: "Anyone"}, {Value: "me", Label: "Me (" + u.Name + ")"}}
	v.Teams = []form.Option{{Value: "", Label: "Any team"}}
	for _, x := range choices {
		o := form.Option{Value: form.IDString(x.ID), Label: x.Name}
		if x.Kind == "team" {
			v.Teams = append(v.Teams, o)
		} else {
			v.Owners = append(v.Owners, o)
		}
	}
	return nil
}

// IsTicked reports whether a row comes back ticked from a refused bulk action.
func (v View) IsTicked(id int64) bool { return v.Bulk != nil && slices.Contains(v.Bulk.Retry.IDs, id) }

// Last is the number of the last row shown.
func (v View) Last() int { return v.Start + v.Shown - 1 }

// Many reports that more rows follow than the count knows of: "1–50 of many".
func (v View) Many() bool { return v.Capped && v.Count <= int64(v.Last()) }

// OwnerID resolves the owner filter: "me" is the user.
func OwnerID(p Params, me int64) *int64 {
	if p.Owner == "me" {
		return &me
	}
	return ID(p.Owner)
}

// TimeValue is a timestamp as a cursor value.
func TimeValue(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Header is a sortable column header.
type Header struct{ Label, Link, Aria string }

// Header describes the header of the column sorted by key.
func (v View) Header(key, label string) Header {
	return Header{Label: label, Link: v.SortLink(key), Aria: v.AriaSort(key)}
}
