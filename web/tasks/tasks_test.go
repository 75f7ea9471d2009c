package tasks_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// addTask gives a user a task due at noon (UTC) today plus an interval, and returns its id.
func addTask(t *testing.T, app *webtest.App, email, subject, due string) string {
	return app.Scalar(t, `INSERT INTO activities (owner_id, type, subject, due_at, account_id)
		SELECT id, 'task', $2, date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '12 hours' + $3::interval, (SELECT min(id) FROM accounts) FROM users WHERE email = $1 RETURNING id::text`,
		email, subject, due)
}

func section(body, name string) string {
	i := strings.Index(body, `id="g-`+name+`"`)
	if i < 0 {
		return ""
	}
	return body[i : i+strings.Index(body[i:], "</section>")]
}

func TestTasksAreGroupedByWhenTheyAreDue(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	_, err := app.Pool.Exec(context.Background(), "UPDATE users SET time_zone = 'UTC'")
	require.NoError(t, err)
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
	r := rep.Post("/activities/"+id+"/done", url.Values{"done": {"1"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, r.Body, `class="task-row done"`)
	require.Contains(t, r.Body, "Undo")
	require.Equal(t, "true", app.Scalar(t, "SELECT (done_at IS NOT NULL)::text FROM activities WHERE id = $1", id))
	require.NotContains(t, rep.Get("/activities").Body, "Call back Ada")

	r = rep.Post("/activities/"+id+"/done", url.Values{"done": {"0"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status)
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
	require.Equal(t, http.StatusForbidden, m.Post("/activities/"+id+"/assign", url.Values{"owner_id": {admin}}).Status)
	require.Equal(t, http.StatusSeeOther, m.Post("/activities/"+id+"/assign", url.Values{"owner_id": {rep2}}).Status)
	require.Equal(t, rep2, app.Scalar(t, "SELECT owner_id::text FROM activities WHERE id = $1", id))
	rep := app.Login(t, "rep2@demo.test")
	require.Equal(t, http.StatusForbidden, rep.Post("/activities/"+id+"/assign", url.Values{"owner_id": {admin}}).Status)
}
