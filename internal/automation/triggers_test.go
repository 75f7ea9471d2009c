package automation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/internal/automation"
	"github.com/crm-team/crm/web/webtest"
)

// A deal whose close date has passed while open sets off its rule once; the rule's condition on
// a custom field picks which deals, and its action hands each to the team's next member in turn.
func TestCloseDatePassedCustomConditionAndRoundRobin(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `UPDATE automations SET enabled = false`) // the shipped rules stay out of the way
	team := app.Scalar(t, "SELECT team_id::text FROM users WHERE email = 'rep1@demo.test'")
	firstTwo := app.Scalar(t, "SELECT string_agg(id::text, ',' ORDER BY id) FROM (SELECT id FROM users WHERE team_id = $1 AND active ORDER BY id LIMIT 2) m", team)
	app.Exec(t, `INSERT INTO custom_fields (entity, key, label, type, options) VALUES ('opportunities', 'region', 'Region', 'select', '{North,South}')`)
	app.Exec(t, `INSERT INTO automations (name, entity, trigger, conditions, actions) VALUES ('Hand out late northern deals', 'opportunities',
		'close_date_passed', '[{"field": "custom.region", "op": "eq", "value": "North"}]',
		jsonb_build_array(jsonb_build_object('type', 'assign', 'team', $1::bigint)))`, team)
	// Every open deal is on time except three: two northern, one southern.
	app.Exec(t, `UPDATE opportunities SET close_date = current_date + 30`)
	app.Exec(t, `WITH late AS (
			SELECT o.id, row_number() OVER (ORDER BY o.id) AS n FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
			WHERE s.kind = 'open' ORDER BY o.id LIMIT 3)
		UPDATE opportunities o SET close_date = current_date - 1, owner_id = (SELECT id FROM users WHERE email = 'admin@demo.test'),
			custom = CASE WHEN late.n < 3 THEN '{"region": "North"}'::jsonb ELSE '{"region": "South"}'::jsonb END
		FROM late WHERE o.id = late.id`)
	app.StartWorker(t)
	app.Eventually(t, "3", `SELECT count(*)::text FROM automation_runs`)
	app.Eventually(t, "done done skipped", `SELECT string_agg(status::text, ' ' ORDER BY record_id) FROM automation_runs`)
	require.Equal(t, firstTwo, app.Scalar(t, `SELECT string_agg(o.owner_id::text, ',' ORDER BY o.owner_id) FROM opportunities o
		JOIN automation_runs r ON r.record_id = o.id AND r.status = 'done'`), "the two northern deals went to the team's first two members in turn")
	require.Contains(t, app.Scalar(t, `SELECT outcome[1] FROM automation_runs WHERE status = 'skipped'`), "“region is North” is not so")
	// Sweeps keep running: each deal still fired once for its close date.
	time.Sleep(500 * time.Millisecond)
	require.Equal(t, "3", app.Scalar(t, `SELECT count(*)::text FROM automation_runs`))
}

// A scheduled rule runs when its time comes, on the newest records its conditions let through,
// and is set for its next time.
func TestScheduledRule(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `UPDATE automations SET enabled = false`)
	admin := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'admin@demo.test'")
	app.Exec(t, `INSERT INTO automations (name, entity, trigger, schedule, next_run_at, conditions, actions) VALUES
		('Morning digest', 'leads', 'schedule', '{"days": [1,2,3,4,5,6,7], "at": "09:00", "tz": "Europe/Berlin"}', now() - interval '1 minute',
		 '[{"field": "status", "op": "eq", "value": "qualified"}]',
		 jsonb_build_array(jsonb_build_object('type', 'notify', 'to', 'user:' || $1, 'message', 'Qualified: {name}')))`, admin)
	qualified := app.Scalar(t, "SELECT count(*)::text FROM leads WHERE status = 'qualified'")
	app.StartWorker(t)
	app.Eventually(t, "1", `SELECT count(*)::text FROM automation_runs`)
	require.Contains(t, app.Scalar(t, `SELECT outcome[1] FROM automation_runs`), qualified+" of the newest")
	require.Equal(t, qualified, app.Scalar(t, `SELECT count(*)::text FROM notifications WHERE user_id = $1 AND title LIKE 'Qualified: %'`, admin))
	next := app.Scalar(t, `SELECT to_char(next_run_at AT TIME ZONE 'Europe/Berlin', 'HH24:MI') FROM automations WHERE name = 'Morning digest'`)
	require.Equal(t, "09:00", next)
	require.Equal(t, "true", app.Scalar(t, `SELECT (next_run_at > now())::text FROM automations WHERE name = 'Morning digest'`))
}

// Schedules keep their wall-clock time across daylight saving changes and skip days off.
func TestScheduleNext(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	weekdays := automation.Schedule{Days: []int{1, 2, 3, 4, 5}, At: "09:00", TZ: "Europe/Berlin"}
	friday := time.Date(2026, 3, 27, 10, 0, 0, 0, berlin) // after 9:00, the weekend of the clocks going forward next
	require.Equal(t, time.Date(2026, 3, 30, 9, 0, 0, 0, berlin), weekdays.Next(friday))
	require.Equal(t, "2026-03-30T07:00:00Z", weekdays.Next(friday).UTC().Format(time.RFC3339), "summer time: 9:00 is 7:00 UTC")
	require.Equal(t, time.Date(2026, 3, 27, 9, 0, 0, 0, berlin), weekdays.Next(friday.Add(-2*time.Hour)), "the same day when before 9:00")
	require.Equal(t, "every weekday at 09:00 (Europe/Berlin)", weekdays.String())
	require.Equal(t, "Pick at least one day.", automation.Schedule{At: "09:00", TZ: "UTC"}.Check())
	require.NotEmpty(t, automation.Schedule{Days: []int{1}, At: "09:00", TZ: "Mars/Olympus"}.Check())
}
