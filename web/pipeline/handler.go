// Package pipeline serves the pipeline board: a column per stage, cards to drag between them.
package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /pipeline.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// CardsPerColumn is how many cards a column shows before "show more": a screenful or two, so the
// board draws fast however many deals a stage holds.
const CardsPerColumn = 25

var spec = list.Spec{Path: "/pipeline", Sorts: []string{"position"}, Default: "position"}

// Board is the board page: the chosen pipeline's columns under the filters.
type Board struct {
	render.Page
	list.View
	PipelineID int64
	Pipelines  []form.Option
	Close      string // this_month, this_quarter, overdue, or "" (custom dates)
	Columns    []Column
	Query      string // the filters, which the board's one move form sends along with each drop
}

// Column is one stage with its totals and first cards.
type Column struct {
	store.BoardColumnsRow
	Cards []Card
	More  string // where the next cards come from, if any
	Lazy  string // where a won or lost column's cards come from when it is opened
	OOB   bool   // swapped in by id, in the answer to a move
}

// Card is one opportunity on the board.
type Card struct {
	store.BoardCardsRow
	Next        format.Next
	Open        bool // in an open stage, where a deal without a next step is a warning
	DaysInStage int
	Overdue     bool
	CanEdit     bool
	View        string // the board's filters, for the keyboard move page to come back to
}

// view is a board's filters, as the board URL or a move form carries them.
type view struct {
	list.Params
	pipeline int64
	close    string
}

func parseView(q url.Values) view {
	v := view{Params: list.ParseValues(q, spec), close: q.Get("close")}
	v.pipeline = form.ParseID(q.Get("pipeline"))
	now := time.Now()
	y, m, _ := now.Date()
	switch v.close {
	case "this_month":
		v.CloseFrom = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		v.CloseTo = time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	case "this_quarter":
		first := time.Month((int(m)-1)/3*3 + 1)
		v.CloseFrom = time.Date(y, first, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		v.CloseTo = time.Date(y, first+3, 0, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	case "overdue":
		v.CloseFrom, v.CloseTo = "", now.AddDate(0, 0, -1).Format(time.DateOnly)
	default:
		v.close = ""
	}
	return v
}

// query is the view as a query string.
func (v view) query() string {
	q := v.Values()
	if v.pipeline != 0 {
		q.Set("pipeline", form.IDString(v.pipeline))
	}
	if v.close != "" {
		q.Set("close", v.close)
		q.Del("close_from")
		q.Del("close_to")
	}
	return q.Encode()
}

func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTxCustomPlans(c, h.Pool, fn)
}

// Show renders the board.
func (h *Handler) Show(c *gin.Context) error {
	v := parseView(c.Request.URL.Query())
	u := viewer.From(c)
	page := Board{Page: h.R.Page(c, "Pipeline", "pipeline"), Close: v.close}
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		pipelines, err := db.Q.ListPipelines(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range pipelines {
			page.Pipelines = append(page.Pipelines, form.Option{Value: form.IDString(p.ID), Label: p.Name})
			if v.pipeline == p.ID || (v.pipeline == 0 && p.IsDefault) {
				page.PipelineID = p.ID
			}
		}
		if page.PipelineID == 0 && len(pipelines) > 0 {
			page.PipelineID = pipelines[0].ID
		}
		v.pipeline = page.PipelineID
		if page.Columns, err = h.columns(ctx, tx, u, v, nil); err != nil {
			return err
		}
		page.View, err = list.NewView(ctx, tx, u, v.Params, 0, false, 0)
		return err
	})
	if err != nil {
		return err
	}
	page.Query = v.query()
	h.R.HTML(c, http.StatusOK, "pipeline/board", page)
	return nil
}

// columns loads the totals of every stage of the view's pipeline, and the first cards of the
// open stages in only (all when only is nil). Won and lost columns load their cards when opened.
func (h *Handler) columns(ctx context.Context, tx pgx.Tx, u *viewer.User, v view, only map[int64]bool) ([]Column, error) {
	totals, err := h.totals(ctx, tx, u, v)
	if err != nil {
		return nil, err
	}
	var cols []Column
	var open []int64
	for _, r := range totals {
		if only != nil && !only[r.ID] {
			continue
		}
		col := Column{BoardColumnsRow: r, OOB: only != nil}
		if r.Kind == store.StageKindOpen {
			open = append(open, r.ID)
		} else if r.Deals > 0 {
			col.Lazy = fmt.Sprintf("/pipeline/stages/%d/cards?%s", r.ID, v.query())
		}
		cols = append(cols, col)
	}
	cards, more, err := h.cards(ctx, tx, u, v, open, nil)
	if err != nil {
		return nil, err
	}
	for i := range cols {
		cols[i].Cards, cols[i].More = cards[cols[i].ID], more[cols[i].ID]
		for j := range cols[i].Cards {
			cols[i].Cards[j].Open = true
		}
	}
	return cols, nil
}

