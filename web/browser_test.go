package web_test

import (
	"context"
	"fmt"
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
	pages := []string{"/", "/pipeline", "/activities", "/leads", "/leads/1", "/leads/1/convert", "/accounts", "/accounts/1", "/accounts/new",
		"/contacts", "/contacts/1", "/contacts/new", "/opportunities", "/opportunities/1", "/opportunities/new", "/admin/users", "/admin/users/new", "/admin/roles", "/admin/roles/3", "/admin/teams", "/admin/pipelines", "/admin/pipelines/1", "/nowhere"}
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
