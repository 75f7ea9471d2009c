package search_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// records gives rep1 a lead, contact, deal and activity with the made-up word "Quorvex", rep2
// (same team) a lead and a deal with it, and returns rep1's contact id and activity id.
func records(t *testing.T, app *webtest.App) (contact, activity string) {
	t.Helper()
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	account := app.Scalar(t, "SELECT min(id)::text FROM accounts WHERE owner_id = $1", rep1)
	stage := app.Scalar(t, "SELECT min(s.id)::text FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id WHERE p.is_default AND s.kind = 'open'")
	app.Exec(t, "INSERT INTO leads (owner_id, first_name, last_name, company) VALUES ($1, 'Lena', 'Quorvex', 'Brightwater'), ($2, 'Hidden', 'Quorvex', 'Rivals Inc')", rep1, rep2)
	contact = app.Scalar(t, `INSERT INTO contacts (owner_id, account_id, first_name, last_name, email, phone)
		VALUES ($1, $2, 'Ada', 'Quorvex', 'ada.q@quorvex-mail.test', '+1 (555) 013-4477') RETURNING id::text`, rep1, account)
	// Newer, but matching only by prefix: the exact word ranks above it.
	app.Exec(t, "INSERT INTO contacts (owner_id, account_id, first_name, last_name) VALUES ($1, $2, 'Ben', 'Quorvexson')", rep1, account)
	app.Exec(t, `INSERT INTO opportunities (owner_id, name, account_id, pipeline_id, stage_id, amount, close_date)
		SELECT $1::bigint, 'Quorvex renewal', $3::bigint, s.pipeline_id, s.id, 1000, current_date + 30 FROM pipeline_stages s WHERE s.id = $4::bigint
		UNION ALL SELECT $2::bigint, 'Quorvex secret deal', $3::bigint, s.pipeline_id, s.id, 1000, current_date + 30 FROM pipeline_stages s WHERE s.id = $4::bigint`,
		rep1, rep2, account, stage)
	activity = app.Scalar(t, "INSERT INTO activities (owner_id, type, subject, contact_id) VALUES ($1, 'call', 'Quorvex kickoff', $2) RETURNING id::text", rep1, contact)
	return contact, activity
}

func TestSearchFindsEveryKindTheUserMaySeeAndNothingElse(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	contact, activity := records(t, app)
	rep := app.Login(t, "rep1@demo.test")

	r := rep.Get("/search?q=quorvex")
	require.Equal(t, http.StatusOK, r.Status)
	for _, want := range []string{">Leads</h2>", ">Contacts</h2>", ">Opportunities</h2>", ">Activities</h2>",
		"Lena Quorvex", "Ada Quorvex", "Ben Quorvexson", "Quorvex renewal", "Quorvex kickoff",
		`href="/contacts/` + contact + `"`, `href="/contacts/` + contact + `#activity-` + activity + `"`} {
		require.Contains(t, r.Body, want)
	}
	require.NotContains(t, r.Body, "Hidden Quorvex", "another rep's lead")
	require.NotContains(t, r.Body, "Quorvex secret deal", "another rep's deal")
	require.Less(t, strings.Index(r.Body, "Ada Quorvex"), strings.Index(r.Body, "Ben Quorvexson"),
		"the whole word ranks above a newer prefix match")

	admin := app.Login(t, "admin@demo.test")
	r = admin.Get("/search?q=quorvex")
	require.Contains(t, r.Body, "Hidden Quorvex")
	require.Contains(t, r.Body, "Quorvex secret deal")
}

