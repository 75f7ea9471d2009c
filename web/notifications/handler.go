// Package notifications serves the bell and /notifications: what the CRM told the user, marked
// read one by one or all at once, and which kinds they want.
package notifications

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /notifications.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// Kinds are the notifications a user can switch on or off, with what they are.
var Kinds = []Kind{
	{Value: store.NotificationKindMention, Label: "Someone mentions me in a note (@First Last)"},
	{Value: store.NotificationKindTaskAssigned, Label: "Someone gives me a task"},
	{Value: store.NotificationKindAutomation, Label: "An automation tells me something"},
}

// Kind is one kind of notification and whether the user gets it.
type Kind struct {
	Value store.NotificationKind
	Label string
	InApp bool
}

// Page lists the user's notifications and their choices.
type Page struct {
	render.Page
	Rows   []store.ListNotificationsRow
	Unread int64
	Kinds  []Kind
}

// Bell is the navigation's bell: the unread count, asked for again every minute.
type Bell struct{ Unread int64 }

func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTx(c, h.Pool, fn)
}

// Bell answers the bell with the unread count.
func (h *Handler) Bell(c *gin.Context) error {
	var b Bell
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		b.Unread, err = db.Q.UnreadNotifications(ctx, tx, viewer.From(c).ID)
		return err
	}); err != nil {
		return err
	}
	h.R.Fragment(c, http.StatusOK, "notifications/list", "bell", b)
	return nil
}

// List shows the notifications, newest first, and the kinds the user gets.
func (h *Handler) List(c *gin.Context) error {
	u := viewer.From(c)
	page := Page{Page: h.R.Page(c, "Notifications", "notifications")}
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if page.Rows, err = db.Q.ListNotifications(ctx, tx, u.ID); err != nil {
			return err
		}
		if page.Unread, err = db.Q.UnreadNotifications(ctx, tx, u.ID); err != nil {
			return err
		}
		prefs, err := db.Q.NotificationPrefs(ctx, tx, u.ID)
		for _, k := range Kinds {
			k.InApp = true
			for _, p := range prefs {
				if p.Kind == k.Value {
					k.InApp = p.InApp
				}
			}
			page.Kinds = append(page.Kinds, k)
		}
		return err
	})
	if err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "notifications/list", page)
	return nil
}

// Open marks a notification read and goes to its record.
func (h *Handler) Open(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var to store.ReadNotificationRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		to, err = db.Q.ReadNotification(ctx, tx, store.ReadNotificationParams{ID: id, UserID: viewer.From(c).ID})
		return err
	}); err != nil {
		return err
	}
	if to.Entity == store.PermEntityActivities {
		c.Redirect(http.StatusSeeOther, "/activities") // a task's notice opens the assignee's tasks
		return nil
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/%s/%d", to.Entity, to.RecordID))
	return nil
}

// ReadAll marks every notification read.
func (h *Handler) ReadAll(c *gin.Context) error {
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		_, err := db.Q.ReadAllNotifications(ctx, tx, viewer.From(c).ID)
		return err
	}); err != nil {
		return err
	}
	h.R.Flash(c, "All notifications marked read.")
	render.Redirect(c, "/notifications")
	return nil
}

// Prefs saves, kind by kind, whether the user gets notifications in the app.
func (h *Handler) Prefs(c *gin.Context) error {
	u := viewer.From(c)
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		for _, k := range Kinds {
			if err := db.Q.SetNotificationPref(ctx, tx, store.SetNotificationPrefParams{UserID: u.ID, Kind: k.Value,
				InApp: c.PostForm(string(k.Value)) != "none"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	h.R.Flash(c, "Your choices are saved.")
	render.Redirect(c, "/notifications")
	return nil
}
