package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// Two contacts become one: values picked field by field (a custom one too), the other's deals,
// activities and history move over, the merge is in history, and it is all or nothing.
func TestMergingTwoContacts(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	app.Exec(t, `INSERT INTO custom_fields (entity, key, label, type) VALUES ('contacts', 'nickname', 'Nickname', 'text')`)
	keep := app.Scalar(t, `INSERT INTO contacts (owner_id, first_name, last_name, email, custom) VALUES ($1, 'Jo', 'Marsh', 'jo@old.test', '{"nickname": "JM"}') RETURNING id::text`, rep1)
	gone := app.Scalar(t, `INSERT INTO contacts (owner_id, first_name, last_name, email, phone, custom) VALUES ($1, 'Joanna', 'Marsh', 'joanna@new.test', '+1 555 0101', '{"nickname": "Jojo"}') RETURNING id::text`, rep1)
	account := app.Scalar(t, "SELECT min(id)::text FROM accounts WHERE owner_id = $1", rep1)
	app.Exec(t, "INSERT INTO activities (owner_id, type, subject, contact_id) VALUES ($1, 'note', 'Met at the fair', $2)", rep1, gone)
	app.Exec(t, "UPDATE opportunities SET contact_id = $1 WHERE id = (SELECT min(id) FROM opportunities WHERE account_id = $2)", gone, account)
	rep := app.Login(t, "rep1@demo.test")

	page := rep.Get("/contacts/" + keep + "/merge?with=" + gone)
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, page.Body, `name="pick_email" value="keep" checked`)
	require.Contains(t, page.Body, `name="pick_phone" value="other" checked`, "an empty value gives way to the other's")
	require.Contains(t, page.Body, "Nickname")

	form := url.Values{"with": {gone}, "keep_version": {"1"}, "other_version": {"1"}, "pick_first_name": {"other"},
		"pick_email": {"other"}, "pick_phone": {"other"}, "pick_cf_nickname": {"other"}}
	app.Exec(t, "UPDATE contacts SET title = 'Buyer' WHERE id = $1", gone) // someone else edits it meanwhile
	r := rep.Post("/contacts/"+keep+"/merge", form)
	require.Equal(t, http.StatusConflict, r.Status)
	require.Contains(t, r.Body, "One of the two was changed while you were choosing.")
	require.Equal(t, "2", app.Scalar(t, "SELECT count(*)::text FROM contacts WHERE id IN ($1, $2)", keep, gone), "nothing merged")

	form.Set("other_version", app.Scalar(t, "SELECT version::text FROM contacts WHERE id = $1", gone))
	r = rep.Post("/contacts/"+keep+"/merge", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "Joanna Marsh joanna@new.test +1 555 0101 Jojo", app.Scalar(t,
		"SELECT first_name || ' ' || last_name || ' ' || email || ' ' || phone || ' ' || (custom ->> 'nickname') FROM contacts WHERE id = $1", keep))
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM contacts WHERE id = $1", gone))
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM activities WHERE contact_id = $1 AND subject = 'Met at the fair'", keep))
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM opportunities WHERE contact_id = $1", keep))
	require.Equal(t, "Joanna Marsh (#"+gone+")", app.Scalar(t, "SELECT old_value FROM record_history WHERE entity = 'contacts' AND record_id = $1 AND field = 'merged'", keep))
	require.Contains(t, rep.Get("/contacts/"+keep).Body, "Merged Joanna Marsh into")
}

// Only records the user may change and delete are merged.
func TestMergingNeedsTheRightsToBoth(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	mine := app.Scalar(t, `INSERT INTO leads (owner_id, last_name) VALUES ($1, 'Mine') RETURNING id::text`, rep1)
	theirs := app.Scalar(t, `INSERT INTO leads (owner_id, last_name) VALUES ($1, 'Theirs') RETURNING id::text`, rep2)
	rep := app.Login(t, "rep1@demo.test")
	require.Equal(t, http.StatusNotFound, rep.Get("/leads/"+mine+"/merge?with="+theirs).Status, "another rep's lead is not there to merge")
	r := rep.Post("/leads/"+mine+"/merge", url.Values{"with": {theirs}, "keep_version": {"1"}, "other_version": {"1"}})
	require.Equal(t, http.StatusNotFound, r.Status)

	team := app.Scalar(t, "SELECT min(a.id)::text FROM accounts a WHERE a.owner_id = $1", rep2) // a teammate's account: visible, not deletable
	own := app.Scalar(t, "SELECT min(a.id)::text FROM accounts a WHERE a.owner_id = $1", rep1)
	page := rep.Get("/accounts/" + own + "/merge?with=" + team)
	require.Contains(t, page.Body, "which a merge does")
	require.NotContains(t, page.Body, `>Merge</button>`)
	r = rep.Post("/accounts/"+own+"/merge", url.Values{"with": {team}, "keep_version": {"1"}, "other_version": {"1"}})
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM accounts WHERE id = $1", team))
}
