package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// Every change through the app is history: a lead created, its owner changed and it deleted;
// its page shows who did what in words, to those who may see it; admins browse all of it,
// the deleted lead's included; activities are covered too.
func TestHistoryOfEveryChange(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep := app.Login(t, "rep1@demo.test")
	r := rep.Post("/leads", url.Values{"first_name": {"Hester"}, "last_name": {"Historia"}, "owner_id": {rep1}, "status": {"new"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	lead := app.Scalar(t, "SELECT id::text FROM leads WHERE last_name = 'Historia'")
	r = rep.Post("/leads/"+lead+"/fields/title", url.Values{"title": {"Archivist"}, "version": {"1"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)

	page := rep.Get("/leads/" + lead + "/history")
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, page.Body, "Created <b>Hester Historia</b>")
	require.Contains(t, page.Body, "Changed the title from “—” to “<b>Archivist</b>”")
	require.Contains(t, page.Body, "Riley Rep")
	require.Equal(t, http.StatusNotFound, app.Login(t, "rep2@demo.test").Get("/leads/"+lead+"/history").Status,
		"another rep does not see the history of a lead they cannot see")

	manager := app.Login(t, "manager@demo.test")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	r = manager.Post("/leads/bulk", url.Values{"ids": {lead}, "action": {"owner"}, "value_owner": {rep2}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Contains(t, manager.Get("/leads/"+lead+"/history").Body, "Changed the owner from “Riley Rep” to “<b>Sam Seller</b>”")
	r = manager.Post("/leads/"+lead+"/delete", url.Values{})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)

	require.Equal(t, http.StatusForbidden, rep.Get("/admin/history").Status)
	admin := app.Login(t, "admin@demo.test")
	browse := admin.Get("/admin/history?entity=leads&field=deleted")
	require.Equal(t, http.StatusOK, browse.Status)
	require.Contains(t, browse.Body, "Deleted <b>Hester Historia</b>")
	require.Contains(t, browse.Body, "Morgan Manager")
	require.NotContains(t, browse.Body, "Created <b>", "only the field asked for")
	byRep := admin.Get("/admin/history?user=" + rep1 + "&entity=leads")
	require.Contains(t, byRep.Body, "Archivist")
	require.NotContains(t, byRep.Body, "Deleted <b>Hester Historia</b>", "only what that user did")

	task := app.Scalar(t, "SELECT min(id)::text FROM activities WHERE owner_id = $1 AND type = 'task' AND done_at IS NULL", rep1)
	r = rep.Post("/activities/"+task+"/done", url.Values{}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM record_history WHERE entity = 'activities' AND record_id = $1 AND field = 'done_at'", task))
}
