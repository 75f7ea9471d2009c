package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	move "github.com/crm-team/crm/internal/pipeline"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// MovePage moves one deal by keyboard, or without JavaScript: the stage, and why it was lost.
type MovePage struct {
	render.Page
	Deal    store.GetOpportunityRow
	Stages  []store.ListStageChoicesRow // of the deal's pipeline
	Form    *form.Form
	Message string
	Back    string // the board, with the filters it was opened with
}

// MoveResult is the answer to a drop: the redrawn columns (swapped in out of band) and, when the
// move was refused, why.
type MoveResult struct {
	Columns []Column
	Message string
}

var moveFields = []string{"id", "version", "stage_id", "above_id", "below_id", "lost_reason", "view", "from"}

// MoveForm shows the move page of the deal in ?id=, with the stage in ?stage_id= chosen; from=deal
// when it was opened from the deal's page, which it then goes back to.
func (h *Handler) MoveForm(c *gin.Context) error {
	f := form.New(map[string]string{"id": c.Query("id"), "view": c.Query("view"), "stage_id": c.Query("stage_id"), "from": c.Query("from")})
	return h.movePage(c, http.StatusOK, f, "")
}

// back is where a move made outside the board goes: the deal's page, or the board as it was.
func back(f *form.Form) string {
	if f.Get("from") == "deal" {
		return fmt.Sprintf("/opportunities/%d", f.ID("id"))
	}
	if v := parseView(query(f)).query(); v != "" {
		return "/pipeline?" + v
	}
	return "/pipeline"
}

func (h *Handler) movePage(c *gin.Context, status int, f *form.Form, message string) error {
	page := MovePage{Form: f, Message: message, Back: back(f)}
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Deal, err = db.Q.GetOpportunity(ctx, tx, f.ID("id")); err != nil {
			return err
		}
		stages, err := db.Q.ListStageChoices(ctx, tx)
		for _, s := range stages {
			if s.PipelineID == page.Deal.PipelineID {
				page.Stages = append(page.Stages, s)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if !viewer.From(c).CanTouch("opportunities", "edit", page.Deal.OwnerID, page.Deal.TeamID) {
		return render.Forbidden("Your role does not allow you to move this deal.")
	}
	if f.Get("stage_id") == "" {
		f.Values["stage_id"] = form.IDString(page.Deal.StageID)
	}
	f.Values["version"] = form.IDString(int64(page.Deal.Version)) // a stale form moves what is there now
	page.Page = h.R.Page(c, "Move "+page.Deal.Name, "pipeline")
	h.R.HTML(c, status, "pipeline/move", page)
	return nil
}

// Move moves a card, dropped on the board or chosen on the move page. A drop (HTMX) is answered
// with the columns it left and joined, redrawn with their totals; a refused drop answers the same
// columns as the database has them, so the card goes back, with a message. The move page goes
// back to the board, or shows again with what went wrong.
func (h *Handler) Move(c *gin.Context) error {
	f := form.Parse(c, moveFields...)
	version, _ := f.Int("version", 1, 1<<31-1)
	m := move.Move{ID: f.ID("id"), Version: int32(version), StageID: f.ID("stage_id"), AboveID: f.ID("above_id"),
		BelowID: f.ID("below_id"), LostReason: f.Get("lost_reason")}
	v := parseView(query(f))

	var result move.Result
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		result, err = move.Apply(ctx, tx, m)
		return err
	})
	status, message := http.StatusOK, ""
	switch {
	case err == nil:
	case errors.Is(err, move.ErrStale):
		status, message = http.StatusConflict, "Someone changed this deal since you loaded the board; it is back where it is now."
	case errors.Is(err, move.ErrNeedReason):
		status, message = http.StatusUnprocessableEntity, "Say why the deal was lost to move it there."
		f.Fail("lost_reason", message)
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
		switch status {
		case http.StatusOK:
			h.R.Flash(c, "Moved to "+result.StageName+".")
			render.Redirect(c, back(f))
			return nil
		case http.StatusConflict, http.StatusUnprocessableEntity:
			return h.movePage(c, status, f, message)
		}
		return &render.HTTPError{Status: status, Message: message}
	}
	only := map[int64]bool{result.FromStage: true, result.ToStage: true}
	res := MoveResult{Message: message}
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if v.pipeline == 0 {
			if s, err := db.Q.GetStage(ctx, tx, m.StageID); err == nil {
				v.pipeline = s.PipelineID
			}
		}
		res.Columns, err = h.columns(ctx, tx, viewer.From(c), v, only)
		return err
	})
	if err != nil {
		return err
	}
	if message != "" {
		c.Header("HX-Trigger", fmt.Sprintf(`{"crm:toast":{"message":%q}}`, message))
	}
	h.R.Fragment(c, status, "pipeline/board", "moved", res)
	return nil
}

// query is the board's filters that a move form carries in its "view" field.
func query(f *form.Form) url.Values {
	q, _ := url.ParseQuery(f.Get("view"))
	return q
}

func (h *Handler) visible(c *gin.Context, id int64) bool {
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		_, err := db.Q.GetOpportunity(ctx, tx, id)
		return err
	})
	return err == nil
}
