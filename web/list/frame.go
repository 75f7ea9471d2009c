package list

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Query is a list's view as the typed parameters of the generated list and count queries; each
// record type passes on the ones its queries take.
type Query struct {
	db.Filter                                  // the user's view scope, repeated for the planner
	Owner, Team, Stage                         *int64
	Q                                          *string // what the user searched for
	SearchOwner, SearchTeam                    *int64  // the owner and team filters, when the search function applies them
	SearchAfter                                *int64  // a search's page starts after this id (Match sort only)
	SearchLimit                                *int32  // how many matches the search function returns; nil: all
	Status, Source                             *string
	CreatedFrom, CreatedTo, CloseFrom, CloseTo pgtype.Date
	AmountMin, AmountMax                       pgtype.Numeric
	Custom                                     []byte // custom field filters (crm_custom_match); nil: none
	Sort                                       string
	SortField                                  string // the custom field a "cf" or "cfn" sort is by
	Limit                                      int32  // a page and one more row
	After                                      Cursor
}

// Cursor is the row the page starts after: its id, and its sort value as the sort column's type.
type Cursor struct {
	ID   *int64
	Text *string
	Time *time.Time
	Date pgtype.Date
	Num  pgtype.Numeric
}

// Frame loads a page of any record type's list: its rows, count, next-page cursor and filter
// choices. The record type says how to read its rows; the rest is the same for every list.
type Frame[R any] struct {
	Spec   Spec
	Entity string // the permission entity whose view scope limits the list
	// Rows reads a page and one more row; Count counts the rows every filter lets through, up to cap.
	Rows  func(ctx context.Context, tx pgx.Tx, q Query) ([]R, error)
	Count func(ctx context.Context, tx pgx.Tx, q Query, cap int32) (int64, error)
	// Bucket is the kept-count bucket the filters pick (a lead status, a deal stage); nil: all.
	Bucket func(p Params) string
	// Cursor is a row's id and its value of the sort column.
	Cursor func(row R, sortKey string) (int64, string)
	// CSV is what an export writes of each row.
	CSV Columns[R]
	// Sets are the record type's own bulk changes, beside owner, custom choices and delete.
	Sets []BulkSet
}

// Listing is a loaded list page.
type Listing[R any] struct {
	View
	Rows    []R
	Custom  custom.Set          // the record type's custom fields
	Columns []store.CustomField // those shown as columns
}

// Cell is a custom field's value in a row's custom JSON, as the list shows it.
func (l Listing[R]) Cell(raw []byte, fd store.CustomField) custom.Shown {
	return l.Custom.Show(fd, custom.Values(raw)[custom.Name(fd.Key)])
}

// Load reads the page the request asks for, and runs more (when not nil) in the same
// transaction with the page loaded so far.
func (f Frame[R]) Load(c *gin.Context, pool *pgxpool.Pool, more func(ctx context.Context, tx pgx.Tx, l *Listing[R]) error) (Listing[R], error) {
	u := viewer.From(c)
	var l Listing[R]
	p := Parse(c, f.Spec)
	q := p.query(u, f.Entity)
	var filters []FilterInput
	var view string // the user's default view, for a plain request of the list
	err := viewer.InTxCustomPlans(c, pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		if view, err = f.defaultView(ctx, tx, c); err != nil || view != "" {
			return err
		}
		if l.Custom, err = custom.Load(ctx, tx, f.Entity); err != nil {
			return err
		}
		q, filters = p.withFields(q, l.Custom)
		var columns []ColumnChoice
		l.Columns, columns = p.columns(l.Custom)
		if l.Rows, err = f.Rows(ctx, tx, q); err != nil {
			return err
		}
		count, capped, err := f.count(ctx, tx, p, q, len(l.Rows))
		if err != nil {
			return err
		}
		l.View = newView(p, count, capped, len(l.Rows))
		l.View.CustomFilters, l.View.ColumnChoices = filters, columns
		if u.Can(f.Entity, "export") {
			l.View.Export = p.ExportURL()
		}
		l.View.CanBulk = u.Can(f.Entity, "edit") || u.Can(f.Entity, "delete")
		// Typing in the search box swaps only the results: the filters' choices stay as they are.
		if render.Target(c) != "results" {
			if err := l.View.loadChoices(ctx, tx, u); err != nil {
				return err
			}
			if l.View.Views, err = f.views(ctx, tx, u, p, c.Request.URL.Query()); err != nil {
				return err
			}
			if l.View.CanBulk {
				if l.View.Bulk, err = f.bulkBar(ctx, tx, u, l.Custom); err != nil {
					return err
				}
				l.View.Bulk.Retry = parseBulkRetry(c.Request.URL.Query())
			}
		}
		if more != nil {
			return more(ctx, tx, &l)
		}
		return nil
	})
	if err != nil {
		return l, err
	}
	if view != "" {
		render.Redirect(c, f.Spec.Path+"?"+view)
		return l, render.ErrHandled
	}
	if l.HasNext {
		l.Rows = l.Rows[:p.PerPage]
		id, value := f.cursor(l.Rows[len(l.Rows)-1], p)
		l.Next = p.NextURL(value, id)
	}
	return l, nil
}

