package profile_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// A rep changes their own name and time zone, and nothing else of their account.
func TestProfileChangesOwnNameAndTimeZoneOnly(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	role := app.Scalar(t, "SELECT role_id::text FROM users WHERE email = 'rep1@demo.test'")
	admin := app.Scalar(t, "SELECT id::text FROM roles WHERE name = 'admin'")

	page := rep.Get("/profile")
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, page.Body, `value="Riley Rep"`)
	require.Contains(t, page.Body, `aria-current="page"`, "the avatar links here")

	r := rep.Post("/profile", url.Values{"name": {"Riley Typed"}, "time_zone": {"Mars/Olympus"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Choose a time zone from the list.")
	require.Contains(t, r.Body, `value="Riley Typed"`, "what was typed is kept")

	r = rep.Post("/profile", url.Values{"name": {"Riley Renamed"}, "time_zone": {"Asia/Tokyo"}, "role_id": {admin}, "active": {""}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "Riley Renamed|Asia/Tokyo|"+role+"|true",
		app.Scalar(t, "SELECT name || '|' || time_zone || '|' || role_id || '|' || active FROM users WHERE email = 'rep1@demo.test'"))
	require.Contains(t, rep.Get("/profile").Body, "Saved. Dates and due days now follow Asia/Tokyo.")
	require.Equal(t, "Morgan Manager", app.Scalar(t, "SELECT name FROM users WHERE email = 'manager@demo.test'"), "nobody else changes")
}

// A new password needs the current one; it signs the user out everywhere else, not here.
func TestProfileChangesOwnPassword(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	here := app.Login(t, "rep1@demo.test")
	elsewhere := app.Login(t, "rep1@demo.test")

	r := here.Post("/profile/password", url.Values{"current_password": {"not it at all"}, "new_password": {"a much longer secret"},
		"confirm_password": {"a much longer secret"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This is not your current password.")
	require.NotContains(t, r.Body, "a much longer secret", "passwords are never sent back")

	r = here.Post("/profile/password", url.Values{"current_password": {webtest.DemoPassword}, "new_password": {"a much longer secret"},
		"confirm_password": {"a much longer secreT"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This does not match the new password.")

	r = here.Post("/profile/password", url.Values{"current_password": {webtest.DemoPassword}, "new_password": {"short"}, "confirm_password": {"short"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Use at least 10 characters.")

	r = here.Post("/profile/password", url.Values{"current_password": {webtest.DemoPassword}, "new_password": {"a much longer secret"},
		"confirm_password": {"a much longer secret"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Contains(t, here.Get("/profile").Body, "Password changed.", "this session carries on")
	require.Equal(t, http.StatusSeeOther, elsewhere.Get("/leads").Status, "the other session is signed out")

	fresh := app.Client(t)
	require.Equal(t, http.StatusUnauthorized, fresh.Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {webtest.DemoPassword}}).Status, "the old password no longer works")
	require.Equal(t, http.StatusSeeOther, fresh.Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {"a much longer secret"}}).Status)
}
