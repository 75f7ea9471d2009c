package admin

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/render"
)

// HistoryPage browses all record history, newest first, narrowed by user, record type, field
// and days; deleted records' history included.
type HistoryPage struct {
	render.Page
	Filter   url.Values
	Users    []form.Option
	Entities []form.Option
	Rows     []store.BrowseHistoryRow
	Older    string
}

var historyEntities = append([]form.Option{{Value: "", Label: "Any record type"}}, append(fieldEntities, form.Option{Value: "activities", Label: "Activities"})...)

const historyPage = 100

// History lists history entries by the query's filters.
func (h *Handler) History(c *gin.Context) error {
	q := c.Request.URL.Query()
	p := store.BrowseHistoryParams{UserID: list.ID(q.Get("user")), Since: list.Date(q.Get("since")), Until: list.Date(q.Get("until")),
		Before: list.ID(q.Get("before")), Lim: historyPage + 1}
	if e := q.Get("entity"); optionAllowed(historyEntities, e) && e != "" {
		p.Entity = store.NullPermEntity{PermEntity: store.PermEntity(e), Valid: true}
	}
	if f := q.Get("field"); f != "" && len(f) <= 60 {
		p.Field = &f
	}
	page := HistoryPage{Page: h.R.Page(c, "History", "admin"), Filter: q, Entities: historyEntities}
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		choices, err := db.Q.ListFilterChoices(ctx, tx)
		if err != nil {
			return err
		}
		page.Users = []form.Option{{Value: "", Label: "Anyone"}}
		for _, ch := range choices {
			if ch.Kind != "team" {
				page.Users = append(page.Users, form.Option{Value: form.IDString(ch.ID), Label: ch.Name})
			}
		}
		page.Rows, err = db.Q.BrowseHistory(ctx, tx, p)
		return err
	})
	if err != nil {
		return err
	}
	if len(page.Rows) > historyPage {
		page.Rows = page.Rows[:historyPage]
		older := url.Values{}
		for k, v := range q {
			older[k] = v
		}
		older.Set("before", strconv.FormatInt(page.Rows[historyPage-1].ID, 10))
		page.Older = "/admin/history?" + older.Encode()
	}
	h.R.HTML(c, http.StatusOK, "admin/history", page)
	return nil
}

func optionAllowed(opts []form.Option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}
