// Package webtest runs the whole application on a fresh demo database behind a real HTTP server,
// and gives tests clients that keep cookies like a browser.
package webtest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/dbtest"
	"github.com/crm-team/crm/db/seed"
	"github.com/crm-team/crm/internal/automation"
	"github.com/crm-team/crm/web"
)

// DemoPassword is the password of every demo user in tests.
const DemoPassword = "demo-password"

// App is the application serving a database of its own.
type App struct {
	Pool *pgxpool.Pool // the database's owner, for a test's own work
	Web  *pgxpool.Pool // the web's pool, signed in as crm_app
	URL  string
}

// New starts the application on a fresh database seeded with the demo company.
func New(t testing.TB) *App { return NewWith(t, db.Limits{}, web.Config{}) }

// NewWith is New with the web pool's limits and the web configuration given (its session
// timeouts default to an hour and a day). The web signs in as crm_app, as in production;
// App.Pool is the database's owner, for the test's own work.
func NewWith(t testing.TB, limits db.Limits, cfg web.Config) *App {
	t.Helper()
	pool, url := dbtest.NewWithURL(t)
	_, err := seed.Demo(context.Background(), pool, DemoPassword)
	require.NoError(t, err)
	webPool, err := db.Open(context.Background(), dbtest.AppURL(t, url), limits)
	require.NoError(t, err)
	t.Cleanup(webPool.Close)
	require.NoError(t, db.CheckLeastPrivilege(context.Background(), webPool))
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle, cfg.SessionLifetime = time.Hour, 24*time.Hour
	}
	// Errors show up in the failing test's output; request lines are left out.
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, stop, err := web.New(webPool, cfg, log)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); stop() })
	return &App{Pool: pool, Web: webPool, URL: srv.URL}
}

// Client is a visitor with its own cookie jar. It does not follow redirects, so tests see them.
type Client struct {
	t    testing.TB
	base string
	HTTP *http.Client
}

// Response is a finished response with its body read.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Client returns a new anonymous visitor.
func (a *App) Client(t testing.TB) *Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &Client{t: t, base: a.URL, HTTP: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Login returns a client signed in as one of the demo users.
func (a *App) Login(t testing.TB, email string) *Client {
	t.Helper()
	c := a.Client(t)
	r := c.Post("/login", url.Values{"email": {email}, "password": {DemoPassword}})
	require.Equal(t, http.StatusSeeOther, r.Status, "login as %s: %s", email, r.Body)
	return c
}

// Get fetches a path.
func (c *Client) Get(path string, headers ...string) *Response {
	return c.Do(http.MethodGet, path, nil, headers...)
}

// Post sends a form the way a browser on this site does (same-origin fetch metadata).
func (c *Client) Post(path string, form url.Values, headers ...string) *Response {
	return c.Do(http.MethodPost, path, form, append([]string{"Sec-Fetch-Site", "same-origin"}, headers...)...)
}

// Do sends a request with a form body (if any) and header name/value pairs.
func (c *Client) Do(method, path string, form url.Values, headers ...string) *Response {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	require.NoError(c.t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.HTTP.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: string(b)}
}

// Cookie returns the value of the client's cookie for the app, or "".
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

// Scalar runs a query as the database owner (past row-level security) and returns its one
// value as text: how tests look behind the pages.
func (a *App) Scalar(t testing.TB, sql string, args ...any) string {
	t.Helper()
	var s string
	require.NoError(t, a.Pool.QueryRow(context.Background(), sql, args...).Scan(&s))
	return s
}

// Exec runs a statement as the database owner: how tests arrange data the pages cannot make.
func (a *App) Exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	_, err := a.Pool.Exec(context.Background(), sql, args...)
	require.NoError(t, err)
}

// StartWorker runs the automation worker on the web's pool until the test ends, looking for
// jobs every 50 ms, retrying failures after 100 ms, 200 ms, 400 ms…, and taking a job left
// running for ten seconds to be from a worker that died.
func (a *App) StartWorker(t testing.TB) *river.Client[pgx.Tx] {
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := automation.NewClient(a.Web, true, automation.Options{Poll: 50 * time.Millisecond, RetryBase: 100 * time.Millisecond,
		Sweep: 200 * time.Millisecond, JobTimeout: 5 * time.Second, RescueAfter: 10 * time.Second,
		AllowPrivateWebhooks: true, Logger: log}) // the tests' receivers listen on loopback
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.StopAndCancel(ctx)
	})
	return c
}

// Eventually waits up to 40 seconds for a query's text to be want (the worker runs apart).
func (a *App) Eventually(t testing.TB, want, sql string, args ...any) {
	t.Helper()
	var got string
	for deadline := time.Now().Add(40 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = a.Scalar(t, sql, args...); got == want {
			return
		}
	}
	t.Fatalf("waited 40 seconds for %q, still %q: %s", want, got, sql)
}
