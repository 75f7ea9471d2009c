package custom_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// addField creates a field through the admin page and returns its id.
func addField(t *testing.T, app *webtest.App, admin *webtest.Client, form url.Values) string {
	t.Helper()
	r := admin.Post("/admin/fields", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	return app.Scalar(t, "SELECT id::text FROM custom_fields WHERE entity = $1 AND label = $2", form.Get("entity"), form.Get("label"))
}

func TestAdminsDefineFieldsAndOthersCannot(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")

	r := admin.Post("/admin/fields", url.Values{"entity": {"contacts"}, "label": {"Tier"}, "type": {"select"}, "options": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "List the choices, one per line.")
	require.Contains(t, r.Body, `value="Tier"`, "what was typed is kept")

	id := addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Renewal date!"}, "type": {"date"}, "in_list": {"on"}})
	require.Equal(t, "renewal_date", app.Scalar(t, "SELECT key FROM custom_fields WHERE id = $1", id), "the key comes from the label")
	r = admin.Post("/admin/fields", url.Values{"entity": {"contacts"}, "label": {"Renewal"}, "key": {"renewal_date"}, "type": {"text"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "already has a field with this key")
	r = admin.Post("/admin/fields", url.Values{"entity": {"contacts"}, "label": {"Bad"}, "key": {"Bad Key"}, "type": {"text"}})
	require.Contains(t, r.Body, "Use lower-case letters, digits and _")

	page := admin.Get("/admin/fields")
	require.Contains(t, page.Body, "Renewal date!")
	require.Contains(t, page.Body, "<code>renewal_date</code>")

	for _, email := range []string{"rep1@demo.test", "manager@demo.test"} {
		c := app.Login(t, email)
		require.Equal(t, http.StatusForbidden, c.Get("/admin/fields").Status)
		require.Equal(t, http.StatusForbidden, c.Post("/admin/fields", url.Values{"entity": {"leads"}, "label": {"Sneaky"}, "type": {"text"}}).Status)
		require.Equal(t, http.StatusForbidden, c.Post("/admin/fields/"+id+"/archive", url.Values{}).Status)
	}
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM custom_fields WHERE label = 'Sneaky'"))
	require.Equal(t, "", app.Scalar(t, "SELECT coalesce(archived_at::text, '') FROM custom_fields WHERE id = $1", id))
}

// A rep fills the fields in a contact's form: each is checked by its type with a message beside
// it and nothing typed lost; saved, they show formatted on the page and in the list, edit in
// place, go to history one by one and into the export.
func TestCustomFieldsInFormsPagesListsAndExports(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Tier"}, "type": {"select"}, "options": {"Gold\nSilver\nBronze"},
		"required": {"on"}, "in_list": {"on"}})
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Seats"}, "type": {"number"}, "help": {"Licensed seats"}})
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Budget"}, "type": {"money"}})
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Renewal"}, "type": {"date"}})
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Newsletter"}, "type": {"boolean"}})
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Interests"}, "type": {"multi_select"}, "options": {"CRM\nBilling\nSupport"}})
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Website"}, "type": {"url"}})
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Champion"}, "type": {"user"}})
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep := app.Login(t, "rep1@demo.test")

	form := rep.Get("/contacts/new")
	for _, want := range []string{`name="cf_tier"`, `<option value="Gold"`, `name="cf_seats"`, `type="date"`, `name="cf_interests" value="Billing"`,
		"Licensed seats", `<option value="` + rep1 + `"`} {
		require.Contains(t, form.Body, want)
	}
	bad := url.Values{"first_name": {"Cora"}, "last_name": {"Field"}, "owner_id": {rep1}, "cf_tier": {""}, "cf_seats": {"twelve"},
		"cf_budget": {"1,200.50"}, "cf_renewal": {"2027-02-30"}, "cf_newsletter": {"yes"}, "cf_interests": {"", "CRM", "Hacking"},
		"cf_website": {"javascript:alert(1)"}, "cf_champion": {"999999"}}
	r := rep.Post("/contacts", bad)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	for _, want := range []string{"This field is required.", "Enter a number like 42 or 3.5.", "Enter a date like 2027-01-31.",
		"Choose from the options.", "Enter a web address like https://example.com.", "Choose a person from the list.",
		`value="twelve"`, `value="javascript:alert(1)"`} {
		require.Contains(t, r.Body, want)
	}

	good := url.Values{"first_name": {"Cora"}, "last_name": {"Field"}, "owner_id": {rep1}, "cf_tier": {"Gold"}, "cf_seats": {"12"},
		"cf_budget": {"1,200.50"}, "cf_renewal": {"2027-02-28"}, "cf_newsletter": {"yes"}, "cf_interests": {"", "Support", "CRM"},
		"cf_website": {"https://cora.example"}, "cf_champion": {rep1}}
	r = rep.Post("/contacts", good)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	id := app.Scalar(t, "SELECT id::text FROM contacts WHERE last_name = 'Field'")
	require.JSONEq(t, `{"tier": "Gold", "seats": 12, "budget": 1200.50, "renewal": "2027-02-28", "newsletter": true,
		"interests": ["CRM", "Support"], "website": "https://cora.example", "champion": `+rep1+`}`,
		app.Scalar(t, "SELECT custom::text FROM contacts WHERE id = $1", id))

	show := rep.Get("/contacts/" + id)
	for _, want := range []string{"<dt>Tier</dt>", "Gold", "$1,200.50", "28 Feb 2027", "CRM, Support", `href="https://cora.example"`, "Riley Rep",
		`hx-get="/contacts/` + id + `/fields/cf_tier"`} {
		require.Contains(t, show.Body, want)
	}
	list := rep.Get("/contacts?q=field")
	require.Contains(t, list.Body, ">Tier</a></th>")
	require.NotContains(t, list.Body, "<th>Seats</th>", "only fields shown in lists are columns")

	// In place: a select, then a clear; each change goes to history by field.
	edit := rep.Get("/contacts/"+id+"/fields/cf_tier", "HX-Request", "true")
	require.Contains(t, edit.Body, `<select name="cf_tier"`)
	version := app.Scalar(t, "SELECT version::text FROM contacts WHERE id = $1", id)
	r = rep.Post("/contacts/"+id+"/fields/cf_tier", url.Values{"cf_tier": {"Silver"}, "version": {version}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Contains(t, r.Body, "Silver")
	require.Contains(t, rep.Get("/contacts?q=silver").Body, "Cora Field", "custom text values are searched")
	require.Contains(t, rep.Get("/search?q=silver").Body, "Cora Field")
	version = app.Scalar(t, "SELECT version::text FROM contacts WHERE id = $1", id)
	r = rep.Post("/contacts/"+id+"/fields/cf_seats", url.Values{"cf_seats": {""}, "version": {version}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, "false", app.Scalar(t, "SELECT (custom ? 'seats')::text FROM contacts WHERE id = $1", id), "an emptied field leaves no key")
	require.Equal(t, "Gold→Silver", app.Scalar(t, "SELECT old_value || '→' || new_value FROM record_history WHERE entity = 'contacts' AND record_id = $1 AND field = 'custom.tier'", id))
	version = app.Scalar(t, "SELECT version::text FROM contacts WHERE id = $1", id)
	r = rep.Post("/contacts/"+id+"/fields/cf_tier", url.Values{"cf_tier": {""}, "version": {version}}, "HX-Request", "true")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "a required field cannot be emptied in place")
	require.Contains(t, r.Body, "This field is required.")

	export := rep.Get("/contacts/export.csv?q=field")
	lines := strings.Split(strings.TrimSpace(export.Body), "\n")
	require.Contains(t, lines[0], ",Tier,Seats,Budget,Renewal,Newsletter,Interests,Website,Champion")
	require.Contains(t, lines[1], ",Silver,,1200.50,2027-02-28,Yes,CRM; Support,https://cora.example,Riley Rep")
}

// Removing a field hides it and keeps its values; a new label changes nothing stored; a new type
// is refused while stored values would not fit it.
func TestChangingAFieldKeepsTheData(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	id := addField(t, app, admin, url.Values{"entity": {"accounts"}, "label": {"Employees band"}, "type": {"number"}})
	account := app.Scalar(t, "SELECT min(id)::text FROM accounts")
	app.Exec(t, `UPDATE accounts SET custom = '{"employees_band": 250}' WHERE id = $1`, account)

	r := admin.Post("/admin/fields/"+id, url.Values{"label": {"Headcount"}, "type": {"date"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "1 record holds a value that would not fit.")
	r = admin.Post("/admin/fields/"+id, url.Values{"label": {"Headcount"}, "type": {"money"}, "position": {"3"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, `{"employees_band": 250}`, app.Scalar(t, "SELECT custom::text FROM accounts WHERE id = $1", account))
	require.Contains(t, admin.Get("/accounts/"+account).Body, "<dt>Headcount</dt>")

	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/fields/"+id+"/archive", url.Values{}).Status)
	page := admin.Get("/accounts/" + account)
	require.NotContains(t, page.Body, "<dt>Headcount</dt>")
	require.NotContains(t, admin.Get("/accounts/"+account+"/edit").Body, "cf_employees_band")
	// Saving the record while the field is removed keeps the value it holds.
	version := app.Scalar(t, "SELECT version::text FROM accounts WHERE id = $1", account)
	r = admin.Post("/accounts/"+account+"/fields/industry", url.Values{"industry": {"Shipping"}, "version": {version}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, http.StatusNotFound, admin.Get("/accounts/"+account+"/fields/cf_employees_band").Status)

	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/fields/"+id+"/restore", url.Values{}).Status)
	require.Equal(t, `{"employees_band": 250}`, app.Scalar(t, "SELECT custom::text FROM accounts WHERE id = $1", account))
	require.Contains(t, admin.Get("/accounts/"+account).Body, "$250")
}

// Lists filter by the fields they show: one or several choices, none, a range of numbers or
// dates, a choice among several; only within what the user may see, and the export follows.
func TestListsFilterByCustomFields(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	for _, f := range []url.Values{
		{"entity": {"leads"}, "label": {"Tier"}, "type": {"select"}, "options": {"Gold\nSilver"}, "in_list": {"on"}},
		{"entity": {"leads"}, "label": {"Seats"}, "type": {"number"}, "in_list": {"on"}},
		{"entity": {"leads"}, "label": {"Renewal"}, "type": {"date"}, "in_list": {"on"}},
		{"entity": {"leads"}, "label": {"Tags"}, "type": {"multi_select"}, "options": {"CRM\nERP"}, "in_list": {"on"}},
	} {
		addField(t, app, admin, f)
	}
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	app.Exec(t, `INSERT INTO leads (owner_id, last_name, custom) VALUES
		($1, 'Goldsmith', '{"tier": "Gold", "seats": 12, "renewal": "2027-03-01", "tags": ["CRM"]}'),
		($1, 'Silverman', '{"tier": "Silver", "seats": 40, "renewal": "2026-11-01", "tags": ["CRM", "ERP"]}'),
		($1, 'Plainview', '{"seats": 5}'),
		($2, 'Rivalgold', '{"tier": "Gold", "seats": 12}')`, rep1, rep2)
	rep := app.Login(t, "rep1@demo.test")
	names := func(path string) []string {
		t.Helper()
		r := rep.Get(path)
		require.Equal(t, http.StatusOK, r.Status, path)
		var out []string
		for _, n := range []string{"Goldsmith", "Silverman", "Plainview", "Rivalgold"} {
			if strings.Contains(r.Body, n) {
				out = append(out, n)
			}
		}
		return out
	}
	require.Equal(t, []string{"Goldsmith"}, names("/leads?cf_tier=Gold"), "another rep's gold lead stays hidden")
	require.Equal(t, []string{"Goldsmith", "Silverman"}, names("/leads?cf_tier=Gold&cf_tier=Silver"))
	require.Equal(t, []string{"Goldsmith", "Silverman"}, names("/leads?cf_tags=CRM"))
	require.Equal(t, []string{"Silverman"}, names("/leads?cf_tags=ERP"))
	require.Equal(t, []string{"Goldsmith", "Plainview"}, names("/leads?cf_seats.min=5&cf_seats.max=20"))
	require.Equal(t, []string{"Goldsmith"}, names("/leads?cf_renewal.min=2027-01-01"))
	require.Equal(t, []string{"Plainview"}, names("/leads?cf_tier=.empty&cf_seats.max=10"))
	require.Equal(t, []string{"Goldsmith"}, names("/leads?q=goldsmith&cf_tier=Gold"), "with a search too")
	require.Empty(t, names("/leads?q=goldsmith&cf_tier=Silver"))
	require.Len(t, names("/leads?cf_nope=1&cf_tier=Platinum"), 3, "unknown fields and choices are ignored")

	r := rep.Get("/leads?cf_tier=Gold&cf_tier=Silver")
	require.Contains(t, r.Body, "1–2 of 2")
	require.Contains(t, r.Body, `<option value="Gold" selected>Gold</option>`)
	require.Contains(t, r.Body, `name="cf_seats.min"`)
	require.Contains(t, r.Body, `href="/leads/export.csv?cf_tier=Gold&amp;cf_tier=Silver"`)
	export := rep.Get("/leads/export.csv?cf_tier=Gold&cf_tier=Silver")
	require.Len(t, strings.Split(strings.TrimSpace(export.Body), "\n"), 3)
}
