package automation_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// The rules a new install ships with: a qualified lead gets a call task for its owner, a deal
// moved to Proposal a follow-up task, a deal won or lost tells the owner's manager, and an
// overdue task reminds its assignee once a day.
func TestShippedRules(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.StartWorker(t)
	rep := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	manager := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'manager@demo.test'")

	lead := app.Scalar(t, "INSERT INTO leads (owner_id, first_name, last_name, status) VALUES ($1, 'Quinn', 'Qualify', 'new') RETURNING id::text", rep)
	app.Exec(t, "UPDATE leads SET status = 'qualified' WHERE id = $1", lead)
	app.Eventually(t, "1", `SELECT count(*)::text FROM activities WHERE lead_id = $1 AND type = 'task' AND subject = 'Call Quinn Qualify'
		AND owner_id = $2 AND due_at BETWEEN now() + interval '23 hours' AND now() + interval '25 hours'`, lead, rep)

	deal := app.Scalar(t, `INSERT INTO opportunities (owner_id, account_id, name, stage_id, amount, close_date)
		SELECT $1, (SELECT min(id) FROM accounts), 'Proposal Deal', s.id, 1000, current_date + 30 FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id
		WHERE p.is_default AND s.name = 'Qualification' RETURNING id::text`, rep)
	app.Exec(t, `UPDATE opportunities o SET stage_id = s.id FROM pipeline_stages s WHERE o.id = $1 AND s.pipeline_id = o.pipeline_id AND s.name = 'Proposal'`, deal)
	app.Eventually(t, "1", `SELECT count(*)::text FROM activities WHERE opportunity_id = $1 AND subject = 'Follow up on the proposal for Proposal Deal'
		AND due_at > now() + interval '71 hours'`, deal)
	app.Exec(t, `UPDATE opportunities o SET stage_id = s.id FROM pipeline_stages s WHERE o.id = $1 AND s.pipeline_id = o.pipeline_id AND s.name = 'Closed Won'`, deal)
	app.Eventually(t, "Proposal Deal moved to Closed Won (Riley Rep)", `SELECT coalesce(string_agg(title, '|'), '') FROM notifications
		WHERE user_id = $1 AND kind = 'automation' AND entity = 'opportunities' AND record_id = $2`, manager, deal)
	require.Equal(t, "0", app.Scalar(t, `SELECT count(*)::text FROM notifications WHERE kind = 'automation' AND user_id = $1 AND title LIKE '%moved to%'`, rep),
		"the manager is told, not the rep")

	task := app.Scalar(t, `INSERT INTO activities (owner_id, type, subject, due_at, opportunity_id)
		VALUES ($1, 'task', 'Send the contract', now() - interval '2 days', $2) RETURNING id::text`, rep, deal)
	app.Eventually(t, "1", `SELECT count(*)::text FROM notifications WHERE user_id = $1 AND kind = 'automation' AND title = 'Overdue: Send the contract'
		AND entity = 'activities' AND record_id = $2`, rep, task)
	// A task given to someone on a record they cannot see still reminds them.
	other := app.Scalar(t, `INSERT INTO activities (owner_id, type, subject, due_at, opportunity_id)
		SELECT $1, 'task', 'Help a colleague', now() - interval '1 day', o.id FROM opportunities o
		WHERE o.owner_id <> $1 AND o.team_id IS DISTINCT FROM (SELECT team_id FROM users WHERE id = $1) LIMIT 1 RETURNING id::text`, rep)
	app.Eventually(t, "1", `SELECT count(*)::text FROM notifications WHERE user_id = $1 AND entity = 'activities' AND record_id = $2`, rep, other)
	r := app.Login(t, "rep1@demo.test").Get("/notifications/" + app.Scalar(t, `SELECT id::text FROM notifications WHERE record_id = $1 AND entity = 'activities'`, other))
	require.Equal(t, "/activities", r.Header.Get("Location"), "it opens their tasks")
	// The sweep runs five times a second here: still one reminder for today.
	app.Eventually(t, "1", `SELECT count(*)::text FROM automation_fired f JOIN automations a ON a.id = f.automation_id
		WHERE a.trigger = 'task_overdue' AND f.record_id = $1`, task)
	app.Eventually(t, "1", `SELECT count(*)::text FROM notifications WHERE user_id = $1 AND title = 'Overdue: Send the contract'`, rep)
	app.Eventually(t, "done", `SELECT string_agg(DISTINCT r.status::text, ',') FROM automation_runs r`)
}
