package contacts_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

func TestContactNeedsAnAccountTheUserCanSee(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	me := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	hidden := app.Scalar(t, "SELECT min(id)::text FROM accounts WHERE team_id <> (SELECT team_id FROM users WHERE id = $1)", me)
	form := url.Values{"first_name": {"Lin"}, "last_name": {"Wu"}, "email": {"LIN@Example.com"}, "account_id": {hidden},
		"account_id_label": {"Somebody else's"}, "owner_id": {me}}
	r := rep.Post("/contacts", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Choose an account from the list.")
	require.Contains(t, r.Body, `value="Somebody else&#39;s"`)

	form.Set("account_id", "")
	r = rep.Post("/contacts", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "a typed name without a choice is not silently dropped")
	require.Contains(t, r.Body, "Choose an account from the list, or clear the field.")

	mine := app.Scalar(t, "SELECT min(id)::text FROM accounts WHERE owner_id = $1", me)
	form.Set("account_id", mine)
	r = rep.Post("/contacts", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "lin@example.com", app.Scalar(t, "SELECT email::text FROM contacts WHERE last_name = 'Wu'"))

	form.Set("email", "Lin@EXAMPLE.com")
	r = rep.Post("/contacts", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This may already be in the CRM.", "the same name warns first")
	form.Set("save_anyway", "1")
	r = rep.Post("/contacts", form)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This email address is already in use.")
}

func TestNewContactFromAnAccountPrefillsIt(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	id := app.Scalar(t, "SELECT min(id)::text FROM accounts")
	name := app.Scalar(t, "SELECT name FROM accounts WHERE id = $1", id)
	r := admin.Get("/contacts/new?account_id=" + id)
	require.Contains(t, r.Body, `name="account_id" value="`+id+`"`)
	require.Contains(t, r.Body, `value="`+name+`"`)
	picked := admin.Get("/contacts/pick?account_id=" + id + "&q=")
	require.Equal(t, http.StatusOK, picked.Status)
	require.Equal(t, app.Scalar(t, "SELECT count(*)::text FROM contacts WHERE account_id = $1", id),
		app.Scalar(t, "SELECT $1::text", countOf(picked.Body, "data-id=")))
}

func countOf(s, sub string) string { return strconv.Itoa(strings.Count(s, sub)) }

// An email or domain already used by a record the user cannot see is refused without saying
// whose it is: the message names neither the record nor its owner, and the form keeps what was typed.
func TestDuplicatesOutsideTheUsersScopeRevealNothing(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	me := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	app.Exec(t, `UPDATE contacts SET email = 'hidden@secret.example' WHERE id = (SELECT min(id) FROM contacts WHERE owner_id <> $1 AND team_id IS DISTINCT FROM (SELECT team_id FROM users WHERE id = $1))`, me)
	app.Exec(t, `UPDATE accounts SET domain = 'secret.example' WHERE id = (SELECT min(id) FROM accounts WHERE team_id IS DISTINCT FROM (SELECT team_id FROM users WHERE id = $1))`, me)
	owner := app.Scalar(t, "SELECT u.name FROM contacts c JOIN users u ON u.id = c.owner_id WHERE c.email = 'hidden@secret.example'")
	contact := app.Scalar(t, "SELECT last_name FROM contacts WHERE email = 'hidden@secret.example'")
	account := app.Scalar(t, "SELECT name FROM accounts WHERE domain = 'secret.example'")
	rep := app.Login(t, "rep1@demo.test")

	r := rep.Post("/contacts", url.Values{"first_name": {"Lin"}, "last_name": {"Wu-Typed"}, "email": {"hidden@secret.example"}, "owner_id": {me}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This email address is already in use.")
	require.Contains(t, r.Body, `value="Wu-Typed"`)
	r2 := rep.Post("/accounts", url.Values{"name": {"Typed Name Ltd"}, "domain": {"secret.example"}, "owner_id": {me}})
	require.Equal(t, http.StatusUnprocessableEntity, r2.Status)
	require.Contains(t, r2.Body, "This domain is already in use.")
	require.Contains(t, r2.Body, `value="Typed Name Ltd"`)
	for _, body := range []string{r.Body, r2.Body} {
		require.NotContains(t, body, owner)
		require.NotContains(t, body, contact)
		require.NotContains(t, body, account)
	}
}

// Forms mark the fields they cannot save without; a contact's email and phone are links that
// write and dial.
func TestRequiredFieldsAreMarkedAndEmailAndPhoneAreLinks(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	for path, fields := range map[string][]string{
		"/contacts/new":      {"last_name", "owner_id"},
		"/accounts/new":      {"name", "owner_id"},
		"/opportunities/new": {"name", "account_id", "stage_id", "amount", "close_date", "owner_id"},
		"/leads/new":         {"status", "owner_id"},
	} {
		body := rep.Get(path).Body
		require.Equal(t, len(fields), strings.Count(body, `<span class="req" aria-hidden="true"> *</span>`), path)
		for _, f := range fields {
			require.Regexp(t, `<label for="f-`+f+`">[^<]*<span class="req"`, body, path+" "+f)
		}
	}
	id := app.Scalar(t, `SELECT min(c.id)::text FROM contacts c JOIN users u ON u.id = c.owner_id WHERE u.email = 'rep1@demo.test'`)
	app.Exec(t, "UPDATE contacts SET email = 'lin@example.com', phone = '+44 20 7946 0077' WHERE id = $1", id)
	page := rep.Get("/contacts/" + id).Body
	require.Contains(t, page, `<a class="value" href="mailto:lin@example.com">lin@example.com</a>`)
	require.Contains(t, page, `<a class="value" href="tel:&#43;442079460077">&#43;44 20 7946 0077</a>`)
}
