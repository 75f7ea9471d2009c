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
	require.Contains(t, page, "€25,000", "money is shown one way: symbol, then amount")
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

// A deal's page closes it in one click (won) or two (lost, with a reason), moves it along its
// stage bar, and comes back to the deal; its details are shown as its tiles are.
func TestDealPageWinsLosesAndMovesTheDeal(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	id := app.Scalar(t, `SELECT min(o.id)::text FROM opportunities o JOIN users u ON u.id = o.owner_id JOIN pipeline_stages s ON s.id = o.stage_id
		WHERE u.email = 'rep1@demo.test' AND s.kind = 'open' AND o.currency = 'USD'`)
	app.Exec(t, "UPDATE opportunities SET amount = 35000, close_date = '2027-01-18' WHERE id = $1", id)
	version := func() string { return app.Scalar(t, "SELECT version::text FROM opportunities WHERE id = $1", id) }
	stage := func(kind string) string {
		return app.Scalar(t, "SELECT min(id)::text FROM pipeline_stages WHERE kind = $1", kind)
	}

	page := rep.Get("/opportunities/" + id).Body
	require.Contains(t, page, `<span class="value">$35,000</span>`)
	require.Contains(t, page, `<span class="value">18 Jan 2027</span>`)
	require.Contains(t, page, `<button class="btn btn-won" type="submit">Won</button>`)
	require.Contains(t, page, `href="/pipeline/move?id=`+id+`&amp;stage_id=`+stage("lost")+`&amp;from=deal">Lost…</a>`)
	require.Contains(t, page, `aria-current="step"`, "the stage bar marks where the deal is")

	negotiation := app.Scalar(t, "SELECT id::text FROM pipeline_stages WHERE name = 'Negotiation'")
	r := rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version()}, "from": {"deal"}, "stage_id": {negotiation}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "/opportunities/"+id, r.Header.Get("Location"), "a click on the stage bar stays on the deal")
	require.Contains(t, rep.Get("/opportunities/"+id).Body, "Moved to Negotiation.")

	lost := rep.Get("/pipeline/move?id=" + id + "&stage_id=" + stage("lost") + "&from=deal").Body
	require.Contains(t, lost, `data-kind="lost" selected>`)
	require.Contains(t, lost, `href="/opportunities/`+id+`">Back to the deal</a>`)
	r = rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version()}, "from": {"deal"}, "stage_id": {stage("lost")}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "lost needs a reason")
	r = rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version()}, "from": {"deal"}, "stage_id": {stage("lost")}, "lost_reason": {"Budget frozen"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	page = rep.Get("/opportunities/" + id).Body
	require.Contains(t, page, "Budget frozen")
	require.NotContains(t, page, "btn-won", "a closed deal offers no Won button")

	r = rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version()}, "from": {"deal"}, "stage_id": {stage("won")}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "won|", app.Scalar(t, `SELECT s.kind || '|' || o.lost_reason FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id WHERE o.id = $1`, id))
}

// Every open deal shows its next step (its earliest open task or coming meeting) on its card,
// its row and its page, or says in warning colour that none is scheduled.
func TestEveryOpenDealShowsItsNextStep(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	id := app.Scalar(t, `SELECT min(o.id)::text FROM opportunities o JOIN users u ON u.id = o.owner_id JOIN pipeline_stages s ON s.id = o.stage_id
		WHERE u.email = 'rep1@demo.test' AND s.kind = 'open'`)
	app.Exec(t, "DELETE FROM activities WHERE opportunity_id = $1", id)
	app.Exec(t, "UPDATE opportunities SET name = 'Nextstep Test Deal' WHERE id = $1", id)
	none := `<span class="next-step none">No next step scheduled</span>`
	board, list, page := "/pipeline?owner=me", "/opportunities?q=nextstep", "/opportunities/"+id
	for _, path := range []string{board, list, page} {
		require.Contains(t, rep.Get(path).Body, none, path)
	}

	app.Exec(t, `INSERT INTO activities (owner_id, type, subject, due_at, opportunity_id)
		SELECT owner_id, 'task', 'Send the revised quote', now() + interval '3 days', id FROM opportunities WHERE id = $1`, id)
	app.Exec(t, `INSERT INTO activities (owner_id, type, subject, starts_at, opportunity_id)
		SELECT owner_id, 'meeting', 'Demo with the buyer', now() + interval '6 days', id FROM opportunities WHERE id = $1`, id)
	app.Exec(t, `INSERT INTO activities (owner_id, type, subject, due_at, done_at, opportunity_id)
		SELECT owner_id, 'task', 'Already done', now() - interval '1 day', now(), id FROM opportunities WHERE id = $1`, id)
	for _, path := range []string{board, list, page} {
		body := rep.Get(path).Body
		require.Contains(t, body, `<span class="truncate">Send the revised quote</span>`, path)
		require.NotContains(t, body, "Already done", path)
	}
	require.NotContains(t, rep.Get(page).Body, none)

	app.Exec(t, "UPDATE activities SET due_at = now() - interval '2 days' WHERE subject = 'Send the revised quote'")
	require.Contains(t, rep.Get(page).Body, `<span class="next-step overdue">`, "an overdue step is red")
}
