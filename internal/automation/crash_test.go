package automation_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db/dbtest"
	"github.com/crm-team/crm/web/webtest"
)

// A `crm worker` process killed in the middle of a rule's actions neither loses nor doubles
// them: its transaction dies with it, and another worker runs the job again from the start.
// The test holds a lock on the lead so the killed worker is caught between the rule's two steps
// (the task is inserted, the status change waits for the lock).
func TestKilledWorkerNeitherLosesNorRepeatsActions(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "crm")
	build := exec.Command("go", "build", "-o", bin, "github.com/crm-team/crm/cmd/crm")
	build.Stderr = t.Output()
	require.NoError(t, build.Run())

	app := webtest.New(t)
	ctx := context.Background()
	app.Exec(t, `UPDATE automations SET enabled = false`) // the shipped rules stay out of the way
	app.Exec(t, `INSERT INTO automations (name, entity, trigger, actions) VALUES ('Welcome', 'leads', 'created',
		'[{"type": "task", "subject": "Welcome {name}", "days": 2, "to": "owner"},
		  {"type": "set", "field": "status", "value": "contacted"}]')`)
	lead := app.Scalar(t, `INSERT INTO leads (owner_id, first_name, last_name) SELECT id, 'Kay', 'Killed' FROM users WHERE email = 'rep1@demo.test' RETURNING id::text`)
	lock, err := app.Pool.Begin(ctx)
	require.NoError(t, err)
	defer lock.Rollback(ctx) //nolint:errcheck
	_, err = lock.Exec(ctx, "SELECT FROM leads WHERE id = $1 FOR NO KEY UPDATE", lead)
	require.NoError(t, err)

	url := app.Pool.Config().ConnString()
	worker := exec.Command(bin, "worker")
	worker.Env = append(os.Environ(), "DATABASE_URL="+url, "CRM_APP_DATABASE_URL="+dbtest.AppURL(t, url), "CRM_DB_LOCK_TIMEOUT=60s")
	worker.Stdout, worker.Stderr = t.Output(), t.Output()
	require.NoError(t, worker.Start())
	// Other roles' statements show only to a superuser.
	su, err := pgxpool.New(ctx, dbtest.SuperuserURL(t, url))
	require.NoError(t, err)
	defer su.Close()
	waiting := func() int {
		var n int
		require.NoError(t, su.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query LIKE '%name: RuleSetStatus %'`).Scan(&n))
		return n
	}
	require.Eventually(t, func() bool { return waiting() == 1 }, 40*time.Second, 50*time.Millisecond, "the worker reaches the status change")
	require.NoError(t, worker.Process.Kill())
	_ = worker.Wait()
	require.NoError(t, lock.Rollback(ctx))

	require.Eventually(t, func() bool { return waiting() == 0 }, 40*time.Second, 50*time.Millisecond)
	require.Equal(t, "0", app.Scalar(t, `SELECT count(*)::text FROM activities WHERE lead_id = $1`, lead), "the killed worker's task went with it")
	require.Equal(t, "running", app.Scalar(t, `SELECT state::text FROM river_job WHERE kind = 'automation'`))

	start := time.Now()
	app.StartWorker(t)
	app.Eventually(t, "completed", `SELECT state::text FROM river_job WHERE kind = 'automation'`)
	t.Logf("another worker took the job over after %s", time.Since(start).Round(time.Second))
	require.Equal(t, "1", app.Scalar(t, `SELECT count(*)::text FROM activities WHERE lead_id = $1 AND subject = 'Welcome Kay Killed'`, lead))
	require.Equal(t, "contacted", app.Scalar(t, `SELECT status::text FROM leads WHERE id = $1`, lead))
	require.Equal(t, "done 2", app.Scalar(t, `SELECT status || ' ' || attempt FROM automation_runs`))
}
