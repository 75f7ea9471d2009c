package leads_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

func count(t *testing.T, app *webtest.App, table string) string {
	return app.Scalar(t, "SELECT count(*)::text FROM "+table)
}

// newLead makes a lead of rep1's with one activity, and returns its id.
func newLead(t *testing.T, app *webtest.App, email string) string {
	t.Helper()
	return app.Scalar(t, `WITH l AS (
		INSERT INTO leads (owner_id, first_name, last_name, company, email, status)
		SELECT id, 'Ada', 'Byron', 'Analytical Engines', $1, 'qualified' FROM users WHERE email = 'rep1@demo.test'
		RETURNING id, owner_id), a AS (
		INSERT INTO activities (owner_id, type, subject, lead_id) SELECT owner_id, 'call', 'First call', id FROM l)
		SELECT id::text FROM l`, email)
}

func conversionForm(t *testing.T, app *webtest.App, lead string) url.Values {
	return url.Values{"version": {app.Scalar(t, "SELECT version::text FROM leads WHERE id = $1", lead)},
		"account": {"new"}, "account_name": {"Analytical Engines"}, "account_domain": {"engines.example"},
		"first_name": {"Ada"}, "last_name": {"Byron"}, "email": {"ada@engines.example"},
		"owner_id":           {app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")},
		"create_opportunity": {"on"}, "opp_name": {"Engines – Difference engine"}, "opp_amount": {"48000"},
		"opp_stage_id":   {app.Scalar(t, "SELECT min(id)::text FROM pipeline_stages WHERE kind = 'open'")},
		"opp_close_date": {"2027-03-01"}}
}

func TestConvertingALeadMakesAccountContactAndDealOnce(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	lead := newLead(t, app, "ada@engines.example")

	page := rep.Get("/leads/" + lead + "/convert").Body
	require.Contains(t, page, `value="engines.example"`, "the account domain comes from the email")
	require.Contains(t, page, `value="Analytical Engines"`)

	r := rep.Post("/leads/"+lead+"/convert", conversionForm(t, app, lead))
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	account := app.Scalar(t, "SELECT converted_account_id::text FROM leads WHERE id = $1", lead)
	require.Equal(t, "/accounts/"+account, r.Header.Get("Location"))
	require.Equal(t, "converted", app.Scalar(t, "SELECT status::text FROM leads WHERE id = $1", lead))
	contact := app.Scalar(t, "SELECT converted_contact_id::text FROM leads WHERE id = $1", lead)
	require.Equal(t, account, app.Scalar(t, "SELECT account_id::text FROM contacts WHERE id = $1", contact))
	require.Equal(t, contact, app.Scalar(t, "SELECT contact_id::text FROM opportunities WHERE id = (SELECT converted_opportunity_id FROM leads WHERE id = $1)", lead))
	require.Equal(t, contact, app.Scalar(t, "SELECT contact_id::text FROM activities WHERE lead_id = $1", lead), "the activity moved along")
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM record_history WHERE entity = 'leads' AND record_id = $1 AND field = 'status' AND new_value = 'converted'", lead))

	acct := rep.Get(r.Header.Get("Location")).Body
	require.Contains(t, acct, "Engines – Difference engine")
	require.Contains(t, acct, "Ada Byron")
	leadPage := rep.Get("/leads/" + lead).Body
	require.Contains(t, leadPage, `Account: <a href="/accounts/`+account+`">Analytical Engines</a>`, "it names what the lead became")
	require.Contains(t, leadPage, `Contact: <a href="/contacts/`+contact+`">Ada Byron</a>`)
	require.Contains(t, leadPage, `">Engines – Difference engine</a>`)
	require.NotContains(t, leadPage, "/convert")
	timeline := rep.Get("/leads/"+lead+"/timeline", "HX-Request", "true").Body
	require.NotContains(t, timeline, `id="log-form"`, "nothing more is logged on a converted lead")
	r = rep.Post("/leads/"+lead+"/activities", url.Values{"type": {"note"}, "subject": {"Late note"}})
	require.Equal(t, http.StatusConflict, r.Status)
	require.Contains(t, r.Body, "Log activities on the contact it became.")

	// Converted is final: no second conversion, no editing as a lead.
	before := count(t, app, "accounts")
	require.Equal(t, http.StatusConflict, rep.Post("/leads/"+lead+"/convert", conversionForm(t, app, lead)).Status)
	require.Equal(t, before, count(t, app, "accounts"))
	require.Equal(t, http.StatusConflict, rep.Get("/leads/"+lead+"/edit").Status)
	r = rep.Post("/leads/"+lead, url.Values{"last_name": {"Lovelace"}, "status": {"new"}, "owner_id": {conversionForm(t, app, lead).Get("owner_id")}, "version": {"1"}})
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "Byron", app.Scalar(t, "SELECT last_name FROM leads WHERE id = $1", lead))
}

