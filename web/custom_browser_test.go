package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/browsertest"
	"github.com/crm-team/crm/web/webtest"
)

// An admin adds a choice field to contacts (its choices box appears once a choice type is
// picked), fills it in a new contact's form, and filters the contacts list by it.
func TestACustomFieldFromAdminToFormToFilter(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	tab := browsertest.Tab(t)
	login(t, app, tab, "admin@demo.test")
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/admin/fields"), chromedp.WaitVisible(chromedp.CSS("#f-label")))
	require.False(t, browsertest.Eval[bool](t, tab, `document.querySelector("#f-options").checkVisibility()`), "no choices box for a text field")
	browsertest.Do(t, tab,
		chromedp.SetValue(chromedp.CSS("#f-entity"), "contacts"),
		chromedp.SendKeys(chromedp.CSS("#f-label"), "Customer tier"),
		chromedp.SetValue(chromedp.CSS("#f-type"), "select"),
		chromedp.WaitVisible(chromedp.CSS("#f-options")),
		chromedp.SendKeys(chromedp.CSS("#f-options"), "Gold\nSilver"),
		chromedp.Click(chromedp.CSS("#f-in_list")),
		chromedp.Click(chromedp.CSS(`form[action="/admin/fields"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector("#fields-contacts").textContent`), "Customer tier")

	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/contacts/new"),
		chromedp.WaitVisible(chromedp.CSS("#f-cf_customer_tier")),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Fieldtester"),
		chromedp.SetValue(chromedp.CSS("#f-cf_customer_tier"), "Gold"),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".details")),
	)
	details := browsertest.Eval[string](t, tab, `document.querySelector(".details").textContent`)
	require.Contains(t, details, "Customer tier")
	require.Contains(t, details, "Gold")

	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/contacts"), chromedp.WaitVisible(chromedp.CSS("#f-cf_customer_tier")))
	require.Greater(t, browsertest.Eval[int](t, tab, `document.querySelectorAll("table.data tbody tr").length`), 1)
	browsertest.Eval[bool](t, tab, `(() => { const s = document.querySelector("#f-cf_customer_tier"); s.value = "Gold";
		s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`)
	require.NoError(t, waitFor(tab, `document.querySelectorAll("table.data tbody tr").length === 1`))
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector("table.data tbody").textContent`), "Fieldtester")
	require.Contains(t, browsertest.Eval[string](t, tab, `location.search`), "cf_customer_tier=Gold", "the filter is in the address")
	browsertest.Screenshot(t, tab, "contacts-custom-filter")
}

// Ticking rows brings up the bulk bar; choosing an action shows its value; applying changes the
// ticked rows and says so.
func TestBulkBarByTickingRows(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	tab := browsertest.Tab(t)
	login(t, app, tab, "rep1@demo.test")
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/leads?status=new"), chromedp.WaitVisible(chromedp.CSS("table.data")))
	require.False(t, browsertest.Eval[bool](t, tab, `document.querySelector(".bulk-bar").checkVisibility()`), "no bar before a row is ticked")
	browsertest.Do(t, tab,
		chromedp.Click(chromedp.CSS(`tbody tr:nth-child(1) input[name="ids"]`)),
		chromedp.Click(chromedp.CSS(`tbody tr:nth-child(2) input[name="ids"]`)),
		chromedp.WaitVisible(chromedp.CSS(".bulk-bar")),
	)
	require.Equal(t, "2", browsertest.Eval[string](t, tab, `document.getElementById("bulk-count").textContent`))
	browsertest.Do(t, tab, chromedp.SetValue(chromedp.CSS("#bulk-action"), "status"), chromedp.WaitVisible(chromedp.CSS("#bulk-status")),
		chromedp.SetValue(chromedp.CSS("#bulk-status"), "contacted"))
	browsertest.Screenshot(t, tab, "leads-bulk-bar")
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(".bulk-bar button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector(".flash").textContent`), "Set status: Contacted (2 leads).")
	require.Contains(t, browsertest.Eval[string](t, tab, `location.search`), "status=new", "back on the list as it was filtered")
}

