// Package auth signs users in and out, with throttling of failed attempts.
package auth

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/password"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/middleware"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Throttling: after MaxFailures failed sign-ins within Window, for one account or from one
// address, further attempts are refused until the oldest failure leaves the window.
const (
	MaxFailures = 5
	Window      = 15 * time.Minute
)

// Handler serves /login and /logout.
type Handler struct {
	Pool     *pgxpool.Pool
	Sessions *scs.SessionManager
	R        *render.Renderer
}

// LoginPage is the view model of the sign-in form.
type LoginPage struct {
	render.Page
	Form    *form.Form
	Message string
	Next    string
}

// Show renders the sign-in form; a signed-in user goes straight on.
func (h *Handler) Show(c *gin.Context) {
	next := safeNext(c.Query("next"))
	if viewer.From(c) != nil {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	h.R.HTML(c, http.StatusOK, "login", LoginPage{Page: h.R.Page(c, "Sign in", ""), Form: form.New(nil), Next: next})
}

// Login checks the credentials and starts a new session.
func (h *Handler) Login(c *gin.Context) error {
	f := form.Parse(c, "email")
	pw := c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	page := LoginPage{Page: h.R.Page(c, "Sign in", ""), Form: f, Next: next}
	f.Required("email")
	if pw == "" {
		f.Fail("password", "Enter your password.")
	}
	if !f.Valid() {
		h.R.HTML(c, http.StatusUnprocessableEntity, "login", page)
		return nil
	}
	email, ip := strings.ToLower(f.Get("email")), c.ClientIP()
	ctx := c.Request.Context()

	var userID int64
	var version int32
	var status int
	err := db.InTx(ctx, h.Pool, db.Access{}, func(tx pgx.Tx) error {
		recent, err := db.Q.RecentLoginFailures(ctx, tx, store.RecentLoginFailuresParams{
			Email: email, Ip: ip, WindowSeconds: Window.Seconds(),
		})
		if err != nil {
			return err
		}
		if wait := throttled(recent); wait > 0 {
			status, page.Message = http.StatusTooManyRequests, fmt.Sprintf(
				"Too many failed sign-ins. Try again in %s, or ask your admin to reset your password.", minutes(wait))
			return nil
		}
		u, err := db.Q.GetLoginUser(ctx, tx, email)
		ok := false
		switch {
		case db.IsNoRows(err):
			password.CheckNothing(pw)
		case err != nil:
			return err
		default:
			if ok, err = password.Check(pw, u.PasswordHash); err != nil {
				return err
			}
		}
		if !ok {
			status, page.Message = http.StatusUnauthorized, "The email or password is not right. Check both and try again."
			return db.Q.RecordLoginFailure(ctx, tx, store.RecordLoginFailureParams{Email: email, Ip: ip})
		}
		if !u.Active {
			status, page.Message = http.StatusForbidden, "This account is deactivated. Ask your admin to reactivate it."
			return nil
		}
		userID, version = u.ID, u.SessionVersion
		return db.Q.ClearLoginFailures(ctx, tx, email)
	})
	if err != nil {
		return err
	}
	if userID == 0 {
		h.R.HTML(c, status, "login", page)
		return nil
	}
	// A new token at sign-in, so a session id planted before it is worthless.
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.Sessions.Put(ctx, middleware.SessionUserID, userID)
	h.Sessions.Put(ctx, middleware.SessionVersion, int(version))
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// Logout ends the session; the next one gets a new token.
func (h *Handler) Logout(c *gin.Context) error {
	ctx := c.Request.Context()
	if err := h.Sessions.Destroy(ctx); err != nil {
		return err
	}
	h.R.Flash(c, "You are signed out.")
	c.Redirect(http.StatusSeeOther, "/login")
	return nil
}

// throttled returns how long until another attempt is allowed, or 0.
func throttled(r store.RecentLoginFailuresRow) time.Duration {
	var wait time.Duration
	if r.ByEmail >= MaxFailures {
		wait = time.Until(r.OldestByEmail.Add(Window))
	}
	if r.ByIp >= MaxFailures {
		wait = max(wait, time.Until(r.OldestByIp.Add(Window)))
	}
	return max(wait, 0)
}

func minutes(d time.Duration) string {
	n := int(math.Ceil(d.Minutes()))
	if n <= 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// safeNext keeps redirects after sign-in on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
