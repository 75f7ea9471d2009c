package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/browsertest"
	"github.com/crm-team/crm/web/webtest"
)

// The main flow of a rep's day, in a real browser: create an account, add a contact to it,
// create an opportunity from the account page (choosing the contact with the picker), find the
// deal with the list's search-as-you-type, and convert a lead.
func TestRepWorksAccountContactDealAndLead(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	tab := browsertest.Tab(t)
	login(t, app, tab, "rep1@demo.test")
	text := func(sel string) string {
		return browsertest.Eval[string](t, tab, `document.querySelector("`+sel+`").textContent`)
	}

	// An account.
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/accounts/new"),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "Zephyr Kites"),
		chromedp.SendKeys(chromedp.CSS("#f-domain"), "https://www.zephyr-kites.example/"),
		chromedp.SendKeys(chromedp.CSS("#f-city"), "Galway"),
		chromedp.Click(chromedp.CSS("form.form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".details")),
	)
	require.Equal(t, "Zephyr Kites", text("h1"))
	require.Contains(t, text(".details"), "zephyr-kites.example")

	// Its phone number, edited in place: htmx swaps the field for a form and back.
	browsertest.Do(t, tab,
		chromedp.Click(chromedp.CSS("#if-phone .btn-icon")),
		chromedp.WaitVisible(chromedp.CSS(`#if-phone input[name="phone"]`)),
		chromedp.SetValue(chromedp.CSS(`#if-phone input[name="phone"]`), "+353 91 555 0100"),
		chromedp.Click(chromedp.CSS(`#if-phone button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#if-phone .btn-icon")),
	)
	require.Equal(t, "+353 91 555 0100", text("#if-phone .value"))

	// A contact, from the account page: the account is already chosen.
	browsertest.Do(t, tab,
		chromedp.Click(chromedp.CSS(`a[href^="/contacts/new?account_id="]`)),
		chromedp.WaitVisible(chromedp.CSS("#f-last_name")),
	)
	require.Equal(t, "Zephyr Kites", browsertest.Eval[string](t, tab, `document.querySelector("#f-account_id").value`))
	browsertest.Do(t, tab,
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Niamh"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Quill"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "niamh@zephyr-kites.example"),
		chromedp.Click(chromedp.CSS("form.form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".details")),
	)
	require.Contains(t, text(".details"), "Zephyr Kites")

	// An opportunity from the account page; the contact comes from the picker, by keyboard.
	browsertest.Do(t, tab,
		chromedp.Click(chromedp.CSS(".details a[href^='/accounts/']")),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/opportunities/new?account_id="]`)),
		chromedp.Click(chromedp.CSS(`a[href^="/opportunities/new?account_id="]`)),
		chromedp.WaitVisible(chromedp.CSS("#f-amount")),
		chromedp.SetValue(chromedp.CSS("#f-name"), "Zephyr Kites – Storm season order"),
		chromedp.SendKeys(chromedp.CSS("#f-contact_id"), "qui"),
	)
	require.NoError(t, waitFor(tab, `document.querySelector("#c-contact_id").dataset.query === "qui"`))
	browsertest.Do(t, tab, chromedp.SendKeys(chromedp.CSS("#f-contact_id"), kb.ArrowDown+kb.Enter))
	require.NoError(t, waitFor(tab, `document.querySelector("input[name=contact_id]").value !== ""`))
	browsertest.Do(t, tab,
		chromedp.SetValue(chromedp.CSS("#f-amount"), "18500"),
		chromedp.Click(chromedp.CSS("form.form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".details")),
	)
	require.Equal(t, "Zephyr Kites – Storm season order", text("h1"))
	require.Contains(t, text(".details"), "Niamh Quill")
	require.Contains(t, text(".stats"), "$18,500")

	// Find it again by typing in the list's search box: only the results swap, the URL follows.
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/opportunities"),
		chromedp.WaitVisible(chromedp.CSS("#f-q")),
		chromedp.SendKeys(chromedp.CSS("#f-q"), "storm seas"),
	)
	require.NoError(t, waitFor(tab, `document.querySelectorAll("#results tbody tr").length === 1`))
	require.Contains(t, text("#results tbody"), "Storm season order")
	require.Contains(t, browsertest.Eval[string](t, tab, `location.search`), "q=storm")

	// Convert a lead of the rep's into a new account with a deal.
	var id string
	require.NoError(t, app.Pool.QueryRow(t.Context(), `INSERT INTO leads (owner_id, first_name, last_name, company, email, status)
		SELECT id, 'Oona', 'Reed', 'Reed Sails', 'oona@reed-sails.example', 'qualified' FROM users WHERE email = 'rep1@demo.test' RETURNING id::text`).Scan(&id))
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/leads/"+id),
		chromedp.Click(chromedp.CSS(`a[href$="/convert"]`)),
		chromedp.WaitVisible(chromedp.CSS("#f-account_name")),
		chromedp.Click(chromedp.CSS("#f-create_opportunity")),
		chromedp.SendKeys(chromedp.CSS("#f-opp_amount"), "9000"),
		chromedp.Click(chromedp.CSS("form.form .form-actions button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(".details")),
	)
	require.Equal(t, "Reed Sails", text("h1"))
	require.Contains(t, text(".flash"), "Lead converted into a contact and an opportunity")
	require.Contains(t, text("main"), "Oona Reed")
	require.True(t, strings.Contains(text("main"), "Reed Sails – New business"))
}

// waitFor polls a JavaScript condition until it holds or the tab's deadline passes.
func waitFor(tab context.Context, cond string) error {
	_, err := chromedp.Run(tab, chromedp.Poll[bool](cond))
	return err
}

// A note logged on a record page appears at the top of its timeline without a page load.
func TestAddingANoteToTheTimeline(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	tab := browsertest.Tab(t)
	login(t, app, tab, "rep1@demo.test")
	var account string
	require.NoError(t, app.Pool.QueryRow(t.Context(), `SELECT min(a.id)::text FROM accounts a JOIN users u ON u.id = a.owner_id
		WHERE u.email = 'rep1@demo.test'`).Scan(&account))
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/accounts/"+account),
		chromedp.WaitVisible(chromedp.CSS("#log-form #f-body")),
	)
	browsertest.Eval[bool](t, tab, `window.stillHere = true`)
	browsertest.Do(t, tab,
		chromedp.SetValue(chromedp.CSS("#log-form #f-subject"), "Lunch with the buyer"),
		chromedp.SetValue(chromedp.CSS("#log-form #f-body"), "Wants a quote by Friday.\nSee https://example.com/brief"),
		chromedp.Click(chromedp.CSS("#log-form button[type=submit]")),
	)
	require.NoError(t, waitFor(tab, `(document.querySelector("#timeline-items .entry .subject") || {}).textContent === "Lunch with the buyer"`))
	require.True(t, browsertest.Eval[bool](t, tab, `window.stillHere === true`), "no page load")
	require.Equal(t, "https://example.com/brief", browsertest.Eval[string](t, tab, `document.querySelector("#timeline-items .entry .notes a").getAttribute("href")`))
	require.Equal(t, "Follow up: Lunch with the buyer", browsertest.Eval[string](t, tab, `document.querySelector("#log-form #f-subject").value`),
		"the form offers the next step")
	visible := func(sel string) bool {
		return browsertest.Eval[bool](t, tab, `document.querySelector("#log-form `+sel+`").offsetParent !== null`)
	}
	require.True(t, visible("#f-due_at"), "a task shows its due time")
	require.False(t, visible("#f-outcome"), "and not a call's outcome")
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`#log-form input[name=type][value=meeting]`)))
	require.True(t, visible("#f-starts_at"))
	require.True(t, visible("#f-ends_at"))
	require.False(t, visible("#f-due_at"), "a meeting has a start and an end, not a due time")
}
