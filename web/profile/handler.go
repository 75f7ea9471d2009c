// Package profile serves /profile: the signed-in user's own name, time zone and password.
package profile

import (
	"context"
	"net/http"
	"slices"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/password"
	"github.com/crm-team/crm/web/form"
	mw "github.com/crm-team/crm/web/middleware"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /profile.
type Handler struct {
	Pool     *pgxpool.Pool
	Sessions *scs.SessionManager
	R        *render.Renderer
}

// Page is the profile: the details form and the password form, each with its own messages.
type Page struct {
	render.Page
	Form, Password *form.Form
	TimeZones      []form.Option
}

// Show renders the profile with the user's details.
func (h *Handler) Show(c *gin.Context) error {
	u := viewer.From(c)
	return h.page(c, http.StatusOK, form.New(map[string]string{"name": u.Name, "time_zone": u.TimeZone}), nil)
}

func (h *Handler) page(c *gin.Context, status int, f, pf *form.Form) error {
	if pf == nil {
		pf = form.New(nil)
	}
	h.R.HTML(c, status, "profile/show", Page{Page: h.R.Page(c, "Your profile", "profile"),
		Form: f.Need("name", "time_zone"), Password: pf.Need("current_password", "new_password", "confirm_password"),
		TimeZones: form.Plain(viewer.TimeZones)})
	return nil
}

// Update saves the user's name and time zone.
func (h *Handler) Update(c *gin.Context) error {
	f := form.Parse(c, "name", "time_zone")
	f.Required("name", "time_zone")
	f.MaxLength("name", 120)
	if !slices.Contains(viewer.TimeZones, f.Get("time_zone")) {
		f.Fail("time_zone", "Choose a time zone from the list.")
	}
	if !f.Valid() {
		return h.page(c, http.StatusUnprocessableEntity, f, nil)
	}
	var updated bool
	err := viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		updated, err = db.Q.UpdateOwnProfile(ctx, tx, store.UpdateOwnProfileParams{Name: f.Get("name"), TimeZone: f.Get("time_zone")})
		return err
	})
	if err != nil {
		return err
	}
	if !updated {
		return render.Forbidden("Your account is no longer active.")
	}
	h.R.Flash(c, "Saved. Dates and due days now follow "+f.Get("time_zone")+".")
	render.Redirect(c, "/profile")
	return nil
}

// ChangePassword sets a new password after checking the current one. Every other session of
// the user is signed out; this one carries on, under a new token.
func (h *Handler) ChangePassword(c *gin.Context) error {
	u := viewer.From(c)
	ctx := c.Request.Context()
	pf := form.Parse(c, "current_password", "new_password", "confirm_password")
	pf.Required("current_password", "new_password", "confirm_password")
	if n := len([]rune(pf.Get("new_password"))); n > 0 && n < password.MinLength {
		pf.Fail("new_password", "Use at least 10 characters.")
	}
	if pf.Get("confirm_password") != pf.Get("new_password") {
		pf.Fail("confirm_password", "This does not match the new password.")
	}
	if pf.Valid() {
		var login store.GetLoginUserRow
		err := viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
			login, err = db.Q.GetLoginUser(ctx, tx, u.Email)
			return err
		})
		if err != nil {
			return err
		}
		ok, err := password.CheckWithin(ctx, pf.Get("current_password"), login.PasswordHash, true)
		if err != nil {
			return err
		}
		if !ok {
			pf.Fail("current_password", "This is not your current password.")
		}
	}
	if !pf.Valid() {
		clear(pf.Values) // passwords are never sent back
		return h.page(c, http.StatusUnprocessableEntity, form.New(map[string]string{"name": u.Name, "time_zone": u.TimeZone}), pf)
	}
	hash, err := password.HashWithin(ctx, pf.Get("new_password"))
	if err != nil {
		return err
	}
	var version int32
	if err := viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		version, err = db.Q.ChangeOwnPassword(ctx, tx, hash)
		return err
	}); err != nil {
		return err
	}
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.Sessions.Put(ctx, mw.SessionVersion, int(version))
	h.R.Flash(c, "Password changed. You were signed out everywhere else.")
	render.Redirect(c, "/profile")
	return nil
}
