// Package opportunities serves /opportunities: the list, the record page, and its forms.
package opportunities

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /opportunities.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

var spec = list.Spec{Path: "/opportunities", Sorts: []string{"close", "amount", "name", "created"}, Default: "close"}

// ListPage is the opportunities list.
type ListPage struct {
	render.Page
	list.Listing[store.ListOpportunitiesRow]
	Stages []form.Option
}

// ShowPage is one opportunity with its stage history and latest activity.
type ShowPage struct {
	render.Page
	Opp         store.GetOpportunityRow
	History     []store.StageHistoryRow
	Stages      []store.ListStageChoicesRow // of the deal's pipeline, for the stage bar
	Won, Lost   int64                       // its won and lost stages, for the buttons
	Next        format.Next
	DaysInStage int
	CanEdit     bool
	Custom      []form.Inline // the custom fields, editable in place
}

// FormPage is the new and edit form.
type FormPage struct {
	render.Page
	ID          int64
	Form        *form.Form
	OwnerSource string // the owner picker's address
	Stages      []form.Option
	Currencies  []form.Option
	Changes     []store.ChangesSinceRow
	Custom      []form.Field // the custom fields
}

func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTx(c, h.Pool, fn)
}

// List shows the opportunities the user may see, filtered, sorted and paged by the query string.
func (h *Handler) List(c *gin.Context) error {
	page := ListPage{Page: h.R.Page(c, "Opportunities", "opportunities")}
	var err error
	page.Listing, err = dealList.Load(c, h.Pool, func(ctx context.Context, tx pgx.Tx, l *list.Listing[store.ListOpportunitiesRow]) (err error) {
		// The stage filter is part of the full page only, and the bulk bar has loaded the stages.
		if render.Target(c) == "results" {
			return nil
		}
		if l.Bulk != nil {
			for _, s := range l.Bulk.Sets {
				if s.Action == "stage" {
					page.Stages = append([]form.Option{{Value: "", Label: "Any stage"}}, s.Options...)
					return nil
				}
			}
		}
		page.Stages, err = stageOptions(ctx, tx, "Any stage")
		return err
	})
	if err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "opportunities/list", page)
	return nil
}

// Views are the list's saved view handlers.
func (h *Handler) Views() list.ViewRoutes { return dealList.ViewRoutes(h.Pool, h.R) }

// Bulk changes the ticked rows, or every row of the view, at once.
func (h *Handler) Bulk(c *gin.Context) error { return dealList.Bulk(c, h.Pool, h.R) }

// Export downloads the list as it is filtered, searched and sorted, as CSV.
func (h *Handler) Export(c *gin.Context) error { return dealList.Export(c, h.Pool, h.R) }

var dealList = list.Frame[store.ListOpportunitiesRow]{Spec: spec, Entity: "opportunities",
	Rows: func(ctx context.Context, tx pgx.Tx, q list.Query) ([]store.ListOpportunitiesRow, error) {
		return db.Q.ListOpportunities(ctx, tx, store.ListOpportunitiesParams{Custom: q.Custom, SeeAll: q.SeeAll, OwnID: q.OwnID, TeamID: q.TeamID,
			Owner: q.Owner, Team: q.Team, Stage: q.Stage, Q: q.Q, SearchOwner: q.SearchOwner, SearchTeam: q.SearchTeam, SearchAfter: q.SearchAfter, SearchLim: q.SearchLimit, CloseFrom: q.CloseFrom, CloseTo: q.CloseTo,
			AmountMin: q.AmountMin, AmountMax: q.AmountMax, Sort: q.Sort, CfKey: q.SortField, Lim: q.Limit,
			AfterID: q.After.ID, AfterText: q.After.Text, AfterTime: q.After.Time, AfterDate: q.After.Date, AfterNum: q.After.Num})
	},
	Count: func(ctx context.Context, tx pgx.Tx, q list.Query, cap int32) (int64, error) {
		return db.Q.CountOpportunities(ctx, tx, store.CountOpportunitiesParams{Custom: q.Custom, SeeAll: q.SeeAll, OwnID: q.OwnID, TeamID: q.TeamID,
			Owner: q.Owner, Team: q.Team, Stage: q.Stage, CloseFrom: q.CloseFrom, CloseTo: q.CloseTo,
			AmountMin: q.AmountMin, AmountMax: q.AmountMax, Cap: cap})
	},
	Bucket: func(p list.Params) string { return p.Stage },
	Cursor: func(r store.ListOpportunitiesRow, key string) (int64, string) {
		switch key {
		case "close":
			return r.ID, r.CloseDate.Time.Format(time.DateOnly)
		case "amount":
			return r.ID, form.Decimal(r.Amount)
		case "name":
			return r.ID, r.Name
		}
		return r.ID, list.TimeValue(r.CreatedAt)
	},
	Sets: []list.BulkSet{{Action: "stage", Label: "Move to stage", Options: func(ctx context.Context, tx pgx.Tx) ([]form.Option, error) {
		return stageOptions(ctx, tx, "")
	}}},
	CSV: list.Columns[store.ListOpportunitiesRow]{
		Header: []string{"ID", "Name", "Account", "Stage", "Amount", "Currency", "Close date", "Next step", "Next step at", "Owner", "Created"},
		Row: func(r store.ListOpportunitiesRow) []string {
			next := ""
			if r.NextAt != nil {
				next = list.Stamp(*r.NextAt)
			}
			return []string{list.IDCell(r.ID), r.Name, list.Opt(r.AccountName), r.StageName, list.Decimal(r.Amount), r.Currency, list.Day(r.CloseDate),
				r.NextSubject, next, r.OwnerName, list.Stamp(r.CreatedAt)}
		},
		Custom: func(r store.ListOpportunitiesRow) []byte { return r.Custom },
	},
}

