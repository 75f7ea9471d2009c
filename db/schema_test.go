package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/dbtest"
)

// Each statement breaks one rule a user can trip; the database must refuse it by the named
// constraint, which is what the forms turn into a message beside the field.
func TestConstraintsRefuseBadData(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	var account, contact, stage, pipeline, owner int64
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT a.id, c.id, a.owner_id FROM accounts a JOIN contacts c ON c.account_id = a.id LIMIT 1`).Scan(&account, &contact, &owner))
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT id, pipeline_id FROM pipeline_stages LIMIT 1`).Scan(&stage, &pipeline))

	cases := []struct {
		name, sql, code, constraint string
		args                        []any
	}{
		{"user email is unique whatever its case", `INSERT INTO users (email, name, role_id, password_hash) SELECT 'ADMIN@Demo.Test', 'X', role_id, 'h' FROM users LIMIT 1`, "23505", "users_email_key", nil},
		{"user email looks like one", `INSERT INTO users (email, name, role_id, password_hash) SELECT 'nobody', 'X', role_id, 'h' FROM users LIMIT 1`, "23514", "users_email_format", nil},
		{"contact email is unique whatever its case", `INSERT INTO contacts (owner_id, last_name, email) SELECT owner_id, 'Dup', upper(email::text) FROM contacts WHERE email IS NOT NULL LIMIT 1`, "23505", "contacts_email_key", nil},
		{"account domain is unique", `INSERT INTO accounts (owner_id, name, domain) SELECT owner_id, 'Copy', upper(domain::text) FROM accounts WHERE domain IS NOT NULL LIMIT 1`, "23505", "accounts_domain_key", nil},
		{"account revenue is not negative", `INSERT INTO accounts (owner_id, name, annual_revenue) VALUES ($1, 'Neg', -1)`, "23514", "accounts_annual_revenue_nonnegative", []any{owner}},
		{"opportunity amount is positive", `INSERT INTO opportunities (owner_id, name, account_id, pipeline_id, stage_id, amount, close_date) VALUES ($1, 'Zero', $2, $3, $4, 0, current_date)`, "23514", "opportunities_amount_positive", []any{owner, account, pipeline, stage}},
		{"a lost deal says why", `UPDATE opportunities SET stage_id = (SELECT id FROM pipeline_stages WHERE kind = 'lost' LIMIT 1), lost_reason = ' ' WHERE id = (SELECT min(id) FROM opportunities)`, "23514", "opportunities_lost_reason_required", nil},
		{"a lost deal made without a reason", `INSERT INTO opportunities (owner_id, name, account_id, stage_id, amount, close_date) SELECT $1, 'Lost', $2, id, 10, current_date FROM pipeline_stages WHERE kind = 'lost' LIMIT 1`, "23514", "opportunities_lost_reason_required", []any{owner, account}},
		{"stage probability is 0 to 100", `UPDATE pipeline_stages SET probability = 101 WHERE id = $1`, "23514", "pipeline_stages_probability_range", []any{stage}},
		{"activity is linked to a record", `INSERT INTO activities (owner_id, type, subject) VALUES ($1, 'note', 'Orphan')`, "23514", "activities_linked_to_record", []any{owner}},
		{"activity type is one of the enum", `INSERT INTO activities (owner_id, type, subject, account_id) VALUES ($1, 'fax', 'Old', $2)`, "22P02", "", []any{owner, account}},
		{"lead status is one of the enum", `UPDATE leads SET status = 'maybe' WHERE id = (SELECT min(id) FROM leads)`, "22P02", "", nil},
		{"a converted lead records when", `UPDATE leads SET status = 'converted' WHERE id = (SELECT min(id) FROM leads)`, "23514", "leads_conversion_recorded", nil},
		{"an account with contacts cannot be deleted", `DELETE FROM accounts WHERE id = $1`, "23503", "contacts_account_id_fkey", []any{account}},
		{"a user who owns records cannot be deleted", `DELETE FROM users WHERE id = $1`, "23503", "", []any{owner}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.pool.Exec(ctx, tc.sql, tc.args...)
			var pe *pgconn.PgError
			require.True(t, errors.As(err, &pe), "want SQLSTATE %s, got %v", tc.code, err)
			require.Equal(t, tc.code, pe.Code, pe.Message)
			if tc.constraint != "" {
				require.Equal(t, tc.constraint, pe.ConstraintName)
			}
		})
	}
}

