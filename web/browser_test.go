package web_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/browsertest"
	"github.com/crm-team/crm/web/webtest"
)

func login(t *testing.T, app *webtest.App, tab context.Context, email string) {
	t.Helper()
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.SendKeys(chromedp.CSS("#f-password"), webtest.DemoPassword),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".topbar")),
	)
}

func TestEachDemoRoleSignsInAndSeesItsNavigation(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	records := []string{"Dashboard", "Leads", "Accounts", "Contacts", "Opportunities", "Pipeline", "Tasks"}
	cases := []struct {
		email, name string
		nav         []string
	}{
		{"admin@demo.test", "Alex Admin", append(records, "Admin")},
		{"manager@demo.test", "Morgan Manager", records},
		{"rep1@demo.test", "Riley Rep", records},
		{"rep2@demo.test", "Sam Seller", records},
	}
	for _, tc := range cases {
		t.Run(tc.email, func(t *testing.T) {
			tab := browsertest.Tab(t)
			login(t, app, tab, tc.email)
			nav := browsertest.Eval[[]string](t, tab, `[...document.querySelectorAll(".nav a")].map(a => a.childNodes[0].textContent.trim())`)
			require.Equal(t, tc.nav, nav)
			require.Equal(t, tc.name, browsertest.Eval[string](t, tab, `document.querySelector(".me-name .truncate").textContent`))
			require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector("h1").textContent`), tc.name)
			require.Equal(t, "4.0.1", browsertest.Eval[string](t, tab, `window.htmx ? htmx.version : "not loaded"`), "htmx loads under the CSP")

			// Signing out lands on the login page with a message.
			browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(".me button")), chromedp.WaitVisible(chromedp.CSS("#f-email")))
			require.Equal(t, "You are signed out.", browsertest.Eval[string](t, tab, `document.querySelector(".flash").textContent`))
		})
	}
}

func TestWrongPasswordShowsMessageAndKeepsEmail(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	tab := browsertest.Tab(t)
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "rep1@demo.test"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "nope"),
		chromedp.Click(chromedp.CSS("button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".alert")),
	)
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector(".alert").textContent`), "not right")
	require.Equal(t, "rep1@demo.test", browsertest.Eval[string](t, tab, `document.querySelector("#f-email").value`))
}

// Every page fits the screen at desktop and phone widths, even with a very long name, and the
// screenshots (CRM_SCREENSHOT_DIR) show what users see.
func TestPagesFitDesktopAndPhoneScreens(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `UPDATE users SET name = 'Maximiliana Alexandrovna Featherstonehaugh-Wolfeschlegel' WHERE email = 'rep2@demo.test'`)
	app.Exec(t, `INSERT INTO custom_fields (entity, key, label, type, options, in_list, help, required) VALUES
		('contacts', 'tier', 'Customer tier', 'select', '{Gold,Silver,Bronze}', true, '', true),
		('contacts', 'interests', 'Interests', 'multi_select', '{CRM,Billing,Support,Onboarding,Integrations}', false, 'Tick all that apply', false),
		('contacts', 'renewal', 'Renewal date', 'date', '{}', true, '', false),
		('contacts', 'notes_long', 'Background', 'long_text', '{}', false, '', false)`)
	app.Exec(t, `UPDATE contacts SET custom = '{"tier": "Gold", "renewal": "2027-03-01", "interests": ["CRM", "Support"]}' WHERE id = 1`)
	pages := []string{"/", "/pipeline", "/activities", "/leads", "/leads/1", "/leads/1/convert", "/accounts", "/accounts/1", "/accounts/new",
		"/contacts", "/contacts?cols=&cols=tier&cols=interests&cols=renewal&sort=-cf_renewal", "/contacts/1", "/contacts/new", "/opportunities", "/opportunities/1", "/opportunities/new", "/admin/users", "/admin/users/new", "/admin/roles", "/admin/roles/3", "/admin/teams", "/admin/pipelines", "/admin/pipelines/1", "/admin/fields", "/admin/fields/1", "/profile", "/pipeline/move?id=1", "/search?q=garcia", "/activities/new", "/contacts/1/merge?with=2", "/contacts/1/history", "/admin/history", "/admin/automations", "/admin/automations/3?record=1", "/admin/automations/1/runs", "/notifications", "/nowhere"}
	for _, vp := range browsertest.Viewports {
		t.Run(vp.Name, func(t *testing.T) {
			tab := browsertest.Tab(t)
			browsertest.Do(t, tab, chromedp.EmulateViewport(vp.Width, vp.Height))
			browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#f-email")))
			browsertest.Screenshot(t, tab, "login-"+vp.Name)
			login(t, app, tab, "admin@demo.test")
			for i, p := range pages {
				browsertest.Do(t, tab, chromedp.Navigate(app.URL+p), chromedp.WaitVisible(chromedp.CSS("main")))
				overflow := browsertest.Eval[int](t, tab, `document.documentElement.scrollWidth - window.innerWidth`)
				assert.LessOrEqual(t, overflow, 0, "%s scrolls sideways at %dpx", p, vp.Width)
				browsertest.Screenshot(t, tab, fmt.Sprintf("%02d-%s", i, vp.Name))
			}
		})
	}
}