// Show renders one opportunity.
func (h *Handler) Show(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var page ShowPage
	var fields custom.Set
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Opp, err = db.Q.GetOpportunity(ctx, tx, id); err != nil {
			return err
		}
		if fields, err = custom.Load(ctx, tx, "opportunities"); err != nil {
			return err
		}
		if page.History, err = db.Q.StageHistory(ctx, tx, id); err != nil {
			return err
		}
		next, err := db.Q.NextActivity(ctx, tx, &id)
		if err != nil && !db.IsNoRows(err) {
			return err
		}
		page.Next = format.NextStep(next.Subject, string(next.Type), next.At, viewer.From(c).Location())
		stages, err := db.Q.ListStageChoices(ctx, tx)
		for _, s := range stages {
			if s.PipelineID != page.Opp.PipelineID {
				continue
			}
			page.Stages = append(page.Stages, s)
			switch s.Kind {
			case store.StageKindWon:
				page.Won = s.ID
			case store.StageKindLost:
				page.Lost = s.ID
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	page.Page = h.R.Page(c, page.Opp.Name, "opportunities")
	page.DaysInStage = int(time.Since(page.Opp.StageChangedAt).Hours() / 24)
	page.CanEdit = viewer.From(c).CanTouch("opportunities", "edit", page.Opp.OwnerID, page.Opp.TeamID)
	page.Custom = fields.Inlines("opportunities", id, page.Opp.Custom, page.CanEdit)
	h.R.HTML(c, http.StatusOK, "opportunities/show", page)
	return nil
}

// Delete removes an opportunity and its activities.
func (h *Handler) Delete(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var o store.GetOpportunityRow
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if o, err = db.Q.GetOpportunity(ctx, tx, id); err != nil {
			return err
		}
		if !viewer.From(c).CanTouch("opportunities", "delete", o.OwnerID, o.TeamID) {
			return render.Forbidden("Your role does not allow you to delete this opportunity.")
		}
		_, err := db.Q.DeleteOpportunity(ctx, tx, id)
		return err
	})
	if err != nil {
		return err
	}
	h.R.Flash(c, "Opportunity "+o.Name+" deleted.")
	render.Redirect(c, "/opportunities")
	return nil
}

// History is the record's history page (see record.History).
func (h *Handler) History() record.History {
	return record.History{R: h.R, Pool: h.Pool, Entity: "opportunities", Name: func(ctx context.Context, tx pgx.Tx, id int64) (string, error) {
		r, err := db.Q.GetOpportunity(ctx, tx, id)
		return r.Name, err
	}}
}

// Inline edits single fields of the record page in place (see record.InlineEditor).
func (h *Handler) Inline() record.InlineEditor {
	return record.InlineEditor{R: h.R, Pool: h.Pool, Entity: "opportunities", Constraints: constraints,
		Fields: map[string]string{"amount": "Amount", "close_date": "Close date", "lost_reason": "Lost reason"},
		Load: func(c *gin.Context, id int64) (map[string]string, bool, error) {
			var o store.GetOpportunityRow
			err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
				o, err = db.Q.GetOpportunity(ctx, tx, id)
				return err
			})
			return values(o), err == nil && viewer.From(c).CanTouch("opportunities", "edit", o.OwnerID, o.TeamID), err
		},
		SaveForm: func(c *gin.Context, id int64, f *form.Form) ([]store.ChangesSinceRow, error) {
			_, changes, err := h.save(c, id, f)
			return changes, err
		},
		Show: func(field string, v map[string]string) string {
			switch field {
			case "amount":
				return format.Amount(list.Numeric(strings.ReplaceAll(v["amount"], ",", "")), v["currency"])
			case "close_date":
				if d, err := time.Parse(time.DateOnly, v["close_date"]); err == nil {
					return format.Date(d)
				}
			}
			return ""
		},
	}
}
