package opportunities_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

func TestOpportunityFormRefusesWhatTheDatabaseWould(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	me := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	account := app.Scalar(t, "SELECT min(id)::text FROM accounts WHERE owner_id = $1", me)
	elsewhere := app.Scalar(t, "SELECT min(id)::text FROM contacts WHERE account_id <> $1 AND team_id = (SELECT team_id FROM users WHERE id = $2)", account, me)
	lost := app.Scalar(t, "SELECT id::text FROM pipeline_stages WHERE kind = 'lost'")
	form := url.Values{"name": {"Big one"}, "account_id": {account}, "account_id_label": {"whatever"}, "contact_id": {elsewhere},
		"stage_id": {lost}, "amount": {"0"}, "currency": {"XXX"}, "close_date": {"1999-01-01"}, "owner_id": {me}}
	r := rep.Post("/opportunities", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	for _, msg := range []string{"Enter an amount greater than 0.", "Choose one of the options.",
		"Enter a close date within five years back and ten years ahead.", "This contact works at another account",
		"Say why the deal was lost"} {
		require.Contains(t, r.Body, msg)
	}
	require.Contains(t, r.Body, `value="Big one"`)

	form.Set("amount", "25000")
	form.Set("currency", "EUR")
	form.Set("close_date", "2026-12-15")
	form.Del("contact_id")
	form.Set("lost_reason", "Went with a competitor")
	r = rep.Post("/opportunities", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	page := rep.Get(r.Header.Get("Location")).Body
	require.Contains(t, page, "25,000 EUR")
	require.Contains(t, page, "Went with a competitor")
	require.Equal(t, "true", app.Scalar(t, "SELECT (closed_at IS NOT NULL)::text FROM opportunities WHERE name = 'Big one'"))
}

func TestStageChangeIsRecordedAndShownAsHistory(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	id := app.Scalar(t, `SELECT min(o.id)::text FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
		JOIN users u ON u.id = o.owner_id WHERE u.email = 'rep1@demo.test' AND s.kind = 'open'`)
	var name, account, amount, closeDate, owner, version string
	require.NoError(t, app.Pool.QueryRow(context.Background(), `SELECT name, account_id::text, amount::text, close_date::text,
		owner_id::text, version::text FROM opportunities WHERE id = $1`, id).Scan(&name, &account, &amount, &closeDate, &owner, &version))
	won := app.Scalar(t, "SELECT id::text FROM pipeline_stages WHERE kind = 'won'")
	r := rep.Post("/opportunities/"+id, url.Values{"name": {name}, "account_id": {account}, "stage_id": {won}, "amount": {amount},
		"currency": {"USD"}, "close_date": {closeDate}, "owner_id": {owner}, "version": {version}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	page := rep.Get("/opportunities/" + id).Body
	require.Contains(t, page, "→ <b>Closed Won</b>")
	require.Contains(t, page, "Riley Rep")
	require.Equal(t, "true", app.Scalar(t, "SELECT (closed_at IS NOT NULL)::text FROM opportunities WHERE id = $1", id))
}

func TestOpportunitiesFilterByStageAmountAndCloseDate(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	stage := app.Scalar(t, "SELECT stage_id::text FROM opportunities GROUP BY stage_id ORDER BY count(*) DESC LIMIT 1")
	want := app.Scalar(t, "SELECT count(*)::text FROM opportunities WHERE stage_id = $1 AND amount BETWEEN 20000 AND 60000", stage)
	r := admin.Get("/opportunities?per_page=100&stage=" + stage + "&amount_min=20000&amount_max=60000")
	require.Contains(t, r.Body, "of "+want+"\n")
	from, to := "2026-01-01", "2026-12-31"
	want = app.Scalar(t, "SELECT count(*)::text FROM opportunities WHERE close_date BETWEEN $1 AND $2", from, to)
	require.Contains(t, admin.Get("/opportunities?per_page=100&close_from="+from+"&close_to="+to).Body, "of "+want+"\n")
}
