package accounts_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

func scalar(t *testing.T, app *webtest.App, sql string, args ...any) string {
	t.Helper()
	var s string
	require.NoError(t, app.Pool.QueryRow(context.Background(), sql, args...).Scan(&s))
	return s
}

func TestCreateAccountKeepsEveryValueOnError(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	me := scalar(t, app, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	taken := scalar(t, app, "SELECT domain::text FROM accounts WHERE domain IS NOT NULL LIMIT 1")
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
	require.Contains(t, r.Body, "Another account already has this domain.", "the URL was reduced to the domain, and it is taken")
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
	other := scalar(t, app, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	r := rep.Post("/accounts", url.Values{"name": {"Gift"}, "owner_id": {other}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "You can only own this record yourself.")
	require.Equal(t, "0", scalar(t, app, "SELECT count(*)::text FROM accounts WHERE name = 'Gift'"))
}

func TestManagerReassignsWithinTheTeamOnly(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	m := app.Login(t, "manager@demo.test")
	id := scalar(t, app, "SELECT min(a.id)::text FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test'")
	rep2 := scalar(t, app, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	admin := scalar(t, app, "SELECT id::text FROM users WHERE email = 'admin@demo.test'")
	name := scalar(t, app, "SELECT name FROM accounts WHERE id = $1", id)
	version := scalar(t, app, "SELECT version::text FROM accounts WHERE id = $1", id)

	r := m.Post("/accounts/"+id, url.Values{"name": {name}, "owner_id": {admin}, "version": {version}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "you can give records only to people in your scope")

	r = m.Post("/accounts/"+id, url.Values{"name": {name}, "owner_id": {rep2}, "version": {version}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, rep2, scalar(t, app, "SELECT owner_id::text FROM accounts WHERE id = $1", id))
	require.Equal(t, scalar(t, app, "SELECT team_id::text FROM users WHERE id = $1", rep2), scalar(t, app, "SELECT team_id::text FROM accounts WHERE id = $1", id))
}

func TestStaleEditIsRefusedWithWhatChanged(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	m := app.Login(t, "manager@demo.test")
	id := scalar(t, app, "SELECT min(a.id)::text FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test'")
	me := scalar(t, app, "SELECT owner_id::text FROM accounts WHERE id = $1", id)
	version := scalar(t, app, "SELECT version::text FROM accounts WHERE id = $1", id)

	require.Equal(t, http.StatusSeeOther, m.Post("/accounts/"+id, url.Values{"name": {"Renamed by Morgan"}, "owner_id": {me}, "version": {version}}).Status)
	r := rep.Post("/accounts/"+id, url.Values{"name": {"My own idea"}, "industry": {"Robots"}, "owner_id": {me}, "version": {version}})
	require.Equal(t, http.StatusConflict, r.Status)
	require.Contains(t, r.Body, "Someone saved this record while you were editing.")
	require.Contains(t, r.Body, "Morgan Manager changed <b>name</b>")
	require.Contains(t, r.Body, "to “Renamed by Morgan”")
	require.Contains(t, r.Body, `value="My own idea"`, "the rep's typing is kept")
	require.Equal(t, "Renamed by Morgan", scalar(t, app, "SELECT name FROM accounts WHERE id = $1", id))

	// Saving again, on purpose, over the newer version works.
	newVersion := scalar(t, app, "SELECT version::text FROM accounts WHERE id = $1", id)
	require.Contains(t, r.Body, `name="version" value="`+newVersion+`"`)
	require.Equal(t, http.StatusSeeOther, rep.Post("/accounts/"+id, url.Values{"name": {"My own idea"}, "owner_id": {me}, "version": {newVersion}}).Status)
}

func TestAccountWithContactsOrDealsIsNotDeleted(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	id := scalar(t, app, "SELECT min(account_id)::text FROM opportunities")
	contacts := scalar(t, app, "SELECT count(*)::text FROM contacts WHERE account_id = $1", id)
	r := admin.Post("/accounts/"+id+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	page := admin.Get("/accounts/" + id).Body
	require.Contains(t, page, "still has "+contacts+" contact")
	require.Contains(t, page, "Delete them or move them to another account first.")

	me := scalar(t, app, "SELECT id::text FROM users WHERE email = 'admin@demo.test'")
	r = admin.Post("/accounts", url.Values{"name": {"Short-lived"}, "owner_id": {me}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	r = admin.Post(r.Header.Get("Location")+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "0", scalar(t, app, "SELECT count(*)::text FROM accounts WHERE name = 'Short-lived'"))
}

func TestAccountPageTotalsItsDeals(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	id := scalar(t, app, "SELECT account_id::text FROM opportunities GROUP BY account_id ORDER BY count(*) DESC LIMIT 1")
	open := scalar(t, app, `SELECT to_char(coalesce(sum(o.amount), 0), 'FM999,999,999') FROM opportunities o
		JOIN pipeline_stages s ON s.id = o.stage_id WHERE o.account_id = $1 AND s.kind = 'open'`, id)
	page := admin.Get("/accounts/" + id).Body
	require.Contains(t, page, `<span class="num">$`+open+`</span><span class="label">open</span>`)
}