// count is exact from the kept counts when only the scope, owner, team and bucket narrow the
// list; a search is not counted (what a page shows, and whether more follow); other filters
// are counted up to CountCap. capped reports that more rows match than the count says.
func (f Frame[R]) count(ctx context.Context, tx pgx.Tx, p Params, q Query, rows int) (n int64, capped bool, err error) {
	switch {
	case p.Q != "":
		return int64(p.Start - 1 + min(rows, p.PerPage)), rows > p.PerPage, nil
	case p.Source == "" && p.CreatedFrom == "" && p.CreatedTo == "" && p.CloseFrom == "" && p.CloseTo == "" &&
		p.AmountMin == "" && p.AmountMax == "" && q.Custom == nil:
		var bucket *string
		if f.Bucket != nil {
			bucket = Text(f.Bucket(p))
		}
		n, err = db.Q.CountKept(ctx, tx, store.CountKeptParams{Entity: f.Entity, SeeAll: q.SeeAll,
			OwnID: q.OwnID, TeamID: q.TeamID, Owner: q.Owner, Team: q.Team, Bucket: bucket})
		return n, false, err
	}
	n, err = f.Count(ctx, tx, q, CountCap+1)
	return min(n, CountCap), n > CountCap, err
}

// withCustom drops the search function's page cut when custom fields filter too: the cut would
// not know of them.
func (q Query) withCustom() Query {
	if q.Custom != nil {
		q.SearchOwner, q.SearchTeam, q.SearchAfter, q.SearchLimit = nil, nil, nil, nil
	}
	return q
}

// query turns the parsed view into query parameters for a user.
func (p Params) query(u *viewer.User, entity string) Query {
	q := Query{Filter: u.Access.Filter(entity, "view"), Owner: OwnerID(p, u.ID), Team: ID(p.Team), Stage: ID(p.Stage),
		Q: Text(p.Q), Status: Text(p.Status), Source: Text(p.Source),
		CreatedFrom: Date(p.CreatedFrom), CreatedTo: Date(p.CreatedTo), CloseFrom: Date(p.CloseFrom), CloseTo: Date(p.CloseTo),
		AmountMin: Numeric(p.AmountMin), AmountMax: Numeric(p.AmountMax), Sort: p.Sort, Limit: p.Limit()}
	if p.AfterID != "" {
		q.After = Cursor{ID: ID(p.AfterID), Text: Text(p.AfterValue), Time: Time(p.AfterValue),
			Date: Date(p.AfterValue), Num: Numeric(p.AfterValue)}
	}
	// A search in its own order, narrowed by nothing but an owner or team, is cut by the search
	// function a page at a time; any other sort or filter takes every match (slower for a very
	// common word).
	if p.Q != "" && p.Sort == Match && p.Status == "" && p.Source == "" && p.Stage == "" &&
		p.CreatedFrom == "" && p.CreatedTo == "" && p.CloseFrom == "" && p.CloseTo == "" && p.AmountMin == "" && p.AmountMax == "" {
		q.SearchOwner, q.SearchTeam, q.SearchAfter, q.SearchLimit = q.Owner, q.Team, q.After.ID, &q.Limit
	}
	return q
}
