package notifications_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

func unread(t *testing.T, c *webtest.Client) string {
	t.Helper()
	r := c.Get("/notifications/bell", "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status)
	if i := strings.Index(r.Body, `aria-label="`); i >= 0 {
		return strings.Fields(r.Body[i+len(`aria-label="`):])[0]
	}
	return "0"
}

// A note that mentions people tells those who may see its record, and no one else; a task given
// to someone tells them, unless they switched that kind off; they open, read and clear them.
func TestMentionsAndTasksNotify(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	lead := app.Scalar(t, "SELECT min(id)::text FROM leads WHERE owner_id = $1 AND status <> 'converted'", rep1)
	rep := app.Login(t, "rep1@demo.test")
	r := rep.Post("/leads/"+lead+"/activities", url.Values{"type": {"note"}, "subject": {"Pricing question"},
		"body": {"@Morgan Manager can you approve 10%? cc @Sam Seller"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)

	manager := app.Login(t, "manager@demo.test")
	mate := app.Login(t, "rep2@demo.test")
	require.Equal(t, "1", unread(t, manager))
	require.Equal(t, "0", unread(t, mate), "rep2 cannot see rep1's lead, so is not told of it")
	page := manager.Get("/notifications")
	require.Contains(t, page.Body, "Riley Rep mentioned you: <b>Pricing question</b>")
	id := app.Scalar(t, "SELECT id::text FROM notifications WHERE kind = 'mention'")
	r = manager.Get("/notifications/" + id)
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "/leads/"+lead, r.Header.Get("Location"))
	require.Equal(t, "0", unread(t, manager))

	task := url.Values{"subject": {"Call the buyer back"}, "due_at": {"2027-01-05T09:00"}, "owner_id": {rep2}, "related": {"leads:" + app.Scalar(t,
		"SELECT min(id)::text FROM leads WHERE owner_id = $1 AND status <> 'converted'", rep2)}}
	r = manager.Post("/activities/new", task)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "1", unread(t, mate))
	require.Contains(t, mate.Get("/notifications").Body, "Morgan Manager gave you a task: <b>Call the buyer back</b>")
	r = mate.Post("/notifications/read-all", url.Values{})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "0", unread(t, mate))

	r = mate.Post("/notifications/preferences", url.Values{"mention": {"in_app"}, "task_assigned": {"none"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	task.Set("subject", "Send the contract")
	require.Equal(t, http.StatusSeeOther, manager.Post("/activities/new", task).Status)
	require.Equal(t, "0", unread(t, mate), "a kind switched off is not written")
	require.Contains(t, mate.Get("/notifications").Body, `<option value="none" selected>Nothing</option>`)
}
