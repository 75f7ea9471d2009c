package record

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// History serves a record's full history (/{entity}/{id}/history): every change with who made it
// and when, creation, merges and conversion included, a page at a time.
type History struct {
	R      *render.Renderer
	Pool   *pgxpool.Pool
	Entity string
	// Name is the record's name, for a record the user may see.
	Name func(ctx context.Context, tx pgx.Tx, id int64) (string, error)
}

// HistoryPage is one page of a record's history.
type HistoryPage struct {
	render.Page
	Entity, Name string
	ID           int64
	Rows         []store.RecordHistoryRow
	Older        string // the next page, when there is one
}

const historyPage = 50

// Show renders the history page.
func (h History) Show(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var before *int64
	if n, err := strconv.ParseInt(c.Query("before"), 10, 64); err == nil && n > 0 {
		before = &n
	}
	page := HistoryPage{Entity: h.Entity, ID: id}
	err = viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Name, err = h.Name(ctx, tx, id); err != nil {
			return err
		}
		page.Rows, err = db.Q.RecordHistory(ctx, tx, store.RecordHistoryParams{Entity: store.PermEntity(h.Entity), RecordID: id,
			Before: before, Lim: historyPage + 1})
		return err
	})
	if err != nil {
		return err
	}
	if len(page.Rows) > historyPage {
		page.Rows = page.Rows[:historyPage]
		page.Older = "?before=" + strconv.FormatInt(page.Rows[historyPage-1].ID, 10)
	}
	page.Page = h.R.Page(c, "History of "+page.Name, h.Entity)
	h.R.HTML(c, http.StatusOK, "history", page)
	return nil
}
