package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
)

// keptCounts is record_counts and activity_days as text, without rows that count nothing.
func keptCounts(t *testing.T, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) string {
	t.Helper()
	rows, err := q.Query(context.Background(), `SELECT entity, owner_id, coalesce(team_id, 0), bucket, n, amount::text
		FROM record_counts WHERE n <> 0 OR amount <> 0
		UNION ALL
		SELECT 'activity day', owner_id, coalesce(team_id, 0), day::text || ' ' || type, n, '0'
		FROM activity_days WHERE n <> 0
		ORDER BY 1, 2, 4`)
	require.NoError(t, err)
	var b strings.Builder
	for rows.Next() {
		var entity, bucket, amount string
		var owner, team, n int64
		require.NoError(t, rows.Scan(&entity, &owner, &team, &bucket, &n, &amount))
		fmt.Fprintf(&b, "%s %d %d %s %d %s\n", entity, owner, team, bucket, n, amount)
	}
	require.NoError(t, rows.Err())
	return b.String()
}

// requireCountsExact compares the kept counts with counting everything again.
func requireCountsExact(t *testing.T, w *world, step string) {
	t.Helper()
	ctx := context.Background()
	kept := keptCounts(t, w.pool)
	tx, err := w.pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	_, err = tx.Exec(ctx, "SELECT crm_recount()")
	require.NoError(t, err)
	require.Equal(t, keptCounts(t, tx), kept, "after %s the kept counts differ from a recount", step)
}

// The counts that lists, boards and the dashboard read are kept by triggers through every kind
// of change a user (or an admin moving a user to another team) can make.
func TestKeptCountsFollowEveryChange(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	requireCountsExact(t, w, "the demo seed")
	rep, other := w.users["rep1@demo.test"], w.users["rep2@demo.test"]

	steps := []struct {
		name string
		sql  string
	}{
		{"a lead created", `INSERT INTO leads (owner_id, last_name, status) VALUES ($1, 'Counted', 'new')`},
		{"a lead's status changed", `UPDATE leads SET status = 'qualified' WHERE last_name = 'Counted' AND owner_id = $1`},
		{"a lead given to someone else", `UPDATE leads SET owner_id = $2 WHERE last_name = 'Counted' AND owner_id = $1`},
		{"a lead deleted", `DELETE FROM leads WHERE last_name = 'Counted' AND owner_id IN ($1, $2)`},
		{"a deal moved to another stage", `UPDATE opportunities SET stage_id = (SELECT max(id) FROM pipeline_stages), lost_reason = 'Budget' WHERE id = (SELECT min(id) FROM opportunities WHERE owner_id = $1)`},
		{"a deal's amount changed", `UPDATE opportunities SET amount = amount + 1234.5 WHERE id = (SELECT max(id) FROM opportunities WHERE owner_id = $1)`},
		{"deals given to someone else", `UPDATE opportunities SET owner_id = $2 WHERE owner_id = $1 AND id % 2 = 0`},
		{"a task completed", `UPDATE activities SET done_at = now() WHERE id = (SELECT min(id) FROM activities WHERE type = 'task' AND done_at IS NULL AND owner_id = $1)`},
		{"a task added", `INSERT INTO activities (owner_id, type, subject, contact_id) SELECT $1, 'task', 'Call back', min(id) FROM contacts`},
		{"a note turned into a task", `UPDATE activities SET type = 'task' WHERE id = (SELECT min(id) FROM activities WHERE type = 'note' AND owner_id = $1)`},
		{"an activity dated back a week", `UPDATE activities SET created_at = created_at - interval '7 days' WHERE id = (SELECT max(id) FROM activities WHERE owner_id = $1)`},
		{"activities deleted with their contact", `DELETE FROM contacts WHERE id = (SELECT max(id) FROM contacts WHERE owner_id = $1 AND id NOT IN (SELECT contact_id FROM opportunities WHERE contact_id IS NOT NULL))`},
		{"a rep moved to another team", `UPDATE users SET team_id = (SELECT min(id) FROM teams) WHERE id = $1`},
		{"a rep taken out of every team", `UPDATE users SET team_id = NULL WHERE id IN ($1, $2)`},
	}
	for _, s := range steps {
		args := []any{rep.UserID, other.UserID}
		if !strings.Contains(s.sql, "$2") {
			args = args[:1]
		}
		_, err := w.pool.Exec(ctx, s.sql, args...)
		require.NoError(t, err, s.name)
		requireCountsExact(t, w, s.name)
	}

	// The counts are read under the same scopes as the records: a rep sees only their own leads'.
	var seen int64
	require.NoError(t, db.InTx(ctx, w.pool, rep, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(DISTINCT owner_id) FROM record_counts WHERE entity = 'leads'").Scan(&seen)
	}))
	require.Equal(t, int64(1), seen, "a rep reads the counts of their own leads only")
}
