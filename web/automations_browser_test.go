package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/browsertest"
	"github.com/crm-team/crm/web/webtest"
)

// An admin writes a rule on the automations page; a rep drags a deal into the stage it watches,
// and finds the task the rule created on the deal and its notice under the bell.
func TestARuleWrittenInTheAdminActsOnABoardMove(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.StartWorker(t)
	tab := browsertest.Tab(t)
	browsertest.Do(t, tab, chromedp.EmulateViewport(1400, 900))
	login(t, app, tab, "admin@demo.test")
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/admin/automations/new"),
		chromedp.WaitVisible(chromedp.CSS("#f-name")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Call when qualified"),
		chromedp.SetValue(chromedp.CSS("#f-field"), "stage"),
		chromedp.SendKeys(chromedp.CSS("#f-to_value"), "Qualification"),
		chromedp.SendKeys(chromedp.CSS("#f-a1_subject"), "Call about {name}"),
		chromedp.SetValue(chromedp.CSS("#f-a2_type"), "notify"),
		chromedp.WaitVisible(chromedp.CSS("#f-a2_message")),
		chromedp.SendKeys(chromedp.CSS("#f-a2_to"), "owner"),
		chromedp.SendKeys(chromedp.CSS("#f-a2_message"), "{name} is qualified: call today"),
	)
	browsertest.Screenshot(t, tab, "automation-form")
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(".rule-form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#dry-record")))
	require.Contains(t, browsertest.Eval[string](t, tab, `document.body.textContent`), "Automation “Call when qualified” saved.")

	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`.me form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS("#f-email")))
	login(t, app, tab, "rep1@demo.test")
	var from, to string
	require.NoError(t, app.Pool.QueryRow(t.Context(), `SELECT (SELECT id::text FROM pipeline_stages WHERE name = 'Prospecting'),
		(SELECT id::text FROM pipeline_stages WHERE name = 'Qualification')`).Scan(&from, &to))
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/pipeline"), chromedp.WaitVisible(chromedp.CSS("#col-"+from+" .deal")))
	card := dragCard(t, tab, from, to)
	name := app.Scalar(t, "SELECT name FROM opportunities WHERE id = $1", card)
	app.Eventually(t, "1", "SELECT count(*)::text FROM activities WHERE opportunity_id = $1 AND subject = $2", card, "Call about "+name)

	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/opportunities/"+card), chromedp.WaitVisible(chromedp.CSS("#bell .count-badge")))
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector("main").textContent`), "Call about "+name)
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS("#bell")), chromedp.WaitVisible(chromedp.CSS(".notification-list")))
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector(".notification-list").textContent`),
		"Automation: "+name+" is qualified: call today")
	browsertest.Screenshot(t, tab, "automation-notification")
}
