package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

func TestAdminPagesAreForAdminsOnly(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	pipeline := app.Scalar(t, "SELECT id::text FROM pipelines LIMIT 1")
	role := app.Scalar(t, "SELECT id::text FROM roles WHERE name = 'manager'")
	user := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	pages := []string{"/admin/users", "/admin/users/new", "/admin/users/" + user + "/edit", "/admin/roles",
		"/admin/roles/" + role, "/admin/teams", "/admin/pipelines", "/admin/pipelines/" + pipeline}
	posts := map[string]url.Values{
		"/admin/teams":                       {"name": {"Sneaky"}},
		"/admin/roles/" + role:               {"leads.view": {"all"}},
		"/admin/users/" + user + "/password": {"new_password": {"0123456789ab"}},
	}
	for _, email := range []string{"rep1@demo.test", "manager@demo.test"} {
		c := app.Login(t, email)
		for _, p := range pages {
			r := c.Get(p)
			require.Equal(t, http.StatusForbidden, r.Status, "%s GET %s", email, p)
			require.Contains(t, r.Body, "Only admins can open this page")
		}
		for p, form := range posts {
			require.Equal(t, http.StatusForbidden, c.Post(p, form).Status, "%s POST %s", email, p)
		}
		require.NotContains(t, c.Get("/").Body, `href="/admin/users"`, "no admin link in the navigation")
	}
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM teams WHERE name = 'Sneaky'"))
	require.Equal(t, "team", app.Scalar(t, "SELECT scope::text FROM role_permissions p JOIN roles r ON r.id = p.role_id WHERE r.name = 'manager' AND entity = 'leads' AND action = 'view'"))

	admin := app.Login(t, "admin@demo.test")
	for _, p := range pages {
		require.Equal(t, http.StatusOK, admin.Get(p).Status, p)
	}
	require.Contains(t, admin.Get("/").Body, `href="/admin/users"`)
}

func TestCreateUserValidatesAndKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	rep := app.Scalar(t, "SELECT id::text FROM roles WHERE name = 'sales_rep'")
	form := url.Values{"name": {"Dana Newhire"}, "email": {"not-an-email"}, "role_id": {rep}, "time_zone": {"Europe/Berlin"}, "password": {"short"}}
	r := admin.Post("/admin/users", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, `value="Dana Newhire"`)
	require.Contains(t, r.Body, `value="not-an-email"`)
	require.Contains(t, r.Body, "Enter an email address like name@example.com.")
	require.Contains(t, r.Body, "Use at least 10 characters.")
	require.Contains(t, r.Body, `<option value="Europe/Berlin" selected>`)

	form.Set("email", "REP1@demo.test")
	form.Set("password", "a-long-password")
	r = admin.Post("/admin/users", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This email address is already in use.")

	form.Set("email", "dana@demo.test")
	r = admin.Post("/admin/users", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Contains(t, admin.Get("/admin/users").Body, "Dana Newhire")
	c := app.Client(t)
	r = c.Post("/login", url.Values{"email": {"dana@demo.test"}, "password": {"a-long-password"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
}

func TestTheLastActiveAdminCannotBeDemotedOrDeactivated(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	id := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'admin@demo.test'")
	adminRole := app.Scalar(t, "SELECT id::text FROM roles WHERE name = 'admin'")
	managerRole := app.Scalar(t, "SELECT id::text FROM roles WHERE name = 'manager'")
	base := url.Values{"name": {"Alex Admin"}, "email": {"admin@demo.test"}, "time_zone": {"UTC"}}

	demote := cloneWith(base, "role_id", managerRole, "active", "on")
	r := admin.Post("/admin/users/"+id, demote)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This is the last active admin")

	deactivate := cloneWith(base, "role_id", adminRole)
	r = admin.Post("/admin/users/"+id, deactivate)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "true", app.Scalar(t, "SELECT active::text FROM users WHERE id = "+id))

	r = admin.Post("/admin/roles/"+adminRole, matrix(t, app, adminRole, "admin.edit", "none"))
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "No active user would be left who can administer the CRM")
	require.Equal(t, "all", app.Scalar(t, "SELECT scope::text FROM role_permissions WHERE role_id = "+adminRole+" AND entity = 'admin' AND action = 'edit'"))

	// With a second admin, the first may step down.
	manager := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'manager@demo.test'")
	r = admin.Post("/admin/users/"+manager, url.Values{"name": {"Morgan Manager"}, "email": {"manager@demo.test"},
		"role_id": {adminRole}, "time_zone": {"UTC"}, "active": {"on"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	r = admin.Post("/admin/users/"+id, demote)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, http.StatusForbidden, admin.Get("/admin/users").Status, "no longer an admin from the next click")
}

func TestPasswordResetSignsTheUserOutEverywhere(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	rep := app.Login(t, "rep1@demo.test")
	id := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")

	r := admin.Post("/admin/users/"+id+"/password", url.Values{"new_password": {"short"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Use at least 10 characters.")
	require.Equal(t, http.StatusOK, rep.Get("/").Status)

	r = admin.Post("/admin/users/"+id+"/password", url.Values{"new_password": {"a-brand-new-password"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, http.StatusSeeOther, rep.Get("/").Status, "the rep's session ended")
	r = app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {webtest.DemoPassword}})
	require.Equal(t, http.StatusUnauthorized, r.Status)
	r = app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {"a-brand-new-password"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
}

func TestCustomRoleStartsAsACopyAndItsMatrixDecidesAccess(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	rep := app.Scalar(t, "SELECT id::text FROM roles WHERE name = 'sales_rep'")

	r := admin.Post("/admin/roles", url.Values{"name": {"Sales_Rep"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "A role with this name already exists.")

	r = admin.Post("/admin/roles", url.Values{"name": {"Senior rep"}, "description": {"Sees the team's deals"}, "based_on": {rep}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	id := app.Scalar(t, "SELECT id::text FROM roles WHERE name = 'Senior rep'")
	require.Equal(t, "/admin/roles/"+id, r.Header.Get("Location"))
	require.Equal(t, app.Scalar(t, "SELECT string_agg(entity::text || action::text || scope::text, ',' ORDER BY entity, action) FROM role_permissions WHERE role_id = "+rep),
		app.Scalar(t, "SELECT string_agg(entity::text || action::text || scope::text, ',' ORDER BY entity, action) FROM role_permissions WHERE role_id = "+id))

	form := matrix(t, app, id, "opportunities.view", "team")
	form.Set("name", "Senior rep")
	r = admin.Post("/admin/roles/"+id, form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "team", app.Scalar(t, "SELECT scope::text FROM role_permissions WHERE role_id = "+id+" AND entity = 'opportunities' AND action = 'view'"))

	bad := matrix(t, app, id, "leads.view", "everything")
	bad.Set("name", "Senior rep")
	r = admin.Post("/admin/roles/"+id, bad)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Choose none, own, team or all.")

	r = admin.Post("/admin/roles/"+id+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM roles WHERE name = 'Senior rep'"))

	r = admin.Post("/admin/roles/"+rep+"/delete", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Built-in roles cannot be deleted.")
}

func TestTeamsAreAddedRenamedAndDeleted(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	r := admin.Post("/admin/teams", url.Values{"name": {"inside sales"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "A team with this name already exists.")
	require.Contains(t, r.Body, `value="inside sales"`)

	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/teams", url.Values{"name": {"Field Sales"}}).Status)
	id := app.Scalar(t, "SELECT id::text FROM teams WHERE name = 'Field Sales'")
	r = admin.Post("/admin/teams/"+id, url.Values{"name": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This field is required.")
	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/teams/"+id, url.Values{"name": {"Enterprise"}}).Status)
	require.Contains(t, admin.Get("/admin/teams").Body, `value="Enterprise"`)
	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/teams/"+id+"/delete", nil).Status)
	require.NotContains(t, admin.Get("/admin/teams").Body, `value="Enterprise"`)
	require.Equal(t, http.StatusNotFound, admin.Post("/admin/teams/"+id+"/delete", nil).Status)
}

func TestPipelineStagesAreManagedInOrder(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	r := admin.Post("/admin/pipelines", url.Values{"name": {"Renewals"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	id := app.Scalar(t, "SELECT id::text FROM pipelines WHERE name = 'Renewals'")
	base := "/admin/pipelines/" + id

	r = admin.Post(base+"/stages", url.Values{"name": {"Due"}, "probability": {"150"}, "kind": {"open"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Enter a whole number from 0 to 100.")
	require.Contains(t, r.Body, `value="Due"`)
	require.Contains(t, r.Body, `value="150"`)

	for _, s := range [][2]string{{"Due", "40"}, {"Renewed", "100"}, {"Churned", "0"}} {
		kind := map[string]string{"Due": "open", "Renewed": "won", "Churned": "lost"}[s[0]]
		require.Equal(t, http.StatusSeeOther, admin.Post(base+"/stages", url.Values{"name": {s[0]}, "probability": {s[1]}, "kind": {kind}}).Status)
	}
	r = admin.Post(base+"/stages", url.Values{"name": {"due"}, "probability": {"10"}, "kind": {"open"}})
	require.Equal(t, http.StatusSeeOther, r.Status, "stage names are case-sensitive text; 'due' differs from 'Due'")
	order := func() string {
		return app.Scalar(t, "SELECT string_agg(name, ',' ORDER BY position) FROM pipeline_stages WHERE pipeline_id = "+id)
	}
	require.Equal(t, "Due,Renewed,Churned,due", order())

	churned := app.Scalar(t, "SELECT id::text FROM pipeline_stages WHERE pipeline_id = "+id+" AND name = 'Churned'")
	require.Equal(t, http.StatusSeeOther, admin.Post(base+"/stages/"+churned+"/move", url.Values{"direction": {"up"}}).Status)
	require.Equal(t, "Due,Churned,Renewed,due", order())

	r = admin.Post(base+"/stages/"+churned, url.Values{"name": {"Renewed"}, "probability": {"0"}, "kind": {"lost"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This pipeline already has a stage with this name.")

	require.Equal(t, http.StatusSeeOther, admin.Post(base+"/stages/"+churned+"/delete", nil).Status)
	require.Equal(t, "Due,Renewed,due", order())

	// A stage or pipeline that holds deals is kept, with a message that says why.
	sales := app.Scalar(t, "SELECT id::text FROM pipelines WHERE name = 'Sales'")
	busy := app.Scalar(t, "SELECT stage_id::text FROM opportunities GROUP BY stage_id ORDER BY count(*) DESC LIMIT 1")
	r = admin.Post("/admin/pipelines/"+sales+"/stages/"+busy+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Contains(t, admin.Get("/admin/pipelines/"+sales).Body, "Move them to another stage first.")
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM pipeline_stages WHERE id = "+busy))
	r = admin.Post("/admin/pipelines/"+sales+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Contains(t, admin.Get("/admin/pipelines/"+sales).Body, "still has opportunities")
}

// matrix is a role's current permission form with one cell changed.
func matrix(t *testing.T, app *webtest.App, role, cell, scope string) url.Values {
	t.Helper()
	rows, err := app.Pool.Query(context.Background(), "SELECT entity::text || '.' || action::text, scope::text FROM role_permissions WHERE role_id = $1", role)
	require.NoError(t, err)
	defer rows.Close()
	form := url.Values{}
	for rows.Next() {
		var k, v string
		require.NoError(t, rows.Scan(&k, &v))
		form.Set(k, v)
	}
	form.Set(cell, scope)
	return form
}

func cloneWith(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}