// The contact fails after the account was made; the whole conversion is undone and the user
// sees why, with their input kept.
func TestFailedConversionLeavesNothingHalfMade(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	lead := newLead(t, app, "ada@engines.example")
	taken := app.Scalar(t, "SELECT email::text FROM contacts WHERE email IS NOT NULL ORDER BY id LIMIT 1")
	form := conversionForm(t, app, lead)
	form.Set("email", taken)
	counts := map[string]string{}
	for _, table := range []string{"accounts", "contacts", "opportunities", "record_history"} {
		counts[table] = count(t, app, table)
	}

	r := rep.Post("/leads/"+lead+"/convert", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This email address is already in use.")
	require.Contains(t, r.Body, `value="Engines – Difference engine"`)
	for table, n := range counts {
		require.Equal(t, n, count(t, app, table), table)
	}
	require.Equal(t, "qualified", app.Scalar(t, "SELECT status::text FROM leads WHERE id = $1", lead))
	require.Equal(t, "", app.Scalar(t, "SELECT coalesce(contact_id::text, '') FROM activities WHERE lead_id = $1", lead))
}

func TestConvertIntoAnExistingAccount(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	account := app.Scalar(t, "SELECT min(a.id)::text FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test'")
	domain := app.Scalar(t, "SELECT domain::text FROM accounts WHERE id = $1", account)
	lead := newLead(t, app, "ada@"+domain)
	page := rep.Get("/leads/" + lead + "/convert").Body
	require.Contains(t, page, `name="account" value="`+account+`" checked`, "the account with the email's domain is suggested")

	form := conversionForm(t, app, lead)
	form.Set("account", account)
	form.Del("create_opportunity")
	before := count(t, app, "accounts")
	r := rep.Post("/leads/"+lead+"/convert", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, before, count(t, app, "accounts"))
	require.Equal(t, account, app.Scalar(t, "SELECT converted_account_id::text FROM leads WHERE id = $1", lead))
	require.Equal(t, "", app.Scalar(t, "SELECT coalesce(converted_opportunity_id::text, '') FROM leads WHERE id = $1", lead))
}

func TestLeadFormValidatesAndKeepsValues(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	me := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	r := rep.Post("/leads", url.Values{"first_name": {"Grace"}, "email": {"grace@"}, "status": {"converted"}, "source": {"Carrier pigeon"}, "owner_id": {me}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Give the lead a last name or a company.")
	require.Contains(t, r.Body, "Enter an email address like name@example.com.")
	require.Contains(t, r.Body, `value="Grace"`)
	require.Contains(t, r.Body, `value="grace@"`)
	r = rep.Post("/leads", url.Values{"first_name": {"Grace"}, "last_name": {"Hopper"}, "status": {"new"}, "source": {"Referral"}, "owner_id": {me}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Contains(t, rep.Get("/leads?q=hopper").Body, "Grace Hopper")
}
