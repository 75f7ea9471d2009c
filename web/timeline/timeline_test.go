package timeline_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/timeline"
	"github.com/crm-team/crm/web/webtest"
)

// Paging the timeline with "load more" shows every entry exactly once, newest first.
func TestTimelinePagesShowEachEntryOnce(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	account := app.Scalar(t, "SELECT min(id)::text FROM accounts")
	app.Exec(t, `INSERT INTO activities (owner_id, type, subject, account_id, created_at)
		SELECT (SELECT owner_id FROM accounts WHERE id = $1), 'call', 'Call ' || g, $1, now() - g * interval '1 minute'
		FROM generate_series(1, 45) g`, account)
	c := app.Login(t, "admin@demo.test")
	want := app.Scalar(t, `SELECT count(*)::text FROM activities WHERE account_id = $1
		OR contact_id IN (SELECT id FROM contacts WHERE account_id = $1) OR opportunity_id IN (SELECT id FROM opportunities WHERE account_id = $1)`, account)
	seen := map[string]int{}
	var order []string
	next := "/accounts/" + account + "/timeline"
	for pages := 0; next != ""; pages++ {
		require.Less(t, pages, 10)
		body := c.Get(next, "HX-Request", "true").Body
		for _, part := range strings.Split(body, `<li class="entry`)[1:] {
			id := between(part, `datetime="`, `"`) + between(part, `class="subject">`, `<`)
			seen[id]++
			order = append(order, between(part, `datetime="`, `"`))
		}
		next = strings.ReplaceAll(between(body, `<li class="more"><button class="btn btn-quiet" type="button" hx-get="`, `"`), "&amp;", "&")
	}
	require.Len(t, seen, atoi(want))
	for id, n := range seen {
		require.Equal(t, 1, n, id)
	}
	for i := 1; i < len(order); i++ {
		require.GreaterOrEqual(t, order[i-1], order[i], "newest first")
	}
}

func TestLoggingANoteAddsItToTheTimeline(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	contact := app.Scalar(t, `SELECT min(c.id)::text FROM contacts c JOIN users u ON u.id = c.owner_id WHERE u.email = 'rep1@demo.test'`)
	path := "/contacts/" + contact + "/activities"

	r := rep.Post(path, url.Values{"type": {"call"}, "outcome": {"Left voicemail"}, "duration_minutes": {"900000"}}, "HX-Request", "true")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Say in a few words what this is about.")
	require.Contains(t, r.Body, "Enter a whole number from 0 to 1440.")
	require.Contains(t, r.Body, `value="Left voicemail"`)

	note := "Spoke to <b>procurement</b>.\nSpecs: https://example.com/specs?a=1&b=2"
	r = rep.Post(path, url.Values{"type": {"note"}, "body": {note}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	first := r.Body[strings.Index(r.Body, `<li class="entry`):]
	require.Contains(t, first[:strings.Index(first, "</li>")], "Spoke to &lt;b&gt;procurement&lt;/b&gt;.<br>Specs: ", "escaped, with the line break kept")
	require.Contains(t, first, `<a href="https://example.com/specs?a=1&amp;b=2" rel="noopener nofollow" target="_blank">`)
	require.Contains(t, first, "just now")

	// The contact's account shows it too.
	account := app.Scalar(t, "SELECT account_id::text FROM contacts WHERE id = $1", contact)
	require.Contains(t, rep.Get("/accounts/"+account+"/timeline", "HX-Request", "true").Body, "procurement")
}

func TestStageChangesAppearOnTheDealsTimeline(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	id := app.Scalar(t, `SELECT min(o.id)::text FROM opportunities o JOIN users u ON u.id = o.owner_id JOIN pipeline_stages s ON s.id = o.stage_id
		WHERE u.email = 'rep1@demo.test' AND s.kind = 'open'`)
	won := app.Scalar(t, "SELECT id::text FROM pipeline_stages WHERE kind = 'won'")
	version := app.Scalar(t, "SELECT version::text FROM opportunities WHERE id = $1", id)
	r := rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version}, "stage_id": {won}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status)
	body := rep.Get("/opportunities/"+id+"/timeline?type=change", "HX-Request", "true").Body
	require.Contains(t, body, "Changed the stage from “Qualification” to “<b>Closed Won</b>”")
	entries := body[strings.Index(body, `id="timeline-items"`):]
	require.Equal(t, 1, strings.Count(entries, "Riley Rep"), "who changed it is said once")
}

