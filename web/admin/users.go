package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/password"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// UsersPage lists every user.
type UsersPage struct {
	render.Page
	Users []store.ListUsersRow
}

// UserFormPage is the new-user and edit-user form, and the password reset form.
type UserFormPage struct {
	render.Page
	ID        int64 // 0 for a new user
	Form      *form.Form
	Password  *form.Form
	Roles     []form.Option
	Teams     []form.Option
	TimeZones []form.Option
}

var userFields = []string{"name", "email", "role_id", "team_id", "time_zone", "active"}

var userConstraints = map[string]form.Constraint{
	"users_email_key":      {Field: "email", Message: "This email address is already in use."},
	"users_email_format":   {Field: "email", Message: "Enter an email address like name@example.com."},
	"users_name_not_blank": {Field: "name", Message: "This field is required."},
	"users_role_id_fkey":   {Field: "role_id", Message: "That role no longer exists; choose another."},
	"users_team_id_fkey":   {Field: "team_id", Message: "That team no longer exists; choose another."},
}

// Users lists users.
func (h *Handler) Users(c *gin.Context) error {
	page := UsersPage{Page: h.R.Page(c, "Users", "admin")}
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Users, err = db.Q.ListUsers(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	h.R.HTML(c, http.StatusOK, "admin/users", page)
	return nil
}

// NewUser shows an empty user form.
func (h *Handler) NewUser(c *gin.Context) error {
	return h.userForm(c, http.StatusOK, 0, form.New(map[string]string{"time_zone": "UTC", "active": "on"}), nil)
}

// EditUser shows a user's form.
func (h *Handler) EditUser(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var u store.GetUserRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		u, err = db.Q.GetUser(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	f := form.New(map[string]string{"name": u.Name, "email": u.Email, "role_id": form.IDString(u.RoleID),
		"time_zone": u.TimeZone, "active": checkbox(u.Active)})
	if u.TeamID != nil {
		f.Values["team_id"] = form.IDString(*u.TeamID)
	}
	return h.userForm(c, http.StatusOK, id, f, nil)
}

// CreateUser saves a new user.
func (h *Handler) CreateUser(c *gin.Context) error {
	f := form.Parse(c, append(userFields, "password")...)
	validateUser(f)
	validatePassword(f, "password")
	if !f.Valid() {
		return h.userForm(c, http.StatusUnprocessableEntity, 0, f, nil)
	}
	hash, err := password.HashWithin(c.Request.Context(), f.Get("password"))
	if err != nil {
		return err
	}
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		_, err := db.Q.CreateUser(ctx, tx, store.CreateUserParams{Email: f.Get("email"), Name: f.Get("name"),
			RoleID: f.ID("role_id"), TeamID: optionalID(f.ID("team_id")), PasswordHash: hash, TimeZone: f.Get("time_zone")})
		return err
	})
	if f.FromDB(err, userConstraints) {
		return h.userForm(c, http.StatusUnprocessableEntity, 0, f, nil)
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "User "+f.Get("name")+" created. They can sign in with the password you set.")
	render.Redirect(c, "/admin/users")
	return nil
}

// UpdateUser saves a user's details. The last active admin cannot be demoted or deactivated.
func (h *Handler) UpdateUser(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	f := form.Parse(c, userFields...)
	validateUser(f)
	if !f.Valid() {
		return h.userForm(c, http.StatusUnprocessableEntity, id, f, nil)
	}
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		n, err := db.Q.UpdateUser(ctx, tx, store.UpdateUserParams{ID: id, Email: f.Get("email"), Name: f.Get("name"),
			RoleID: f.ID("role_id"), TeamID: optionalID(f.ID("team_id")), TimeZone: f.Get("time_zone"), Active: f.Get("active") == "on"})
		if err != nil {
			return err
		}
		if n == 0 {
			return pgx.ErrNoRows
		}
		// Checked after the update, inside the transaction, so two admins demoting each other at
		// once cannot both succeed past the check.
		admins, err := db.Q.CountOtherActiveAdmins(ctx, tx, 0)
		if err != nil {
			return err
		}
		if admins == 0 {
			f.Fail("role_id", "This is the last active admin. Make another user an admin first.")
			return errInvalid
		}
		return nil
	})
	if err == errInvalid || f.FromDB(err, userConstraints) {
		return h.userForm(c, http.StatusUnprocessableEntity, id, f, nil)
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Saved "+f.Get("name")+".")
	render.Redirect(c, "/admin/users")
	return nil
}

// ResetPassword sets a new password and signs the user out everywhere.
func (h *Handler) ResetPassword(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	pf := form.Parse(c, "new_password")
	validatePassword(pf, "new_password")
	if !pf.Valid() {
		var u store.GetUserRow
		if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
			u, err = db.Q.GetUser(ctx, tx, id)
			return err
		}); err != nil {
			return err
		}
		f := form.New(map[string]string{"name": u.Name, "email": u.Email, "role_id": form.IDString(u.RoleID),
			"time_zone": u.TimeZone, "active": checkbox(u.Active)})
		if u.TeamID != nil {
			f.Values["team_id"] = form.IDString(*u.TeamID)
		}
		return h.userForm(c, http.StatusUnprocessableEntity, id, f, pf)
	}
	hash, err := password.HashWithin(c.Request.Context(), pf.Get("new_password"))
	if err != nil {
		return err
	}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		_, err := db.Q.SetUserPassword(ctx, tx, store.SetUserPasswordParams{ID: id, PasswordHash: hash})
		return err
	}); err != nil {
		return err
	}
	msg := "Password changed. The user has been signed out of every session."
	if id == viewer.From(c).ID {
		msg = "Your password is changed. Sign in again with the new one."
	}
	h.R.Flash(c, msg)
	render.Redirect(c, "/admin/users")
	return nil
}

func (h *Handler) userForm(c *gin.Context, status int, id int64, f, pf *form.Form) error {
	title := "New user"
	if id != 0 {
		title = "Edit " + f.Get("name")
	}
	page := UserFormPage{Page: h.R.Page(c, title, "admin"), ID: id, Form: f.Need("name", "email", "role_id"), Password: pf, TimeZones: form.Plain(viewer.TimeZones)}
	if pf == nil {
		page.Password = form.New(nil)
	}
	if id == 0 {
		f.Need("password") // a new user's first password is on the same form
	}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Roles, page.Teams, err = roleAndTeamOptions(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	h.R.HTML(c, status, "admin/user_form", page)
	return nil
}

func roleAndTeamOptions(ctx context.Context, tx pgx.Tx) (roles, teams []form.Option, err error) {
	rs, err := db.Q.ListRoles(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range rs {
		roles = append(roles, form.Option{Value: form.IDString(r.ID), Label: format.Label(r.Name)})
	}
	ts, err := db.Q.ListTeams(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	teams = []form.Option{{Value: "", Label: "No team"}}
	for _, t := range ts {
		teams = append(teams, form.Option{Value: form.IDString(t.ID), Label: t.Name})
	}
	return roles, teams, nil
}

func validateUser(f *form.Form) {
	f.Required("name", "email", "role_id")
	f.MaxLength("name", 120)
	f.Email("email")
	f.ID("role_id")
	f.ID("team_id")
	if _, err := time.LoadLocation(f.Get("time_zone")); err != nil || f.Get("time_zone") == "" {
		f.Fail("time_zone", "Choose a time zone from the list.")
	}
}

func validatePassword(f *form.Form, name string) {
	if len([]rune(f.Get(name))) < password.MinLength {
		f.Fail(name, "Use at least 10 characters.")
	}
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func checkbox(b bool) string {
	if b {
		return "on"
	}
	return ""
}
