package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// A rep saves a list's filters and sort under a name, shares it with the team and opens the list
// with it; teammates see it and cannot change it; other teams do not see it.
func TestSavedViews(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	r := rep.Post("/leads/views", url.Values{"name": {"Hot leads"}, "view": {"status=qualified&sort=name"}, "shared": {"on"}, "default": {"on"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "/leads?sort=name&status=qualified", r.Header.Get("Location"))
	page := rep.Get(r.Header.Get("Location"))
	require.Contains(t, page.Body, "Saved the view “Hot leads”.")
	require.Contains(t, page.Body, `<a href="/leads?sort=name&amp;status=qualified">Hot leads</a>`)
	id := app.Scalar(t, "SELECT id::text FROM saved_views WHERE name = 'Hot leads'")

	r = rep.Get("/leads")
	require.Equal(t, http.StatusSeeOther, r.Status, "the list opens with the default view")
	require.Equal(t, "/leads?sort=name&status=qualified", r.Header.Get("Location"))
	require.Equal(t, http.StatusOK, rep.Get("/leads?view=all").Status, "All shows the list plain")

	r = rep.Post("/leads/views", url.Values{"name": {"Hot leads"}, "view": {"status=new"}, "shared": {"on"}})
	require.Equal(t, "/leads?save_as=Hot+leads&save_shared=on&status=new", r.Header.Get("Location"))
	page = rep.Get(r.Header.Get("Location"))
	require.Contains(t, page.Body, "You already have a view named “Hot leads”")
	require.Contains(t, page.Body, `<details class="save-view" open>`, "the refused save is offered again")
	require.Contains(t, page.Body, `value="Hot leads"`)
	require.Contains(t, page.Body, `name="shared" checked`)

	mate := app.Login(t, "rep2@demo.test")
	page = mate.Get("/leads")
	require.Equal(t, http.StatusOK, page.Status, "another user's default is not theirs")
	require.Contains(t, page.Body, ">Hot leads</a>")
	require.Contains(t, page.Body, "· Riley Rep")
	require.Equal(t, http.StatusNotFound, mate.Post("/leads/views/"+id+"/delete", url.Values{}).Status)
	require.NotContains(t, app.Login(t, "admin@demo.test").Get("/leads").Body, ">Hot leads</a>", "another team does not see it")

	require.Equal(t, http.StatusSeeOther, rep.Post("/leads/views/"+id+"/default", url.Values{}).Status)
	require.Equal(t, http.StatusOK, rep.Get("/leads").Status, "a second click stops opening with it")
	require.Equal(t, http.StatusSeeOther, rep.Post("/leads/views/"+id+"/delete", url.Values{}).Status)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM saved_views"))
}
