package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/auth"
	"github.com/crm-team/crm/web/webtest"
)

func TestLoginStartsANewSessionAndGoesWhereTheUserWasHeaded(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Client(t)

	r := c.Get("/admin/users")
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "/login?next=%2Fadmin%2Fusers", r.Header.Get("Location"))

	r = c.Get("/login?next=%2Fadmin%2Fusers")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, r.Body, `name="next" value="/admin/users"`)
	before := c.Cookie("crm_session")

	r = c.Post("/login", url.Values{"email": {"Admin@Demo.Test"}, "password": {webtest.DemoPassword}, "next": {"/admin/users"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "/admin/users", r.Header.Get("Location"))
	after := c.Cookie("crm_session")
	require.NotEmpty(t, after)
	require.NotEqual(t, before, after, "the session token is renewed at login")
	cookie := r.Header.Get("Set-Cookie")
	require.Contains(t, cookie, "HttpOnly")
	require.Contains(t, cookie, "SameSite=Lax")

	r = c.Get("/")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, r.Body, "Alex Admin")
}

func TestLoginRefusesToLeaveTheSite(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	for _, next := range []string{"//evil.example/x", "https://evil.example", "/\\evil.example", "/\tevil.example", "/%09/evil.example/phish",
		"/\t/evil.example/phish", "/\n/evil.example", "/\x7f/evil", "javascript:alert(1)", "/@evil.example", "evil.example"} {
		r := app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {webtest.DemoPassword}, "next": {next}})
		require.Equal(t, http.StatusSeeOther, r.Status)
		loc := r.Header.Get("Location")
		require.True(t, loc == "/" || (strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.ContainsAny(loc, "\\\t\n")),
			"%q led to %q", next, loc)
	}
	r := app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {webtest.DemoPassword}, "next": {"/contacts?owner=me"}})
	require.Equal(t, "/contacts?owner=me", r.Header.Get("Location"), "a path on this site is kept")
}

func TestWrongPasswordKeepsTheEmailAndSetsNoSession(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Client(t)
	r := c.Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {"wrong-password"}})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Contains(t, r.Body, "The email or password is not right")
	require.Contains(t, r.Body, `value="rep1@demo.test"`)
	require.Empty(t, r.Header.Get("Set-Cookie"))
	require.Equal(t, http.StatusSeeOther, c.Get("/").Status, "still signed out")

	r = c.Post("/login", url.Values{"email": {""}, "password": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This field is required.")
	require.Contains(t, r.Body, "Enter your password.")
}

func TestLoginIsThrottledAfterFiveFailures(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Client(t)
	for i := range auth.PairFailures {
		r := c.Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {"guess"}})
		require.Equal(t, http.StatusUnauthorized, r.Status, "attempt %d", i+1)
	}
	// Even the right password waits now, and says how long.
	r := c.Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {webtest.DemoPassword}})
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.Contains(t, r.Body, "Too many failed sign-ins. Try again in 30 seconds")
	require.Equal(t, "5", app.Scalar(t, "SELECT count(*)::text FROM login_failures"), "a refused attempt is not another failure")

	// Another account from this address is not held back by these failures.
	app.Login(t, "rep2@demo.test")

	// After the wait, one more try; a further failure doubles the wait.
	age := func(d string) {
		app.Exec(t, "UPDATE login_failures SET created_at = created_at - $1::interval", d)
	}
	age("31 seconds")
	require.Equal(t, http.StatusUnauthorized, c.Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {"guess"}}).Status)
	r = c.Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {webtest.DemoPassword}})
	require.Equal(t, http.StatusTooManyRequests, r.Status)
	require.Contains(t, r.Body, "Try again in 1 minute")
	age("61 seconds")
	app.Login(t, "rep1@demo.test")
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM login_failures WHERE email = 'rep1@demo.test'"),
		"signing in forgets this address's failures")
}

// Someone else's guesses, from other addresses, do not lock a user out of their account; a flood
// of them from many addresses does slow the account down.
func TestOthersGuessesDoNotLockAUserOut(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, "INSERT INTO login_failures (email, ip) SELECT 'rep2@demo.test', '203.0.113.' || g FROM generate_series(1, 20) g")
	app.Login(t, "rep2@demo.test")
	app.Exec(t, "INSERT INTO login_failures (email, ip) SELECT 'rep2@demo.test', '198.51.100.' || g FROM generate_series(1, $1::int) g", auth.AccountFailures)
	r := app.Client(t).Post("/login", url.Values{"email": {"rep2@demo.test"}, "password": {webtest.DemoPassword}})
	require.Equal(t, http.StatusTooManyRequests, r.Status)
}

