package accounts_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

func TestCreateAccountKeepsEveryValueOnError(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	me := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	taken := app.Scalar(t, "SELECT domain::text FROM accounts WHERE domain IS NOT NULL LIMIT 1")
	form := url.Values{"name": {"Acme <Widgets>"}, "domain": {"https://www." + strings.ToUpper(taken) + "/"}, "industry": {"Tools"},
		"employees": {"-3"}, "annual_revenue": {"12,5x"}, "city": {"Zürich"}, "owner_id": {me}}
	r := rep.Post("/accounts", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, `value="Acme &lt;Widgets&gt;"`)
	require.Contains(t, r.Body, `value="Zürich"`)
	require.Contains(t, r.Body, "Enter a whole number from 0 to 10000000.")
	require.Contains(t, r.Body, "Enter an amount like 12500 or 12500.50.")

	form.Set("employees", "40")
	form.Set("annual_revenue", "1,250,000")
	r = rep.Post("/accounts", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This domain is already in use.", "the URL was reduced to the domain, and it is taken")
	require.Contains(t, r.Body, `value="`+taken+`"`)

	form.Set("domain", "acme-widgets.example")
	r = rep.Post("/accounts", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	page := rep.Get(r.Header.Get("Location")).Body
	require.Contains(t, page, "Acme &lt;Widgets&gt;")
	require.Contains(t, page, "$1,250,000")
}

func TestRepCannotGiveAnAccountToSomeoneElse(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	other := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	r := rep.Post("/accounts", url.Values{"name": {"Gift"}, "owner_id": {other}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "You can only own this record yourself.")
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM accounts WHERE name = 'Gift'"))
}

func TestManagerReassignsWithinTheTeamOnly(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	m := app.Login(t, "manager@demo.test")
	id := app.Scalar(t, "SELECT min(a.id)::text FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test'")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	admin := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'admin@demo.test'")
	name := app.Scalar(t, "SELECT name FROM accounts WHERE id = $1", id)
	version := app.Scalar(t, "SELECT version::text FROM accounts WHERE id = $1", id)

	r := m.Post("/accounts/"+id, url.Values{"name": {name}, "owner_id": {admin}, "version": {version}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "you can give records only to people in your scope")

	r = m.Post("/accounts/"+id, url.Values{"name": {name}, "owner_id": {rep2}, "version": {version}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, rep2, app.Scalar(t, "SELECT owner_id::text FROM accounts WHERE id = $1", id))
	require.Equal(t, app.Scalar(t, "SELECT team_id::text FROM users WHERE id = $1", rep2), app.Scalar(t, "SELECT team_id::text FROM accounts WHERE id = $1", id))
}

func TestStaleEditIsRefusedWithWhatChanged(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	m := app.Login(t, "manager@demo.test")
	id := app.Scalar(t, "SELECT min(a.id)::text FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test'")
	me := app.Scalar(t, "SELECT owner_id::text FROM accounts WHERE id = $1", id)
	version := app.Scalar(t, "SELECT version::text FROM accounts WHERE id = $1", id)

	require.Equal(t, http.StatusSeeOther, m.Post("/accounts/"+id, url.Values{"name": {"Renamed by Morgan"}, "owner_id": {me}, "version": {version}}).Status)
	r := rep.Post("/accounts/"+id, url.Values{"name": {"My own idea"}, "industry": {"Robots"}, "owner_id": {me}, "version": {version}})
	require.Equal(t, http.StatusConflict, r.Status)
	require.Contains(t, r.Body, "Someone saved this record while you were editing.")
	require.Contains(t, r.Body, "Morgan Manager changed the name from “Redwood Analytics” to “<b>Renamed by Morgan</b>”")
	require.Contains(t, r.Body, `value="My own idea"`, "the rep's typing is kept")
	require.Equal(t, "Renamed by Morgan", app.Scalar(t, "SELECT name FROM accounts WHERE id = $1", id))

	// Saving again, on purpose, over the newer version works.
	newVersion := app.Scalar(t, "SELECT version::text FROM accounts WHERE id = $1", id)
	require.Contains(t, r.Body, `name="version" value="`+newVersion+`"`)
	require.Equal(t, http.StatusSeeOther, rep.Post("/accounts/"+id, url.Values{"name": {"My own idea"}, "owner_id": {me}, "version": {newVersion}}).Status)
}

func TestAccountWithContactsOrDealsIsNotDeleted(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	id := app.Scalar(t, "SELECT min(account_id)::text FROM opportunities")
	contacts := app.Scalar(t, "SELECT count(*)::text FROM contacts WHERE account_id = $1", id)
	r := admin.Post("/accounts/"+id+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	page := admin.Get("/accounts/" + id).Body
	require.Contains(t, page, "still has "+contacts+" contact")
	require.Contains(t, page, "Delete them or move them to another account first.")

	me := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'admin@demo.test'")
	r = admin.Post("/accounts", url.Values{"name": {"Short-lived"}, "owner_id": {me}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	r = admin.Post(r.Header.Get("Location")+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM accounts WHERE name = 'Short-lived'"))
}

func TestAccountPageTotalsItsDeals(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	id := app.Scalar(t, "SELECT account_id::text FROM opportunities GROUP BY account_id ORDER BY count(*) DESC LIMIT 1")
	open := app.Scalar(t, `SELECT to_char(coalesce(sum(o.amount), 0), 'FM999,999,999') FROM opportunities o
		JOIN pipeline_stages s ON s.id = o.stage_id WHERE o.account_id = $1 AND s.kind = 'open'`, id)
	page := admin.Get("/accounts/" + id).Body
	require.Contains(t, page, `<span class="num">$`+open+`</span><span class="label">open</span>`)
}