// A task completes from the dashboard with one click: the row says done, and the dashboard's
// count and the navigation's badge go down without a page load.
func TestCompletingATaskFromTheDashboard(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `INSERT INTO activities (owner_id, type, subject, due_at, account_id)
		SELECT id, 'task', 'Ring the buyer back', now() - interval '400 days', (SELECT min(id) FROM accounts) FROM users WHERE email = 'rep1@demo.test'`)
	tab := browsertest.Tab(t)
	login(t, app, tab, "rep1@demo.test")
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(chromedp.CSS(".task-row")))
	before := browsertest.Eval[string](t, tab, `document.querySelector("#tasks-count").textContent`)
	require.Equal(t, before, browsertest.Eval[string](t, tab, `document.querySelector("#nav-tasks .count-badge").textContent`))
	require.True(t, browsertest.Eval[bool](t, tab, `[...document.querySelectorAll(".task-row")].some(r => r.textContent.includes("Ring the buyer back") && r.querySelector(".task-due.overdue"))`),
		"an overdue task's day is red")
	browsertest.Eval[bool](t, tab, `window.stillHere = true`)
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`button[aria-label="Complete Ring the buyer back"]`)))
	n, err := strconv.Atoi(before)
	require.NoError(t, err)
	require.NoError(t, waitFor(tab, fmt.Sprintf(`document.querySelector("#tasks-count").textContent === "%d"`, n-1)))
	require.Equal(t, fmt.Sprint(n-1), browsertest.Eval[string](t, tab, `document.querySelector("#nav-tasks .count-badge").textContent`))
	require.True(t, browsertest.Eval[bool](t, tab, `window.stillHere === true`), "no page load")
	browsertest.Screenshot(t, tab, "dashboard-task-done")
}

// Checkboxes carry their labels in full: lead conversion's "Create an opportunity too", a user's
// "Active", a pipeline's "Default".
func TestCheckboxesShowTheirLabels(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	lead := app.Scalar(t, "SELECT min(id)::text FROM leads WHERE status <> 'converted'")
	user := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	pipeline := app.Scalar(t, `WITH p AS (INSERT INTO pipelines (name) VALUES ('Renewals') RETURNING id) SELECT id::text FROM p`)
	tab := browsertest.Tab(t)
	login(t, app, tab, "admin@demo.test")
	for path, label := range map[string]string{"/leads/" + lead + "/convert": "Create an opportunity too",
		"/admin/users/" + user + "/edit": "Active (can sign in)", "/admin/pipelines/" + pipeline: "Default pipeline for new deals"} {
		browsertest.Do(t, tab, chromedp.Navigate(app.URL+path), chromedp.WaitVisible(chromedp.CSS("label.check")))
		require.Equal(t, label, browsertest.Eval[string](t, tab, `document.querySelector("label.check").textContent.trim()`), path)
		require.Greater(t, browsertest.Eval[float64](t, tab, `document.querySelector("label.check").getBoundingClientRect().width`), 120.0,
			"%s: the label is not squeezed into the box", path)
	}
}