// totals are the stage columns' counts and sums: from the kept counts unless the view is
// filtered by what they do not keep (search, close dates, amounts).
func (h *Handler) totals(ctx context.Context, tx pgx.Tx, u *viewer.User, v view) ([]store.BoardColumnsRow, error) {
	p := h.params(u, v)
	if v.Q == "" && v.CloseFrom == "" && v.CloseTo == "" && v.AmountMin == "" && v.AmountMax == "" {
		rows, err := db.Q.BoardTotals(ctx, tx, store.BoardTotalsParams{PipelineID: v.pipeline, SeeAll: p.SeeAll, OwnID: p.OwnID,
			TeamID: p.TeamID, Owner: p.Owner, Team: p.Team})
		out := make([]store.BoardColumnsRow, len(rows))
		for i, r := range rows {
			out[i] = store.BoardColumnsRow(r)
		}
		return out, err
	}
	return db.Q.BoardColumns(ctx, tx, store.BoardColumnsParams{PipelineID: v.pipeline, SeeAll: p.SeeAll, OwnID: p.OwnID,
		TeamID: p.TeamID, Owner: p.Owner, Team: p.Team, Q: p.Q, CloseFrom: p.CloseFrom, CloseTo: p.CloseTo,
		AmountMin: p.AmountMin, AmountMax: p.AmountMax})
}

// cards loads a page of cards of each stage in one query (after a card, for "show more" of one
// column), and for each column with more cards the address of the next page.
func (h *Handler) cards(ctx context.Context, tx pgx.Tx, u *viewer.User, v view, stageIDs []int64, after *store.BoardCardsRow) (map[int64][]Card, map[int64]string, error) {
	cards, more := map[int64][]Card{}, map[int64]string{}
	if len(stageIDs) == 0 {
		return cards, more, nil
	}
	p := h.params(u, v)
	p.StageIds, p.Lim = stageIDs, CardsPerColumn+1
	if after != nil {
		p.AfterID, p.AfterPosition = &after.ID, after.Position
	}
	rows, err := db.Q.BoardCards(ctx, tx, p)
	if err != nil {
		return nil, nil, err
	}
	today := time.Now().Truncate(24 * time.Hour)
	loc := u.Location()
	query := v.query()
	for _, r := range rows {
		if len(cards[r.StageID]) == CardsPerColumn {
			last := cards[r.StageID][CardsPerColumn-1]
			more[r.StageID] = fmt.Sprintf("/pipeline/stages/%d/cards?after_id=%d&after=%s&%s", r.StageID, last.ID, form.Decimal(last.Position), query)
			continue
		}
		cards[r.StageID] = append(cards[r.StageID], Card{BoardCardsRow: r, DaysInStage: int(time.Since(r.StageChangedAt).Hours() / 24),
			Next:    format.NextStep(r.NextSubject, r.NextType, r.NextAt, loc),
			Overdue: r.CloseDate.Time.Before(today), CanEdit: u.CanTouch("opportunities", "edit", r.OwnerID, r.TeamID),
			View: query})
	}
	return cards, more, nil
}

func (h *Handler) params(u *viewer.User, v view) store.BoardCardsParams {
	f := u.Access.Filter("opportunities", "view")
	return store.BoardCardsParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID,
		Owner: list.OwnerID(v.Params, u.ID), Team: list.ID(v.Team), Q: list.Text(v.Q),
		CloseFrom: list.Date(v.CloseFrom), CloseTo: list.Date(v.CloseTo),
		AmountMin: list.Numeric(v.AmountMin), AmountMax: list.Numeric(v.AmountMax)}
}

// More answers "show more" of a column (after a card), and the first cards of a won or lost
// column when it is opened: the cards and, if any remain, a new "show more" button.
func (h *Handler) More(c *gin.Context) error {
	stage, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	v := parseView(c.Request.URL.Query())
	u := viewer.From(c)
	var after *store.BoardCardsRow
	if c.Query("after_id") != "" {
		after = &store.BoardCardsRow{ID: form.ParseID(c.Query("after_id")), Position: list.Numeric(c.Query("after"))}
		if after.ID == 0 || !after.Position.Valid {
			return render.NotFound()
		}
	}
	var col Column
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		s, err := db.Q.GetStage(ctx, tx, stage)
		if err != nil {
			return err
		}
		v.pipeline = s.PipelineID
		col.ID = s.ID
		cards, more, err := h.cards(ctx, tx, u, v, []int64{stage}, after)
		col.Cards, col.More = cards[stage], more[stage]
		return err
	})
	if err != nil {
		return err
	}
	h.R.Fragment(c, http.StatusOK, "pipeline/board", "more_cards", col)
	return nil
}
