package tasks_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/tasks"
	"github.com/crm-team/crm/web/webtest"
)

// addTask gives a user a task due at noon (UTC) today plus an interval, and returns its id.
func addTask(t *testing.T, app *webtest.App, email, subject, due string) string {
	return app.Scalar(t, `INSERT INTO activities (owner_id, type, subject, due_at, account_id)
		SELECT id, 'task', $2, date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '12 hours' + $3::interval, (SELECT min(id) FROM accounts) FROM users WHERE email = $1 RETURNING id::text`,
		email, subject, due)
}

// section is what a list shows under one heading, up to the next.
func section(body, name string) string {
	i := strings.Index(body, `id="g-`+name+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i+1:]
	if j := strings.Index(rest, `class="task-group"`); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func TestTasksAreGroupedByWhenTheyAreDue(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, "UPDATE users SET time_zone = 'UTC'")
	addTask(t, app, "rep1@demo.test", "Chase the signature", "-3 days")
	addTask(t, app, "rep1@demo.test", "Send the quote", "0 days")
	addTask(t, app, "rep1@demo.test", "Plan the QBR", "20 days")
	app.Scalar(t, `INSERT INTO activities (owner_id, type, subject, account_id) SELECT id, 'task', 'Someday: case study', (SELECT min(id) FROM accounts)
		FROM users WHERE email = 'rep1@demo.test' RETURNING id::text`)
	addTask(t, app, "manager@demo.test", "Manager's own task", "1 day")

	rep := app.Login(t, "rep1@demo.test").Get("/activities").Body
	require.Contains(t, section(rep, "Overdue"), "Chase the signature")
	require.Contains(t, section(rep, "Today"), "Send the quote")
	require.Contains(t, section(rep, "Upcoming"), "Plan the QBR")
	require.Contains(t, section(rep, "No date"), "Someday: case study")
	require.NotContains(t, rep, "Manager&#39;s own task")
	open := app.Scalar(t, "SELECT count(*)::text FROM activities a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test' AND type = 'task' AND done_at IS NULL")
	require.Contains(t, rep, `<span class="count-badge" aria-label="`+open+` open">`)

	m := app.Login(t, "manager@demo.test").Get("/activities").Body
	require.Contains(t, m, "Chase the signature", "a manager sees the team's tasks")
	require.Contains(t, m, "Manager&#39;s own task")
	require.NotContains(t, app.Login(t, "manager@demo.test").Get("/activities?owner=me").Body, "Chase the signature")
}

func TestCompletingATaskTakesOneClickAndCanBeUndone(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	id := addTask(t, app, "rep1@demo.test", "Call back Ada", "1 day")
	rep := app.Login(t, "rep1@demo.test")
	mine := func() string {
		return app.Scalar(t, "SELECT count(*)::text FROM activities a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test' AND type = 'task' AND done_at IS NULL")
	}
	before := mine()
	r := rep.Post("/activities/"+id+"/done", url.Values{"done": {"1"}, "owner": {"me"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, r.Body, `class="task-row done"`)
	require.Contains(t, r.Body, "Undo")
	require.NotEqual(t, before, mine())
	require.Contains(t, r.Body, `<span id="tasks-count" hx-swap-oob="true">`+mine()+`</span>`, "the page's count follows")
	require.Contains(t, r.Body, `<span id="nav-tasks" hx-swap-oob="true"><span class="count-badge" aria-label="`+mine()+` open">`, "so does the badge")
	require.Equal(t, "true", app.Scalar(t, "SELECT (done_at IS NOT NULL)::text FROM activities WHERE id = $1", id))
	require.NotContains(t, rep.Get("/activities").Body, "Call back Ada")

	r = rep.Post("/activities/"+id+"/done", url.Values{"done": {"0"}, "owner": {"me"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, before, mine())
	require.Contains(t, r.Body, `<span id="tasks-count" hx-swap-oob="true">`+before+`</span>`)
	require.Equal(t, "false", app.Scalar(t, "SELECT (done_at IS NOT NULL)::text FROM activities WHERE id = $1", id))

	other := addTask(t, app, "rep2@demo.test", "Not yours", "1 day")
	require.Equal(t, http.StatusNotFound, rep.Post("/activities/"+other+"/done", url.Values{"done": {"1"}}).Status)
}

func TestManagersReassignTasksWithinTheTeam(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	id := addTask(t, app, "rep1@demo.test", "Prepare demo", "2 days")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	admin := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'admin@demo.test'")
	m := app.Login(t, "manager@demo.test")
	require.Contains(t, m.Get("/activities").Body, `href="/activities/`+id+`/assign"`)
	form := m.Get("/activities/" + id + "/assign")
	require.Equal(t, http.StatusOK, form.Status)
	require.Contains(t, form.Body, `<option value="`+rep2+`"`, "the team is offered")
	require.NotContains(t, form.Body, `<option value="`+admin+`"`, "people outside the team are not")
	require.Equal(t, http.StatusForbidden, m.Post("/activities/"+id+"/assign", url.Values{"owner_id": {admin}}).Status)
	require.Equal(t, http.StatusSeeOther, m.Post("/activities/"+id+"/assign", url.Values{"owner_id": {rep2}}).Status)
	require.Equal(t, rep2, app.Scalar(t, "SELECT owner_id::text FROM activities WHERE id = $1", id))
	rep := app.Login(t, "rep2@demo.test")
	require.Equal(t, http.StatusForbidden, rep.Post("/activities/"+id+"/assign", url.Values{"owner_id": {admin}}).Status)
	require.NotContains(t, rep.Get("/activities").Body, "Reassign…", "a rep could only give tasks to themselves")
	require.Equal(t, http.StatusForbidden, rep.Get("/activities/"+id+"/assign").Status)
}

// A long list comes fifty tasks at a time, soonest first, and "show more" goes on under the
// heading it stopped in.
func TestLongTaskListsComeAPageAtATime(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `INSERT INTO activities (owner_id, type, subject, due_at, account_id)
		SELECT u.id, 'task', 'Follow-up ' || g, now() + g * interval '1 hour', (SELECT min(id) FROM accounts)
		FROM users u, generate_series(1, 120) g WHERE u.email = 'rep1@demo.test'`)
	rep := app.Login(t, "rep1@demo.test")
	open := app.Scalar(t, "SELECT count(*)::text FROM activities a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep1@demo.test' AND type = 'task' AND done_at IS NULL")
	body := rep.Get("/activities").Body
	require.Contains(t, body, `<span id="tasks-count">`+open+`</span> open`)
	seen := strings.Count(body, `class="task-row`)
	require.Equal(t, tasks.PerPage, seen)
	headings := strings.Count(body, `class="task-group"`)
	for next := moreLink(body); next != ""; {
		part := rep.Get(next, "HX-Request", "true").Body
		require.NotContains(t, part, "<html")
		seen += strings.Count(part, `class="task-row`)
		headings += strings.Count(part, `class="task-group"`)
		next = moreLink(part)
	}
	require.Equal(t, open, fmt.Sprint(seen), "every open task, once")
	require.LessOrEqual(t, headings, 4, "each heading once")
}

func moreLink(body string) string {
	i := strings.Index(body, `<li class="more"><a class="btn btn-quiet" href="`)
	if i < 0 {
		return ""
	}
	rest := body[i+len(`<li class="more"><a class="btn btn-quiet" href="`):]
	return strings.ReplaceAll(rest[:strings.Index(rest, `"`)], "&amp;", "&")
}