// Twelve wrong passwords at once pass the throttle no more than five times: each attempt is
// counted before its password is checked.
func TestParallelGuessesAreCountedBeforeTheyAreChecked(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	statuses := make(chan int, 12)
	var wg sync.WaitGroup
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {"guess"}}).Status
		}()
	}
	wg.Wait()
	close(statuses)
	checked := 0
	for s := range statuses {
		if s == http.StatusUnauthorized {
			checked++
		} else {
			require.Equal(t, http.StatusTooManyRequests, s)
		}
	}
	require.LessOrEqual(t, checked, auth.PairFailures)
	require.Equal(t, fmt.Sprint(checked), app.Scalar(t, "SELECT count(*)::text FROM login_failures"))
}

func TestAnAdminsPasswordResetClearsFailedSignIns(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	for range auth.PairFailures {
		app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {"guess"}})
	}
	admin := app.Login(t, "admin@demo.test")
	r := admin.Post("/admin/users/"+userID(t, app, "rep1@demo.test")+"/password", url.Values{"new_password": {"a brand new passphrase"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM login_failures WHERE email = 'rep1@demo.test'"))
	r = app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {"a brand new passphrase"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
}

func TestSignInDuringADatabaseOutageSays503(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Web.Close()
	r := app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {webtest.DemoPassword}})
	require.Equal(t, http.StatusServiceUnavailable, r.Status)
}

func TestDeactivatedUserCannotLoginAndLosesSessions(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep2@demo.test")
	require.Equal(t, http.StatusOK, rep.Get("/").Status)

	admin := app.Login(t, "admin@demo.test")
	id := userID(t, app, "rep2@demo.test")
	r := admin.Post("/admin/users/"+id, url.Values{"name": {"Sam Seller"}, "email": {"rep2@demo.test"},
		"role_id": {roleID(t, app, "sales_rep")}, "time_zone": {"UTC"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)

	r = rep.Get("/")
	require.Equal(t, http.StatusSeeOther, r.Status, "the open session is gone")
	r = app.Client(t).Post("/login", url.Values{"email": {"rep2@demo.test"}, "password": {webtest.DemoPassword}})
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Contains(t, r.Body, "deactivated")
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Login(t, "rep1@demo.test")
	token := c.Cookie("crm_session")
	r := c.Post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.NotEqual(t, token, c.Cookie("crm_session"))
	require.Equal(t, http.StatusSeeOther, c.Get("/").Status)

	// The old token is worthless too.
	old := app.Client(t)
	req, _ := http.NewRequest(http.MethodGet, app.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "crm_session", Value: token})
	res, err := old.HTTP.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
}

func userID(t *testing.T, app *webtest.App, email string) string {
	var id string
	require.NoError(t, app.Pool.QueryRow(context.Background(), "SELECT id::text FROM users WHERE email = $1", email).Scan(&id))
	return id
}

func roleID(t *testing.T, app *webtest.App, name string) string {
	var id string
	require.NoError(t, app.Pool.QueryRow(context.Background(), "SELECT id::text FROM roles WHERE name = $1", name).Scan(&id))
	return strings.TrimSpace(id)
}

// A session is written when it changes (sign-in, a flash message), not on every page: sliding its
// expiry writes at most once a minute.
func TestReadingPagesDoesNotRewriteTheSession(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Login(t, "rep1@demo.test")
	token := c.Cookie("crm_session")
	stored := func() string {
		return app.Scalar(t, "SELECT expiry::text || ' ' || md5(data) || ' ' || user_id::text FROM sessions WHERE token = $1", token)
	}
	before := stored()
	require.Contains(t, before, " "+app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'"), "the session knows its user")
	for _, path := range []string{"/", "/contacts", "/leads", "/pipeline"} {
		require.Equal(t, http.StatusOK, c.Get(path).Status, path)
	}
	require.Equal(t, before, stored(), "reading pages wrote the session")

	app.Exec(t, "UPDATE sessions SET expiry = expiry - interval '5 minutes' WHERE token = $1", token)
	aged := stored()
	require.Equal(t, http.StatusOK, c.Get("/").Status)
	require.NotEqual(t, aged, stored(), "an expiry more than a minute old slides forward")

	r := c.Post("/logout", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM sessions WHERE token = $1", token))
}
