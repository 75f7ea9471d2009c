package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// An admin writes a rule in the form: mistakes come back beside their inputs with everything
// typed kept; saved, it is listed with when it runs, a dry run on a record says what it would do
// and saves nothing, and it can be switched off and deleted. Nobody else may touch rules.
func TestAdminWritesDryRunsAndSwitchesRules(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")

	bad := url.Values{"name": {"Big deal follow-up"}, "entity": {"opportunities"}, "trigger": {"changed"}, "field": {"nope"},
		"c1_field": {"amount"}, "c1_op": {"gt"}, "c1_value": {""}, "a1_type": {"task"}, "a1_subject": {""}, "a1_days": {"400"},
		"a2_type": {"webhook"}, "a2_url": {"ftp://x"}, "a2_secret": {"k"}, "enabled": {"on"}}
	r := admin.Post("/admin/automations", bad)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	for _, want := range []string{"Choose a field of this record type to watch.", "Give the value to test against.",
		"Say what the task is", "Enter a whole number from 0 to 365.", "Give a full http:// or https:// address.",
		`value="Big deal follow-up"`, `value="ftp://x"`} {
		require.Contains(t, r.Body, want)
	}
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM automations WHERE name = 'Big deal follow-up'"))

	good := url.Values{"name": {"Big deal follow-up"}, "entity": {"opportunities"}, "trigger": {"changed"}, "field": {"stage"},
		"to_value": {"Negotiation"}, "c1_field": {"amount"}, "c1_op": {"gt"}, "c1_value": {"10000"},
		"a1_type": {"task"}, "a1_subject": {"Check terms of {name}"}, "a1_days": {"2"}, "a1_to": {"owner"},
		"a2_type": {"notify"}, "a2_to": {"manager, user:" + rep1}, "a2_message": {"{name} is in negotiation"}, "enabled": {"on"}}
	r = admin.Post("/admin/automations", good)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	rule := strings.TrimPrefix(r.Header.Get("Location"), "/admin/automations/")
	list := admin.Get("/admin/automations")
	require.Contains(t, list.Body, "Big deal follow-up")
	require.Contains(t, list.Body, "A deal&#39;s stage changes to Negotiation")

	big := app.Scalar(t, "UPDATE opportunities SET amount = 50000 WHERE id = (SELECT min(id) FROM opportunities WHERE owner_id = $1) RETURNING id::text", rep1)
	small := app.Scalar(t, "UPDATE opportunities SET amount = 5000 WHERE id = (SELECT max(id) FROM opportunities) RETURNING id::text")
	before := app.Scalar(t, "SELECT count(*)::text FROM activities")
	dry := admin.Get("/admin/automations/" + rule + "?record=" + big)
	require.Equal(t, http.StatusOK, dry.Status)
	require.Contains(t, dry.Body, "It would:")
	require.Contains(t, dry.Body, "Created the task “Check terms of ")
	require.Contains(t, dry.Body, "Notified 2 of 2 people", "the rep's manager and the rep, who both may see the deal")
	require.Contains(t, admin.Get("/admin/automations/"+rule+"?record="+small).Body, "It would do nothing: Skipped: “amount is more than 10000” is not so")
	require.Contains(t, admin.Get("/admin/automations/"+rule+"?record=x").Body, "Give the number of a record")
	require.Equal(t, before, app.Scalar(t, "SELECT count(*)::text FROM activities"), "a dry run saves nothing")
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM notifications WHERE kind = 'automation'"))

	for _, email := range []string{"rep1@demo.test", "manager@demo.test"} {
		c := app.Login(t, email)
		require.Equal(t, http.StatusForbidden, c.Get("/admin/automations").Status)
		require.Equal(t, http.StatusForbidden, c.Post("/admin/automations", good).Status)
		require.Equal(t, http.StatusForbidden, c.Post("/admin/automations/"+rule+"/delete", url.Values{}).Status)
	}

	r = admin.Post("/admin/automations", url.Values{"name": {"Weekday digest"}, "entity": {"leads"}, "trigger": {"schedule"},
		"days": {"1", "3"}, "at": {"25:00"}, "tz": {"Europe/Berlin"}, "a1_type": {"notify"}, "a1_to": {"owner"}, "a1_message": {"Still {status}"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Give the time as hours and minutes, e.g. 09:00.")
	require.Contains(t, r.Body, `name="days" value="3" checked`, "the days ticked are kept")
	r = admin.Post("/admin/automations", url.Values{"name": {"Weekday digest"}, "entity": {"leads"}, "trigger": {"schedule"},
		"days": {"1", "3"}, "at": {"08:30"}, "tz": {"Europe/Berlin"}, "a1_type": {"notify"}, "a1_to": {"owner"}, "a1_message": {"Still {status}"}})
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	next := app.Scalar(t, `SELECT to_char(next_run_at AT TIME ZONE 'Europe/Berlin', 'HH24:MI ID') FROM automations WHERE name = 'Weekday digest'`)
	require.Contains(t, []string{"08:30 1", "08:30 3"}, next, "next due on a Monday or Wednesday at 08:30 in Berlin")
	require.Contains(t, admin.Get("/admin/automations").Body, "For leads, Mon, Wed at 08:30 (Europe/Berlin)")

	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/automations/"+rule+"/enabled", url.Values{}).Status)
	require.Equal(t, "false", app.Scalar(t, "SELECT enabled::text FROM automations WHERE id = $1", rule))
	require.Contains(t, admin.Get("/admin/automations").Body, "Off · switch on")
	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/automations/"+rule+"/delete", url.Values{}).Status)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM automations WHERE id = $1", rule))
}

// A rule whose action fails shows each failed attempt's reason in its runs; once the admin fixes
// it, "Run again" runs it on the same record.
func TestFailedRunsShowWhyAndRunAgain(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `UPDATE automations SET enabled = false`)
	app.StartWorker(t)
	admin := app.Login(t, "admin@demo.test")
	rule := url.Values{"name": {"Close new leads"}, "entity": {"leads"}, "trigger": {"created"},
		"a1_type": {"set"}, "a1_field": {"status"}, "a1_value": {"hot"}, "enabled": {"on"}}
	r := admin.Post("/admin/automations", rule)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "a value the field cannot take is refused before it runs")
	require.Contains(t, r.Body, "A lead&#39;s status is one of new, contacted")
	// Converted needs the lead converted: the database refuses it when the rule runs.
	rule.Set("a1_value", "converted")
	r = admin.Post("/admin/automations", rule)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	id := strings.TrimPrefix(r.Header.Get("Location"), "/admin/automations/")
	lead := app.Scalar(t, `INSERT INTO leads (owner_id, last_name) SELECT id, 'Failing' FROM users WHERE email = 'rep1@demo.test' RETURNING id::text`)

	app.Eventually(t, "discarded", `SELECT coalesce(max(state::text), '') FROM river_job WHERE kind = 'automation' AND args->>'record_id' = $1`, lead)
	runs := admin.Get("/admin/automations/" + id + "/runs")
	require.Contains(t, runs.Body, "failed")
	require.Contains(t, runs.Body, "step 1, set a field")
	require.Contains(t, runs.Body, "(attempt 5 of 5)")
	require.Contains(t, admin.Get("/admin/automations").Body, "1 failed")

	rule.Set("a1_value", "contacted")
	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/automations/"+id, rule).Status)
	run := app.Scalar(t, "SELECT id::text FROM automation_runs WHERE automation_id = $1", id)
	require.Equal(t, http.StatusSeeOther, admin.Post("/admin/automations/"+id+"/runs/"+run+"/retry", url.Values{}).Status)
	app.Eventually(t, "contacted", `SELECT status::text FROM leads WHERE id = $1`, lead)
	require.Contains(t, admin.Get("/admin/automations/"+id+"/runs").Body, "Set status to “contacted”")
	require.Equal(t, "Alex Admin", app.Scalar(t, `SELECT u.name FROM record_history h JOIN users u ON u.id = h.user_id
		WHERE h.entity = 'leads' AND h.record_id = $1 AND h.field = 'status'`, lead), "history names the rule's author")
}
