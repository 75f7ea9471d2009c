package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// bulk posts a bulk action from a list and returns the message the list then shows.
func bulk(t *testing.T, c *webtest.Client, path string, form url.Values) string {
	t.Helper()
	r := c.Post(path+"/bulk", form)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	back := c.Get(r.Header.Get("Location"))
	require.Equal(t, http.StatusOK, back.Status)
	i := strings.Index(back.Body, `class="flash"`)
	require.GreaterOrEqual(t, i, 0, "a message says what happened")
	return back.Body[i:min(len(back.Body), i+300)]
}

// A rep changes the leads they ticked in one go; one they may not touch is skipped and said so.
func TestBulkChangesTheTickedRowsTheUserMayChange(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	mine := app.Scalar(t, `SELECT string_agg(id::text, ',') FROM (SELECT id FROM leads WHERE owner_id = $1 AND status = 'new' ORDER BY id LIMIT 3) l`, rep1)
	theirs := app.Scalar(t, `SELECT min(id)::text FROM leads WHERE owner_id = $1 AND status = 'new'`, rep2)
	rep := app.Login(t, "rep1@demo.test")
	page := rep.Get("/leads")
	require.Contains(t, page.Body, `id="bulk-form"`)
	require.Contains(t, page.Body, `name="ids" value="`)
	require.Contains(t, page.Body, `<option value="status" >Set status…</option>`)

	ids := append(strings.Split(mine, ","), theirs)
	msg := bulk(t, rep, "/leads", url.Values{"ids": ids, "action": {"status"}, "value_status": {"qualified"}, "view": {"status=new"}})
	require.Contains(t, msg, "Set status: Qualified (3 leads). 1 skipped: you may not change them, or they already were so.")
	require.Equal(t, "3", app.Scalar(t, "SELECT count(*)::text FROM leads WHERE id = ANY(string_to_array($1, ',')::bigint[]) AND status = 'qualified'", mine))
	require.Equal(t, "new", app.Scalar(t, "SELECT status::text FROM leads WHERE id = $1", theirs))

	r := rep.Post("/leads/bulk", url.Values{"ids": ids, "action": {"owner"}, "value_owner": {rep2}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Contains(t, rep.Get("/leads").Body, "only people in your scope can be chosen", "a rep cannot give leads away")
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM leads WHERE id = ANY(string_to_array($1, ',')::bigint[]) AND owner_id = $2", mine, rep2))
}

// A manager gives every lead the filters match to another rep: all of them, written to history.
func TestBulkOnEveryRowTheViewMatches(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	want := app.Scalar(t, "SELECT count(*)::text FROM leads WHERE owner_id = $1 AND status = 'contacted'", rep1)
	require.NotEqual(t, "0", want)
	manager := app.Login(t, "manager@demo.test")
	msg := bulk(t, manager, "/leads", url.Values{"all": {"1"}, "action": {"owner"}, "value_owner": {rep2},
		"view": {"owner=" + rep1 + "&status=contacted"}})
	require.Contains(t, msg, "Gave "+want+" leads to Sam Seller.")
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM leads WHERE owner_id = $1 AND status = 'contacted'", rep1))
	require.Equal(t, want, app.Scalar(t, "SELECT count(*)::text FROM record_history WHERE entity = 'leads' AND field = 'owner_id' AND new_value = $1", rep2))
}

// Deals move to a lost stage only with a reason; a choice is added to a several-choices field
// once; accounts that still hold contacts or deals are not deleted.
func TestBulkStagesChoicesAndDeletes(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	deals := strings.Split(app.Scalar(t, `SELECT string_agg(id::text, ',') FROM (SELECT o.id FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
		WHERE s.kind = 'open' ORDER BY o.id LIMIT 2) d`), ",")
	lost := app.Scalar(t, "SELECT min(s.id)::text FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id WHERE p.is_default AND s.kind = 'lost'")
	r := admin.Post("/opportunities/bulk", url.Values{"ids": deals, "action": {"stage"}, "value_stage": {lost}, "reason": {" "}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	back := admin.Get(r.Header.Get("Location"))
	require.Contains(t, back.Body, "A lost stage needs a reason")
	for _, id := range deals {
		require.Contains(t, back.Body, `value="`+id+`" form="bulk-form" aria-label="Tick row `+id+`" checked>`, "the rows stay ticked to try again")
	}
	require.Contains(t, back.Body, `<option value="stage" selected>`)
	require.Contains(t, back.Body, `<option value="`+lost+`" selected>`)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM opportunities WHERE stage_id = $1 AND id = ANY($2::bigint[])", lost, deals))
	msg := bulk(t, admin, "/opportunities", url.Values{"ids": deals, "action": {"stage"}, "value_stage": {lost}, "reason": {"Budget frozen"}})
	require.Contains(t, msg, "(2 deals)")
	require.Equal(t, "2", app.Scalar(t, "SELECT count(*)::text FROM opportunities WHERE lost_reason = 'Budget frozen' AND closed_at IS NOT NULL AND id = ANY($1::bigint[])", deals))

	app.Exec(t, `INSERT INTO custom_fields (entity, key, label, type, options) VALUES ('contacts', 'tags', 'Tags', 'multi_select', '{VIP,Partner}')`)
	contacts := strings.Split(app.Scalar(t, "SELECT string_agg(id::text, ',') FROM (SELECT id FROM contacts ORDER BY id LIMIT 2) c"), ",")
	app.Exec(t, `UPDATE contacts SET custom = '{"tags": ["Partner"]}' WHERE id = $1`, contacts[0])
	msg = bulk(t, admin, "/contacts", url.Values{"ids": contacts, "action": {"tag"}, "value_tag": {"tags=VIP"}})
	require.Contains(t, msg, "Added “VIP” to Tags of 2 contacts.")
	require.Equal(t, `["Partner", "VIP"]`, app.Scalar(t, "SELECT (custom -> 'tags')::text FROM contacts WHERE id = $1", contacts[0]))
	msg = bulk(t, admin, "/contacts", url.Values{"ids": contacts, "action": {"tag"}, "value_tag": {"tags=VIP"}})
	require.Contains(t, msg, "2 skipped")

	empty := app.Scalar(t, `INSERT INTO accounts (owner_id, name) SELECT id, 'Empty Shell Ltd' FROM users WHERE email = 'admin@demo.test' RETURNING id::text`)
	busy := app.Scalar(t, "SELECT min(account_id)::text FROM contacts")
	msg = bulk(t, admin, "/accounts", url.Values{"ids": {empty, busy}, "action": {"delete"}})
	require.Contains(t, msg, "Deleted 1 account. 1 skipped: they still have contacts or deals, or you may not delete them.")
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM accounts WHERE id = $1", empty))

	app.Exec(t, "UPDATE role_permissions SET scope = 'none' WHERE entity = 'leads' AND action = 'delete' AND role_id = (SELECT id FROM roles WHERE name = 'sales_rep')")
	rep := app.Login(t, "rep1@demo.test")
	lead := app.Scalar(t, "SELECT min(id)::text FROM leads WHERE owner_id = (SELECT id FROM users WHERE email = 'rep1@demo.test')")
	require.Equal(t, http.StatusForbidden, rep.Post("/leads/bulk", url.Values{"ids": {lead}, "action": {"delete"}}).Status)
	require.NotContains(t, rep.Get("/leads").Body, `<option value="delete">`)
}
