// Package pipeline serves the pipeline board: a column per stage, cards to drag between them.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	move "github.com/crm-team/crm/internal/pipeline"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /pipeline.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// CardsPerColumn is how many cards a column shows before "show more".
const CardsPerColumn = 50

var spec = list.Spec{Path: "/pipeline", Sorts: []string{"position"}, Default: "position"}

// Board is the board page: the chosen pipeline's columns under the filters.
type Board struct {
	render.Page
	list.View
	PipelineID int64
	Pipelines  []form.Option
	Close      string // this_month, this_quarter, overdue, or "" (custom dates)
	Columns    []Column
}

// Column is one stage with its totals and first cards.
type Column struct {
	store.BoardColumnsRow
	Cards []Card
	More  string // where the next cards come from, if any
	Lazy  string // where a won or lost column's cards come from when it is opened
	OOB   bool   // swapped in by id, in the answer to a move
}

// Card is one opportunity on the board, with what its keyboard move form needs.
type Card struct {
	store.BoardCardsRow
	DaysInStage int
	Overdue     bool
	CanEdit     bool
	Stage       int64
	Stages      []form.Option
	Query       string
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
	return viewer.InTx(c, h.Pool, fn)
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
	stages := make([]form.Option, len(totals))
	for i, r := range totals {
		stages[i] = form.Option{Value: form.IDString(r.ID), Label: r.Name}
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
	cards, more, err := h.cards(ctx, tx, u, v, open, nil, stages)
	if err != nil {
		return nil, err
	}
	for i := range cols {
		cols[i].Cards, cols[i].More = cards[cols[i].ID], more[cols[i].ID]
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
func (h *Handler) cards(ctx context.Context, tx pgx.Tx, u *viewer.User, v view, stageIDs []int64, after *store.BoardCardsRow,
	stages []form.Option) (map[int64][]Card, map[int64]string, error) {
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
	query := v.query()
	for _, r := range rows {
		if len(cards[r.StageID]) == CardsPerColumn {
			last := cards[r.StageID][CardsPerColumn-1]
			more[r.StageID] = fmt.Sprintf("/pipeline/stages/%d/cards?after_id=%d&after=%s&%s", r.StageID, last.ID, form.Decimal(last.Position), query)
			continue
		}
		cards[r.StageID] = append(cards[r.StageID], Card{BoardCardsRow: r, DaysInStage: int(time.Since(r.StageChangedAt).Hours() / 24),
			Overdue: r.CloseDate.Time.Before(today), CanEdit: record.CanTouch(u, "opportunities", "edit", r.OwnerID, r.TeamID),
			Stage: r.StageID, Stages: stages, Query: query})
	}
	return cards, more, nil
}

func (h *Handler) params(u *viewer.User, v view) store.BoardCardsParams {
	f := u.Access.Filter("opportunities", "view")
	return store.BoardCardsParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID,
		Owner: list.OwnerID(v.Params, u.ID), Team: list.ID(v.Team), Q: list.Like(v.Q),
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
		stages, err := h.stageOptions(ctx, tx, s.PipelineID)
		if err != nil {
			return err
		}
		cards, more, err := h.cards(ctx, tx, u, v, []int64{stage}, after, stages)
		col.Cards, col.More = cards[stage], more[stage]
		return err
	})
	if err != nil {
		return err
	}
	h.R.Fragment(c, http.StatusOK, "pipeline/board", "more_cards", col)
	return nil
}

func (h *Handler) stageOptions(ctx context.Context, tx pgx.Tx, pipeline int64) ([]form.Option, error) {
	stages, err := db.Q.ListStages(ctx, tx, pipeline)
	var out []form.Option
	for _, s := range stages {
		out = append(out, form.Option{Value: form.IDString(s.ID), Label: s.Name})
	}
	return out, err
}

// MoveResult is the answer to a move: the redrawn columns (swapped in out of band) and, when
// the move was refused, why.
type MoveResult struct {
	Columns []Column
	Message string
}

// Move moves a card (dragged, or chosen with the keyboard form) and answers the columns it
// left and joined, redrawn with their totals. A refused move answers the same columns as the
// database has them, so the card goes back, with a message.
func (h *Handler) Move(c *gin.Context) error {
	u := viewer.From(c)
	f := form.Parse(c, "id", "version", "stage_id", "above_id", "below_id", "lost_reason", "view")
	version, _ := f.Int("version", 1, 1<<31-1)
	m := move.Move{ID: f.ID("id"), Version: int32(version), StageID: f.ID("stage_id"), AboveID: f.ID("above_id"),
		BelowID: f.ID("below_id"), LostReason: f.Get("lost_reason")}
	query, _ := url.ParseQuery(f.Get("view"))
	v := parseView(query)

	var result move.Result
	status, message := http.StatusOK, ""
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		result, err = move.Apply(ctx, tx, m)
		return err
	})
	switch {
	case err == nil:
	case errors.Is(err, move.ErrStale):
		status, message = http.StatusConflict, "Someone changed this deal since you loaded the board; it is back where it is now."
	case errors.Is(err, move.ErrNeedReason):
		status, message = http.StatusUnprocessableEntity, "Say why the deal was lost to move it there."
	case errors.Is(err, move.ErrOtherPipeline):
		status, message = http.StatusUnprocessableEntity, "That stage belongs to another pipeline."
	case db.IsNoRows(err):
		status, message = http.StatusNotFound, render.NotFound().Error()
		if h.visible(c, m.ID) {
			status, message = http.StatusForbidden, "Your role does not allow you to move this deal."
		}
	default:
		return err
	}
	if !render.IsHTMX(c) {
		if message == "" {
			message = "Deal moved."
		}
		h.R.Flash(c, message)
		render.Redirect(c, "/pipeline?"+v.query())
		return nil
	}
	only := map[int64]bool{result.FromStage: true, result.ToStage: true}
	var res MoveResult
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if v.pipeline == 0 {
			if s, err := db.Q.GetStage(ctx, tx, m.StageID); err == nil {
				v.pipeline = s.PipelineID
			}
		}
		res.Columns, err = h.columns(ctx, tx, u, v, only)
		return err
	})
	if err != nil {
		return err
	}
	res.Message = message
	if message != "" {
		c.Header("HX-Trigger", fmt.Sprintf(`{"crm:toast":{"message":%q}}`, message))
	}
	h.R.Fragment(c, status, "pipeline/board", "moved", res)
	return nil
}

func (h *Handler) visible(c *gin.Context, id int64) bool {
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		_, err := db.Q.GetOpportunity(ctx, tx, id)
		return err
	})
	return err == nil
}
