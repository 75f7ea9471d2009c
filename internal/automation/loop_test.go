package automation_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/internal/automation"
	"github.com/crm-team/crm/web/webtest"
)

// Two rules that set each other off (one turns a contacted lead back to new, the other a new
// one to contacted) stop at the depth limit: the last run says why, and nothing is left queued.
func TestRulesThatLoopStop(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `UPDATE automations SET enabled = false`) // the shipped rules stay out of the way
	app.Exec(t, `INSERT INTO automations (name, entity, trigger, field, to_value, actions) VALUES
		('Ping', 'leads', 'changed', 'status', 'contacted', '[{"type": "set", "field": "status", "value": "new"}]'),
		('Pong', 'leads', 'changed', 'status', 'new', '[{"type": "set", "field": "status", "value": "contacted"}]')`)
	app.StartWorker(t)
	lead := app.Scalar(t, `INSERT INTO leads (owner_id, last_name) SELECT id, 'Looper' FROM users WHERE email = 'rep1@demo.test' RETURNING id::text`)
	app.Exec(t, `UPDATE leads SET status = 'contacted' WHERE id = $1`, lead)

	app.Eventually(t, "0", `SELECT count(*)::text FROM river_job WHERE kind = 'automation' AND state NOT IN ('completed', 'discarded', 'cancelled')`)
	app.Eventually(t, "1", `SELECT count(*)::text FROM automation_runs WHERE status = 'skipped' AND outcome[1] LIKE 'Stopped: this change came % rules deep%'`)
	runs := app.Scalar(t, `SELECT string_agg(a.name || ' ' || r.depth || ' ' || r.status, ', ' ORDER BY r.depth)
		FROM automation_runs r JOIN automations a ON a.id = r.automation_id WHERE r.record_id = $1`, lead)
	require.Equal(t, "Ping 0 done, Pong 1 done, Ping 2 done, Pong 3 skipped", runs, "depths below %d run, the next is stopped", automation.MaxDepth)
	require.Equal(t, "0", app.Scalar(t, `SELECT count(*)::text FROM river_job WHERE kind = 'automation' AND state <> 'completed'`))
}