func TestRecordTeamFollowsItsOwner(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	admin, rep := w.users["admin@demo.test"], w.users["rep1@demo.test"]
	var lead int64
	require.NoError(t, w.pool.QueryRow(ctx, "SELECT id FROM leads WHERE owner_id = $1 LIMIT 1", admin.UserID).Scan(&lead))
	require.NoError(t, db.InTx(ctx, w.pool, admin, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE leads SET owner_id = $1 WHERE id = $2", rep.UserID, lead)
		return err
	}))
	var team int64
	require.NoError(t, w.pool.QueryRow(ctx, "SELECT team_id FROM leads WHERE id = $1", lead).Scan(&team))
	require.Equal(t, rep.TeamID, team, "the lead moved to its new owner's team")

	// When the rep changes team, their records go with them.
	require.NoError(t, db.InTx(ctx, w.pool, admin, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE users SET team_id = $1 WHERE id = $2", admin.TeamID, rep.UserID)
		return err
	}))
	var stale int
	require.NoError(t, w.pool.QueryRow(ctx, "SELECT count(*) FROM opportunities WHERE owner_id = $1 AND team_id IS DISTINCT FROM $2", rep.UserID, admin.TeamID).Scan(&stale))
	require.Zero(t, stale)
}

func TestEditsBumpVersionAndWriteHistory(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	rep := w.users["rep1@demo.test"]
	var lead int64
	var version int
	require.NoError(t, w.pool.QueryRow(ctx, "SELECT id, version FROM leads WHERE owner_id = $1 LIMIT 1", rep.UserID).Scan(&lead, &version))
	require.NoError(t, db.InTx(ctx, w.pool, rep, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE leads SET company = 'Renamed Ltd', status = 'contacted' WHERE id = $1", lead)
		return err
	}))
	var newVersion int
	require.NoError(t, w.pool.QueryRow(ctx, "SELECT version FROM leads WHERE id = $1", lead).Scan(&newVersion))
	require.Equal(t, version+1, newVersion)

	var fields []string
	require.NoError(t, db.InTx(ctx, w.pool, rep, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT field FROM record_history WHERE entity = 'leads' AND record_id = $1 AND user_id = $2 ORDER BY field", lead, rep.UserID)
		if err != nil {
			return err
		}
		fields, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	}))
	require.Equal(t, []string{"company", "status"}, fields)

	// Another rep cannot read the history of a lead they cannot see.
	require.NoError(t, db.InTx(ctx, w.pool, w.users["rep2@demo.test"], func(tx pgx.Tx) error {
		var n int
		require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM record_history WHERE record_id = $1 AND entity = 'leads'", lead).Scan(&n))
		require.Zero(t, n)
		return nil
	}))
}

func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	t.Parallel()
	pool := newWorld(t).pool
	ctx := context.Background()
	p, sqlDB, err := db.Migrator(pool)
	require.NoError(t, err)
	defer sqlDB.Close()
	_, err = p.DownTo(ctx, 0)
	require.NoError(t, err)
	_, err = p.Up(ctx)
	require.NoError(t, err)
}

// Every foreign key needs an index that starts with its columns, or deleting a parent row scans
// the child table (and so does every join a page makes).
func TestEveryForeignKeyIsIndexed(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	rows, err := pool.Query(context.Background(), `
		SELECT c.conrelid::regclass::text || '.' || c.conname
		FROM pg_constraint c
		WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
		  AND NOT EXISTS (
		      SELECT FROM pg_index i
		      WHERE i.indrelid = c.conrelid
		        AND (i.indkey::int2[])[0:array_length(c.conkey, 1) - 1] = c.conkey)
		ORDER BY 1`)
	require.NoError(t, err)
	missing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Empty(t, missing)
}