// "+ New" opens a contact's form in a dialog over the page: a refused save keeps what was typed
// and says why, a good one says so and links to the contact, and the page stays where it was.
func TestQuickAddFromAnyPage(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	tab := browsertest.Tab(t)
	login(t, app, tab, "rep1@demo.test")
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/pipeline"), chromedp.WaitVisible(chromedp.CSS(".board")))
	browsertest.Eval[bool](t, tab, `window.stillHere = true`)
	browsertest.Do(t, tab,
		chromedp.Click(chromedp.CSS(".quick-add summary")),
		chromedp.Click(chromedp.CSS(`.quick-menu a[href="/contacts/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#quick-dialog #f-last_name")),
		chromedp.SendKeys(chromedp.CSS("#quick-dialog #f-first_name"), "Quincy"),
		chromedp.Click(chromedp.CSS(`#quick-dialog button[type=submit].btn-primary`)),
		chromedp.WaitVisible(chromedp.CSS("#quick-dialog .error")),
	)
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector("#quick-dialog").textContent`), "This field is required.")
	require.Equal(t, "Quincy", browsertest.Eval[string](t, tab, `document.querySelector("#quick-dialog #f-first_name").value`))
	browsertest.Screenshot(t, tab, "quick-add-form")
	browsertest.Do(t, tab,
		chromedp.SendKeys(chromedp.CSS("#quick-dialog #f-last_name"), "Quickadd"),
		chromedp.Click(chromedp.CSS(`#quick-dialog button[type=submit].btn-primary`)),
		chromedp.WaitVisible(chromedp.CSS("#quick-dialog .quick-done")),
	)
	id := app.Scalar(t, "SELECT id::text FROM contacts WHERE last_name = 'Quickadd'")
	require.Equal(t, "/contacts/"+id, browsertest.Eval[string](t, tab, `document.querySelector("#quick-dialog .quick-done a").getAttribute("href")`))
	require.True(t, browsertest.Eval[bool](t, tab, `window.stillHere === true && location.pathname === "/pipeline"`), "the page stayed")
	browsertest.Screenshot(t, tab, "quick-add-done")
}

// Merging from a contact's page: choose the other contact with the picker, compare, keep the
// other's email, merge; the other contact is gone and its email stays.
func TestMergeInTheBrowser(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	keep := app.Scalar(t, `INSERT INTO contacts (owner_id, first_name, last_name, email) SELECT id, 'Wren', 'Abernathy', 'wren@first.test'
		FROM users WHERE email = 'rep1@demo.test' RETURNING id::text`)
	gone := app.Scalar(t, `INSERT INTO contacts (owner_id, first_name, last_name, email) SELECT id, 'Wren', 'Abernathy-Cole', 'wren@second.test'
		FROM users WHERE email = 'rep1@demo.test' RETURNING id::text`)
	tab := browsertest.Tab(t)
	login(t, app, tab, "rep1@demo.test")
	browsertest.Do(t, tab,
		chromedp.Navigate(app.URL+"/contacts/"+keep),
		chromedp.Click(chromedp.CSS(`a[href="/contacts/`+keep+`/merge"]`)),
		chromedp.WaitVisible(chromedp.CSS("#f-with")),
		chromedp.SendKeys(chromedp.CSS("#f-with"), "Abernathy-Cole"),
		chromedp.WaitVisible(chromedp.CSS(`.choices li[data-id="`+gone+`"]`)),
		chromedp.Click(chromedp.CSS(`.choices li[data-id="`+gone+`"]`)),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("table.merge")),
		chromedp.Click(chromedp.CSS(`input[name="pick_email"][value="other"]`)),
	)
	browsertest.Screenshot(t, tab, "merge-compare")
	browsertest.Eval[bool](t, tab, `(window.confirm = () => true, true)`)
	browsertest.Do(t, tab, chromedp.Click(chromedp.CSS(`form[method=post] .form-actions button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	require.Contains(t, browsertest.Eval[string](t, tab, `document.querySelector(".flash").textContent`), "Merged Wren Abernathy-Cole into Wren Abernathy")
	require.Equal(t, "wren@second.test", app.Scalar(t, "SELECT email::text FROM contacts WHERE id = $1", keep))
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM contacts WHERE id = $1", gone))
}
