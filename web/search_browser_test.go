package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/browsertest"
	"github.com/crm-team/crm/web/webtest"
)

// The header search by keyboard alone: "/" focuses it from any page, typing shows the top hits
// grouped by type, the arrow keys pick one and Enter opens it; Escape closes the list, and Enter
// with nothing picked opens every result.
func TestHeaderSearchByKeyboard(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `INSERT INTO contacts (owner_id, first_name, last_name, email)
		SELECT id, 'Ada', 'Quorvex', 'ada@quorvex.test' FROM users WHERE email = 'rep1@demo.test'`)
	app.Exec(t, `INSERT INTO leads (owner_id, first_name, last_name, company)
		SELECT id, 'Lena', 'Quorvex', 'Brightwater' FROM users WHERE email = 'rep1@demo.test'`)
	tab := browsertest.Tab(t)
	login(t, app, tab, "rep1@demo.test")
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/leads"), chromedp.WaitVisible(chromedp.CSS("table.data")))

	browsertest.Do(t, tab, chromedp.KeyEvent("/"))
	require.Equal(t, "global-search", browsertest.Eval[string](t, tab, `document.activeElement.id`), "/ focuses the search box")
	// The last option names the whole query: the answer to the last keystroke has arrived.
	browsertest.Do(t, tab, chromedp.KeyEvent("quorv"), chromedp.WaitVisible(chromedp.CSS(`#search-suggest a[href="/search?q=quorv"]`)))
	groups := browsertest.Eval[[]string](t, tab, `[...document.querySelectorAll("#search-suggest .group")].map(g => g.textContent)`)
	require.ElementsMatch(t, []string{"Leads", "Contacts"}, groups)
	require.Equal(t, "true", browsertest.Eval[string](t, tab, `document.getElementById("global-search").getAttribute("aria-expanded")`))
	browsertest.Screenshot(t, tab, "search-suggest")

	browsertest.Do(t, tab, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	picked := browsertest.Eval[string](t, tab, `document.querySelector('#search-suggest [aria-selected="true"] a').getAttribute("href")`)
	require.Equal(t, browsertest.Eval[string](t, tab, `document.querySelectorAll('#search-suggest [role=option] a')[1].getAttribute("href")`), picked,
		"two presses pick the second hit")
	browsertest.Do(t, tab, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".cols")))
	require.Equal(t, picked, browsertest.Eval[string](t, tab, `location.pathname`))
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector("h1").textContent`), "Quorvex")

	browsertest.Do(t, tab, chromedp.KeyEvent("/"), chromedp.KeyEvent("ada"), chromedp.WaitVisible(chromedp.CSS(`#search-suggest a[href="/search?q=ada"]`)))
	browsertest.Do(t, tab, chromedp.KeyEvent(kb.Escape))
	require.Equal(t, 0, browsertest.Eval[int](t, tab, `document.querySelectorAll("#search-suggest li").length`), "Escape closes the list")
	browsertest.Do(t, tab, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".search-results")))
	require.Equal(t, "/search", browsertest.Eval[string](t, tab, `location.pathname`))
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector(".search-results").textContent`), "Ada Quorvex")
	browsertest.Screenshot(t, tab, "search-page")
}