func TestOnlyWhatTheRoleAllowsCanBeReadOrDeleted(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	theirs := app.Scalar(t, "SELECT min(id)::text FROM leads WHERE owner_id = (SELECT id FROM users WHERE email = 'rep2@demo.test')")
	require.Equal(t, http.StatusNotFound, rep.Get("/leads/"+theirs+"/timeline", "HX-Request", "true").Status)
	require.Equal(t, http.StatusNotFound, rep.Post("/leads/"+theirs+"/activities", url.Values{"type": {"note"}, "body": {"x"}}).Status)

	mine := app.Scalar(t, "SELECT min(id)::text FROM activities WHERE owner_id = (SELECT id FROM users WHERE email = 'rep1@demo.test')")
	other := app.Scalar(t, "SELECT min(id)::text FROM activities WHERE owner_id = (SELECT id FROM users WHERE email = 'manager@demo.test')")
	require.Equal(t, http.StatusNotFound, rep.Post("/activities/"+other+"/delete", nil, "HX-Request", "true").Status)
	require.Equal(t, http.StatusOK, rep.Post("/activities/"+mine+"/delete", nil, "HX-Request", "true").Status)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM activities WHERE id = $1", mine))
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM activities WHERE id = $1", other))
}

func TestAgoSaysWhenLikePeopleDo(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		10 * time.Second: "just now", 3 * time.Minute: "3 minutes ago", time.Hour: "1 hour ago",
		5 * time.Hour: "5 hours ago", 30 * time.Hour: "yesterday", 4 * 24 * time.Hour: "4 days ago",
		90 * 24 * time.Hour: "28 Aug 2026",
	} {
		require.Equal(t, want, timeline.Ago(now.Add(-d), now))
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	return s[:strings.Index(s, end)]
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestOwnEntriesAreEditedInPlace(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	var id, account, version string
	require.NoError(t, app.Pool.QueryRow(context.Background(), `SELECT a.id::text, a.account_id::text, a.version::text FROM activities a
		JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test' AND a.account_id IS NOT NULL ORDER BY a.id LIMIT 1`).Scan(&id, &account, &version))
	r := rep.Get("/activities/"+id+"/edit?entity=accounts&record="+account, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, r.Body, `name="version" value="`+version+`"`)

	form := url.Values{"entity": {"accounts"}, "record": {account}, "version": {version}, "subject": {""}}
	r = rep.Post("/activities/"+id, form, "HX-Request", "true")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This field is required.")

	form.Set("subject", "Renamed call")
	form.Set("body", "Follow-up agreed")
	r = rep.Post("/activities/"+id, form, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Contains(t, r.Body, "Renamed call")
	r = rep.Post("/activities/"+id, form, "HX-Request", "true")
	require.Equal(t, http.StatusConflict, r.Status, "the old version is stale")

	other := app.Scalar(t, "SELECT min(id)::text FROM activities WHERE owner_id = (SELECT id FROM users WHERE email = 'rep2@demo.test')")
	require.Equal(t, http.StatusNotFound, rep.Get("/activities/"+other+"/edit?entity=accounts&record="+account).Status)
}

func TestAnAccountsTimelineNarrowsToOneOfItsContactsOrDeals(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	var account, contact string
	require.NoError(t, app.Pool.QueryRow(context.Background(), `SELECT account_id::text, min(id)::text FROM contacts
		WHERE account_id IS NOT NULL GROUP BY account_id HAVING count(*) > 1 ORDER BY account_id LIMIT 1`).Scan(&account, &contact))
	app.Exec(t, `INSERT INTO activities (owner_id, type, subject, contact_id) SELECT owner_id, 'note', 'Only about this contact', id FROM contacts WHERE id = $1`, contact)
	app.Exec(t, `INSERT INTO activities (owner_id, type, subject, account_id) SELECT owner_id, 'note', 'About the account', id FROM accounts WHERE id = $1`, account)
	c := app.Login(t, "admin@demo.test")
	all := c.Get("/accounts/"+account+"/timeline", "HX-Request", "true").Body
	require.Contains(t, all, "Only about this contact")
	require.Contains(t, all, "About the account")
	require.Contains(t, all, `value="contacts:`+contact+`"`)
	one := c.Get("/accounts/"+account+"/timeline?related=contacts:"+contact, "HX-Request", "true").Body
	require.Contains(t, one, "Only about this contact")
	require.NotContains(t, one, "About the account")
	require.Contains(t, one, `value="contacts:`+contact+`" selected`)
	other := app.Scalar(t, "SELECT min(id)::text FROM contacts WHERE account_id IS DISTINCT FROM $1", account)
	require.Contains(t, c.Get("/accounts/"+account+"/timeline?related=contacts:"+other, "HX-Request", "true").Body, "About the account",
		"a contact of another account is ignored")
}

// Each type keeps only its own fields; a meeting to come stays open as the deal's next step, and
// after logging, the form offers the follow-up task, due the next working day.
func TestLogFormTakesEachTypesFieldsAndOffersTheNextStep(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, "UPDATE users SET time_zone = 'UTC'")
	rep := app.Login(t, "rep1@demo.test")
	deal := app.Scalar(t, `SELECT min(o.id)::text FROM opportunities o JOIN users u ON u.id = o.owner_id JOIN pipeline_stages s ON s.id = o.stage_id
		WHERE u.email = 'rep1@demo.test' AND s.kind = 'open'`)
	path := "/opportunities/" + deal + "/activities"

	page := rep.Get("/opportunities/"+deal+"/timeline", "HX-Request", "true").Body
	for _, field := range []string{`<div class="for-call">`, `<div class="for-task">`, `<div class="for-meeting">`, `name="starts_at"`, `name="ends_at"`, `name="due_at"`} {
		require.Contains(t, page, field)
	}

	r := rep.Post(path, url.Values{"type": {"call"}, "subject": {"Discovery call"}, "outcome": {"Interested"}, "duration_minutes": {"20"},
		"due_at": {"2030-01-01T09:00"}, "starts_at": {"2030-01-01T09:00"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, "Interested|20|||done", app.Scalar(t, `SELECT outcome || '|' || duration_minutes || '|' || coalesce(due_at::text, '') || '|' ||
		coalesce(starts_at::text, '') || '|' || CASE WHEN done_at IS NULL THEN 'open' ELSE 'done' END FROM activities WHERE subject = 'Discovery call'`),
		"a call keeps its outcome and minutes, not the other types' fields")
	require.Contains(t, r.Body, "Call logged. Schedule the next step?")
	require.Contains(t, r.Body, `value="Follow up: Discovery call"`)
	require.Contains(t, r.Body, `<input type="radio" name="type" value="task" checked>`)
	require.Regexp(t, `name="due_at" type="datetime-local" value="\d{4}-\d\d-\d\dT09:00"`, r.Body)

	r = rep.Post(path, url.Values{"type": {"meeting"}, "subject": {"Demo"}, "starts_at": {"2030-01-02T14:00"}, "ends_at": {"2030-01-02T13:00"}}, "HX-Request", "true")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "The meeting has to end after it starts.")
	r = rep.Post(path, url.Values{"type": {"meeting"}, "subject": {"Demo"}, "starts_at": {"2030-01-02T14:00"}, "ends_at": {"2030-01-02T15:00"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Contains(t, r.Body, "Meeting scheduled.")
	require.Contains(t, r.Body, "meeting 2 Jan 2030, 14:00–15:00")
	require.Equal(t, "open", app.Scalar(t, "SELECT CASE WHEN done_at IS NULL THEN 'open' ELSE 'done' END FROM activities WHERE subject = 'Demo'"))
}