func TestSearchMatchesEmailPhoneAndTypos(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	records(t, app)
	rep := app.Login(t, "rep1@demo.test")

	for _, q := range []string{"ada.q@quorvex-mail.test", "quorvex-mail", "15550134477", "555 013 4477"} {
		r := rep.Get("/search?q=" + url.QueryEscape(q))
		require.Contains(t, r.Body, "Ada Quorvex", q)
	}

	r := rep.Get("/search?q=ada+quorvx")
	require.Contains(t, r.Body, "Nothing matches “ada quorvx”. Showing results for “<b>ada quorvex</b>”.")
	require.Contains(t, r.Body, "Ada Quorvex")
	r = rep.Get("/search?q=quorvx")
	require.Contains(t, r.Body, "Lena Quorvex")
	require.NotContains(t, r.Body, "Hidden Quorvex", "corrected results stay inside the user's scope")
	require.NotContains(t, r.Body, "secret deal")
	r = rep.Get("/search?q=rivalz")
	require.Contains(t, r.Body, "Nothing you can see matches “rivalz”", "a word only in others' records is no correction")
	require.NotContains(t, r.Body, "rivals")

	r = rep.Get("/search?q=zzxqwv")
	require.Contains(t, r.Body, "Nothing you can see matches “zzxqwv”")
	r = rep.Get("/search")
	require.Contains(t, r.Body, "Type a name, company, email, phone number or activity subject.")
}

func TestHeaderSuggestionsAreAShortListWithoutTheLayout(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	records(t, app)
	rep := app.Login(t, "rep1@demo.test")
	app.Exec(t, "INSERT INTO contacts (owner_id, last_name) SELECT id, 'Quorvex ' || n FROM users, generate_series(1, 10) n WHERE email = 'rep1@demo.test'")

	r := rep.Get("/search?q=quorvex", "HX-Request", "true", "HX-Target", "ul#search-suggest")
	require.Equal(t, http.StatusOK, r.Status)
	require.NotContains(t, r.Body, "<html")
	require.Contains(t, r.Body, `role="option"`)
	require.Equal(t, 1, strings.Count(r.Body, ">Contacts</li>"))
	contacts := r.Body[strings.Index(r.Body, ">Contacts</li>"):]
	if end := strings.Index(contacts[1:], `class="group"`); end > 0 {
		contacts = contacts[:end]
	}
	require.Equal(t, 3, strings.Count(contacts, `href="/contacts/`), "three contacts as you type")
	require.Contains(t, r.Body, `href="/search?q=quorvex"`, "the last option opens every result")

	page := rep.Get("/search?q=quorvex")
	require.Contains(t, page.Body, `href="/contacts?q=quorvex"`, "a full group links to its list searched the same way")
}

// A task from the top bar's "+ New": the record it is for is picked among every type the user
// may see, and a missing or hidden one is refused beside the field.
func TestNewTaskForAnyRecord(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	contact, _ := records(t, app)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	hidden := app.Scalar(t, "SELECT id::text FROM leads WHERE last_name = 'Quorvex' AND company = 'Rivals Inc'")
	rep := app.Login(t, "rep1@demo.test")

	form := rep.Get("/activities/new")
	require.Equal(t, http.StatusOK, form.Status)
	require.Contains(t, form.Body, `data-picker="/search/pick"`)
	pick := rep.Get("/search/pick?q=quorvex")
	require.Contains(t, pick.Body, `data-id="contacts:`+contact+`"`)
	require.Contains(t, pick.Body, "Contact · ")
	require.NotContains(t, pick.Body, "leads:"+hidden)

	task := url.Values{"subject": {"Send the Quorvex quote"}, "due_at": {"2027-01-05T09:00"}, "owner_id": {rep1}}
	r := rep.Post("/activities/new", task)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Choose the lead, account, contact or deal the task is for.")
	require.Contains(t, r.Body, `value="Send the Quorvex quote"`)
	task.Set("related", "leads:"+hidden)
	r = rep.Post("/activities/new", task)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Choose a record you can see")

	task.Set("related", "contacts:"+contact)
	r = rep.Post("/activities/new", task)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "/contacts/"+contact, r.Header.Get("Location"))
	require.Equal(t, "task "+rep1, app.Scalar(t, "SELECT type || ' ' || owner_id FROM activities WHERE subject = 'Send the Quorvex quote' AND contact_id = $1 AND done_at IS NULL", contact))
}
