package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/webtest"
)

func TestHealthzAnswersWithoutLogin(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	r := app.Client(t).Get("/healthz")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "ok", r.Body)

	app.Web.Close() // the database stops answering
	r = app.Client(t).Get("/healthz")
	require.Equal(t, http.StatusServiceUnavailable, r.Status)
}

func TestCrossSitePostsAreRefused(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Login(t, "admin@demo.test")
	form := url.Values{"name": {"Evil team"}}
	r := c.Do(http.MethodPost, "/admin/teams", form, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, r.Status)
	r = c.Do(http.MethodPost, "/admin/teams", form, "Origin", "https://evil.example")
	require.Equal(t, http.StatusForbidden, r.Status)
	r = c.Do(http.MethodPost, "/login", url.Values{"email": {"admin@demo.test"}, "password": {webtest.DemoPassword}}, "Sec-Fetch-Site", "cross-site")
	require.Equal(t, http.StatusForbidden, r.Status, "login CSRF too")

	require.NotContains(t, c.Get("/admin/teams").Body, "Evil team")
	r = c.Post("/admin/teams", form)
	require.Equal(t, http.StatusSeeOther, r.Status, "the same post from the site itself works")
}

func TestPagesCarrySecurityHeaders(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	for _, path := range []string{"/login", "/healthz", "/nowhere"} {
		r := app.Client(t).Get(path)
		csp := r.Header.Get("Content-Security-Policy")
		require.Contains(t, csp, "script-src 'self'", path)
		require.Contains(t, csp, "frame-ancestors 'none'", path)
		require.NotContains(t, csp, "unsafe-inline", path)
		require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"), path)
		require.Equal(t, "same-origin", r.Header.Get("Referrer-Policy"), path)
		require.Equal(t, "private, no-store", r.Header.Get("Cache-Control"), "%s: no cache keeps a user's records", path)
		require.Empty(t, r.Header.Get("Strict-Transport-Security"), "plain HTTP in tests: no HSTS")
	}
	page := app.Login(t, "rep1@demo.test").Get("/leads")
	require.Equal(t, "private, no-store", page.Header.Get("Cache-Control"))
	require.Contains(t, strings.Join(page.Header.Values("Vary"), ","), "HX-Target", "a page and its fragments are kept apart")

	secure := webtest.NewWith(t, db.Limits{}, web.Config{SecureCookies: true})
	r := secure.Client(t).Get("/login")
	require.Equal(t, "max-age=63072000; includeSubDomains", r.Header.Get("Strict-Transport-Security"), "secure cookies mean HTTPS only")
}

func TestUnknownPageIs404InTheAppsLayout(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	r := app.Login(t, "rep1@demo.test").Get("/no/such/page")
	require.Equal(t, http.StatusNotFound, r.Status)
	require.Contains(t, r.Body, `class="topbar"`)
	require.Contains(t, r.Body, "This page does not exist")
}

func TestStaticFilesAreVersionedAndCachedForAYear(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Client(t)
	page := c.Get("/login").Body
	css := regexp.MustCompile(`href="(/static/[0-9a-f]+/css/app\.css)"`).FindStringSubmatch(page)
	require.NotNil(t, css, "the layout links the versioned stylesheet")
	r := c.Get(css[1])
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "public, max-age=31536000, immutable", r.Header.Get("Cache-Control"))
	require.Contains(t, r.Header.Get("Content-Type"), "text/css")

	js := regexp.MustCompile(`src="(/static/[0-9a-f]+/js/htmx\.min\.js)"`).FindStringSubmatch(page)
	require.NotNil(t, js)
	require.Equal(t, http.StatusOK, c.Get(js[1]).Status)

	r = c.Get("/static/old/css/app.css")
	require.Equal(t, http.StatusOK, r.Status, "pages from before an upgrade still get their files")
	require.Equal(t, "public, max-age=300", r.Header.Get("Cache-Control"))
	require.Equal(t, http.StatusNotFound, c.Get(css[1][:len(css[1])-len("app.css")]).Status, "no directory listings")
}

func TestHTMXRequestsGetThePartialWithoutTheLayout(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Login(t, "admin@demo.test")
	full := c.Get("/admin/teams")
	require.Contains(t, full.Body, "<html")
	part := c.Get("/admin/teams", "HX-Request", "true")
	require.Equal(t, http.StatusOK, part.Status)
	require.NotContains(t, part.Body, "<html")
	require.NotContains(t, part.Body, `class="topbar"`)
	require.Contains(t, part.Body, "Inside Sales")
	require.Contains(t, strings.Join(part.Header.Values("Vary"), ","), "HX-Request", "caches keep the two apart")
	boosted := c.Get("/admin/teams", "HX-Request", "true", "HX-Boosted", "true")
	require.Contains(t, boosted.Body, "<html", "boosted navigation wants the whole page")
}

func TestDatabaseOutageShowsAnErrorPageNotAStackTrace(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Login(t, "rep1@demo.test")
	app.Web.Close()
	r := c.Get("/")
	require.Equal(t, http.StatusServiceUnavailable, r.Status)
	require.Contains(t, r.Body, render.Busy)
	require.NotContains(t, r.Body, "closed pool")
}
