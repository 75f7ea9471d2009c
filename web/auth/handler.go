// Package auth signs users in and out, with throttling of failed attempts.
package auth

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/password"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/middleware"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Throttling counts failed sign-ins within the last hour. Past a threshold each further attempt
// must wait longer after the one before: FirstWait, doubling, at most MaxWait. Failures count
// per account from one address (a few, so a guesser is slowed at once), per address over all
// accounts (a sprayer), and per account from anywhere (many, so that others' guesses do not
// lock a user out of their own account).
const (
	PairFailures    = 5
	AddressFailures = 20
	AccountFailures = 50
	FirstWait       = 30 * time.Second
	MaxWait         = 15 * time.Minute
	// MaxPassword is the longest password read: a hash of a megabyte is a cheap way to burn CPU.
	MaxPassword = 1000
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

// Login checks the credentials and starts a new session. The attempt is counted before the
// password is checked, so parallel guesses cannot all pass the throttle; the check runs outside
// any transaction and at most one per CPU at a time.
func (h *Handler) Login(c *gin.Context) error {
	f := form.Parse(c, "email")
	pw := c.PostForm("password")
	next := safeNext(c.PostForm("next"))
	page := LoginPage{Page: h.R.Page(c, "Sign in", ""), Form: f, Next: next}
	f.Required("email")
	if pw == "" {
		f.Fail("password", "Enter your password.")
	} else if len(pw) > MaxPassword {
		f.Fail("password", fmt.Sprintf("Passwords are at most %d characters.", MaxPassword))
	}
	if !f.Valid() {
		h.R.HTML(c, http.StatusUnprocessableEntity, "login", page)
		return nil
	}
	email, ip := strings.ToLower(f.Get("email")), c.ClientIP()
	ctx := c.Request.Context()

	wait, err := h.countAttempt(ctx, email, ip)
	if err != nil {
		return err
	}
	if wait > 0 {
		page.Message = fmt.Sprintf("Too many failed sign-ins. Try again in %s, or ask your admin to reset your password.", waitText(wait))
		h.R.HTML(c, http.StatusTooManyRequests, "login", page)
		return nil
	}
	u, err := db.Q.GetLoginUser(ctx, h.Pool, email)
	known := err == nil
	if err != nil && !db.IsNoRows(err) {
		return err
	}
	ok, err := password.CheckWithin(ctx, pw, u.PasswordHash, known)
	if err != nil {
		return err
	}
	if !ok {
		page.Message = "The email or password is not right. Check both and try again."
		h.R.HTML(c, http.StatusUnauthorized, "login", page)
		return nil
	}
	if err := db.Q.ClearLoginFailures(ctx, h.Pool, store.ClearLoginFailuresParams{Email: email, Ip: ip}); err != nil {
		return err
	}
	if !u.Active {
		page.Message = "This account is deactivated. Ask your admin to reactivate it."
		h.R.HTML(c, http.StatusForbidden, "login", page)
		return nil
	}
	// A new token at sign-in, so a session id planted before it is worthless.
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.Sessions.Put(ctx, middleware.SessionUserID, u.ID)
	h.Sessions.Put(ctx, middleware.SessionVersion, int(u.SessionVersion))
	c.Redirect(http.StatusSeeOther, next)
	return nil
}

// countAttempt records the attempt and says how long it must wait; a throttled attempt is taken
// back, so that waiting, not retrying, is what lets a user in again.
func (h *Handler) countAttempt(ctx context.Context, email, ip string) (time.Duration, error) {
	attempt, err := db.Q.RecordLoginAttempt(ctx, h.Pool, store.RecordLoginAttemptParams{Email: email, Ip: ip})
	if err != nil {
		return 0, err
	}
	prior, err := db.Q.PriorLoginFailures(ctx, h.Pool, store.PriorLoginFailuresParams{Email: email, Ip: ip, AttemptID: attempt})
	if err != nil {
		return 0, err
	}
	wait := max(waitAfter(prior.Pair, PairFailures, prior.PairLast), waitAfter(prior.ByIp, AddressFailures, prior.IpLast),
		waitAfter(prior.ByEmail, AccountFailures, prior.EmailLast))
	if wait > 0 {
		err = db.Q.ForgetLoginAttempt(ctx, h.Pool, attempt)
	}
	return wait, err
}

// waitAfter is how long an attempt must still wait after earlier failures (the latest at last)
// when threshold of them are allowed freely.
func waitAfter(failures, threshold int64, last time.Time) time.Duration {
	if failures < threshold {
		return 0
	}
	gap := FirstWait << min(failures-threshold, 10)
	gap = min(gap, MaxWait)
	return max(time.Until(last.Add(gap)), 0)
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

// waitText says how long to wait: "40 seconds", "1 minute", "12 minutes".
func waitText(d time.Duration) string {
	if secs := int(math.Ceil(d.Seconds())); secs < 60 {
		return fmt.Sprintf("%d seconds", secs)
	}
	n := int(math.Ceil(d.Minutes()))
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}

// safeNext keeps redirects after sign-in on this site: a path, with no scheme or host, no
// backslash (browsers read one as a slash) and no control character (browsers drop tabs and
// newlines, so "/\t/evil.example" becomes "//evil.example").
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.ContainsAny(next, "\\") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}