// Whoever changes a deal's stage, the table keeps the rest in step: the stage decides the
// pipeline, restarts the days-in-stage clock, closes a won or lost deal and reopens an open one,
// forgets a lost reason once the deal is no longer lost, and a deal written without a place
// (position NULL) goes to the bottom of its column.
func TestStageChangeKeepsTheDealInStep(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	var other int64
	require.NoError(t, w.pool.QueryRow(ctx, `WITH p AS (INSERT INTO pipelines (name) VALUES ('Renewals') RETURNING id)
		INSERT INTO pipeline_stages (pipeline_id, name, position, probability) SELECT id, 'Due', 1, 50 FROM p RETURNING id`).Scan(&other))
	type deal struct {
		Pipeline, Stage                 int64
		Reason                          string
		Closed, ChangedRecently, Bottom bool
	}
	read := func(id int64) deal {
		var d deal
		require.NoError(t, w.pool.QueryRow(ctx, `SELECT o.pipeline_id, o.stage_id, o.lost_reason, o.closed_at IS NOT NULL,
			o.stage_changed_at > now() - interval '1 minute',
			o.position = (SELECT max(x.position) FROM opportunities x WHERE x.stage_id = o.stage_id)
			FROM opportunities o WHERE o.id = $1`, id).Scan(&d.Pipeline, &d.Stage, &d.Reason, &d.Closed, &d.ChangedRecently, &d.Bottom))
		return d
	}
	var id, won, lost, open, pipeline int64
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT min(o.id) FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id WHERE s.kind = 'open'`).Scan(&id))
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT pipeline_id, stage_id FROM opportunities WHERE id = $1`, id).Scan(&pipeline, &open))
	require.NoError(t, w.pool.QueryRow(ctx, `SELECT (SELECT id FROM pipeline_stages WHERE pipeline_id = $1 AND kind = 'won'),
		(SELECT id FROM pipeline_stages WHERE pipeline_id = $1 AND kind = 'lost')`, pipeline).Scan(&won, &lost))
	_, err := w.pool.Exec(ctx, `UPDATE opportunities SET stage_changed_at = now() - interval '30 days' WHERE id = $1`, id)
	require.NoError(t, err)
	require.False(t, read(id).ChangedRecently)

	_, err = w.pool.Exec(ctx, `UPDATE opportunities SET stage_id = $2, position = NULL WHERE id = $1`, id, won)
	require.NoError(t, err)
	require.Equal(t, deal{Pipeline: pipeline, Stage: won, Closed: true, ChangedRecently: true, Bottom: true}, read(id))

	_, err = w.pool.Exec(ctx, `UPDATE opportunities SET stage_id = $2, lost_reason = 'Budget cut', position = NULL WHERE id = $1`, id, lost)
	require.NoError(t, err)
	require.Equal(t, deal{Pipeline: pipeline, Stage: lost, Reason: "Budget cut", Closed: true, ChangedRecently: true, Bottom: true}, read(id))

	_, err = w.pool.Exec(ctx, `UPDATE opportunities SET stage_id = $2, position = NULL WHERE id = $1`, id, open)
	require.NoError(t, err)
	require.Equal(t, deal{Pipeline: pipeline, Stage: open, ChangedRecently: true, Bottom: true}, read(id), "reopened, the reason forgotten")

	_, err = w.pool.Exec(ctx, `UPDATE opportunities SET stage_id = $2, position = NULL WHERE id = $1`, id, other)
	require.NoError(t, err)
	require.Equal(t, other, read(id).Stage)
	require.NotEqual(t, pipeline, read(id).Pipeline, "a stage of another pipeline takes the deal there")
}
