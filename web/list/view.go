package list

import (
	"context"
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
	Count    int64 // capped at CountCap+1
	Shown    int   // rows on this page
	HasNext  bool
	Next     string
	Owners   []form.Option
	Teams    []form.Option
	PerPages []int
}

// NewView fills the view of a list page; rows is how many rows the query returned (a page and
// one more when another page follows).
func NewView(ctx context.Context, tx pgx.Tx, u *viewer.User, p Params, count int64, rows int) (View, error) {
	v := View{Params: p, Count: count, Shown: min(rows, p.PerPage), HasNext: rows > p.PerPage, PerPages: PerPageChoices}
	users, err := db.Q.ListAssignableUsers(ctx, tx, nil)
	if err != nil {
		return v, err
	}
	v.Owners = []form.Option{{Value: "", Label: "Anyone"}, {Value: "me", Label: "Me (" + u.Name + ")"}}
	for _, x := range users {
		v.Owners = append(v.Owners, form.Option{Value: form.IDString(x.ID), Label: x.Name})
	}
	teams, err := db.Q.ListTeams(ctx, tx)
	if err != nil {
		return v, err
	}
	v.Teams = []form.Option{{Value: "", Label: "Any team"}}
	for _, t := range teams {
		v.Teams = append(v.Teams, form.Option{Value: form.IDString(t.ID), Label: t.Name})
	}
	return v, nil
}

// Last is the number of the last row shown.
func (v View) Last() int { return v.Start + v.Shown - 1 }

// Capped reports whether the count stopped at the cap.
func (v View) Capped() bool { return v.Count > CountCap }

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
