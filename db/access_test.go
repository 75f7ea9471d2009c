package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/dbtest"
	"github.com/crm-team/crm/db/seed"
)

// world is a demo database and the access context of each demo user.
type world struct {
	pool  *pgxpool.Pool
	url   string
	users map[string]db.Access // by email
}

func newWorld(t *testing.T) *world {
	t.Helper()
	pool, url := dbtest.NewWithURL(t)
	ctx := context.Background()
	added, err := seed.Demo(ctx, pool, "demo-password")
	require.NoError(t, err)
	require.True(t, added)
	w := &world{pool: pool, url: url, users: map[string]db.Access{}}
	for _, u := range seed.DemoUsers {
		w.users[u.Email] = accessOf(t, pool, u.Email)
	}
	return w
}

func accessOf(t *testing.T, pool *pgxpool.Pool, email string) db.Access {
	t.Helper()
	ctx := context.Background()
	lu, err := db.Q.GetLoginUser(ctx, pool, email)
	require.NoError(t, err)
	su, err := db.Q.GetUser(ctx, pool, lu.ID)
	require.NoError(t, err)
	a := db.Access{UserID: su.ID, Scopes: map[string]string{}}
	if su.TeamID != nil {
		a.TeamID = *su.TeamID
	}
	rows, err := db.Q.ListRolePermissions(ctx, pool, su.RoleID)
	require.NoError(t, err)
	for _, p := range rows {
		a.Scopes[string(p.Entity)+"."+string(p.Action)] = string(p.Scope)
	}
	return a
}

// count runs a query with no WHERE clause at all under the access context: whatever comes back
// is what row-level security lets through.
func count(t *testing.T, pool *pgxpool.Pool, a db.Access, table string) (visible, notOwned int) {
	t.Helper()
	err := db.InTx(context.Background(), pool, a, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(),
			"SELECT count(*), count(*) FILTER (WHERE owner_id <> $1) FROM "+pgx.Identifier{table}.Sanitize(),
			a.UserID).Scan(&visible, &notOwned)
	})
	require.NoError(t, err)
	return visible, notOwned
}

// total counts as the owner of the tables, which row-level security does not restrict.
func total(t *testing.T, pool *pgxpool.Pool, table string) (n int) {
	t.Helper()
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n))
	return n
}

var recordTables = []string{"leads", "accounts", "contacts", "opportunities", "activities"}

func TestRepSeesOnlyOwnLeadsDealsAndActivitiesButTeamAccounts(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rep := w.users["rep1@demo.test"]
	for _, table := range []string{"leads", "opportunities", "activities"} {
		visible, notOwned := count(t, w.pool, rep, table)
		require.Positive(t, visible, table)
		require.Zero(t, notOwned, "a rep sees only their own %s", table)
		require.Less(t, visible, total(t, w.pool, table), table)
	}
	// Accounts and contacts: the team's, which includes rep2's and the manager's.
	for _, table := range []string{"accounts", "contacts"} {
		visible, notOwned := count(t, w.pool, rep, table)
		require.Positive(t, notOwned, "a rep sees the team's %s", table)
		require.Equal(t, teamCount(t, w, table, rep.TeamID), visible, table)
	}
}

func TestManagerSeesExactlyTheTeamsRecords(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := w.users["manager@demo.test"]
	for _, table := range recordTables {
		visible, _ := count(t, w.pool, m, table)
		require.Equal(t, teamCount(t, w, table, m.TeamID), visible, table)
		require.Less(t, visible, total(t, w.pool, table), "the admin's records are in another team: %s", table)
	}
}

func TestAdminSeesEveryRecord(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, table := range recordTables {
		visible, _ := count(t, w.pool, w.users["admin@demo.test"], table)
		require.Equal(t, total(t, w.pool, table), visible, table)
	}
}

func TestUnsetContextSeesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, table := range recordTables {
		visible, _ := count(t, w.pool, db.Access{}, table)
		require.Zero(t, visible, table)
	}
	// Nor does a connection that only switched to the app role without any context.
	ctx := context.Background()
	tx, err := w.pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	_, err = tx.Exec(ctx, "SET LOCAL ROLE crm_app")
	require.NoError(t, err)
	var n int
	require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM leads").Scan(&n))
	require.Zero(t, n)
}

func TestSuperuserConnectionDoesNotBypassPolicies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	super, err := db.Open(context.Background(), dbtest.SuperuserURL(t, w.url), db.Limits{})
	require.NoError(t, err)
	defer super.Close()
	var isSuper bool
	require.NoError(t, super.QueryRow(context.Background(), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&isSuper))
	require.True(t, isSuper, "the test needs a superuser connection")

	rep := w.users["rep1@demo.test"]
	visible, notOwned := count(t, super, rep, "leads")
	require.Positive(t, visible)
	require.Zero(t, notOwned)
}

func TestRepCannotChangeOrDeleteAnotherRepsLead(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	rep1, rep2 := w.users["rep1@demo.test"], w.users["rep2@demo.test"]
	var lead int64
	require.NoError(t, w.pool.QueryRow(ctx, "SELECT id FROM leads WHERE owner_id = $1 LIMIT 1", rep2.UserID).Scan(&lead))

	err := db.InTx(ctx, w.pool, rep1, func(tx pgx.Tx) error {
		upd, err := tx.Exec(ctx, "UPDATE leads SET company = 'Stolen' WHERE id = $1", lead)
		require.NoError(t, err)
		require.Zero(t, upd.RowsAffected())
		del, err := tx.Exec(ctx, "DELETE FROM leads WHERE id = $1", lead)
		require.NoError(t, err)
		require.Zero(t, del.RowsAffected())
		// Nor can a rep hand their own lead to someone else, outside their scope.
		_, err = tx.Exec(ctx, "UPDATE leads SET owner_id = $1 WHERE owner_id = $2", rep2.UserID, rep1.UserID)
		return err
	})
	requireSQLState(t, err, "42501") // new row violates row-level security policy
	var company string
	require.NoError(t, w.pool.QueryRow(ctx, "SELECT company FROM leads WHERE id = $1", lead).Scan(&company))
	require.NotEqual(t, "Stolen", company)
}

func TestRepCannotCreateRecordsForOthers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	rep1, rep2 := w.users["rep1@demo.test"], w.users["rep2@demo.test"]
	insert := func(owner int64) error {
		return db.InTx(ctx, w.pool, rep1, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO leads (owner_id, last_name) VALUES ($1, 'Lee')", owner)
			return err
		})
	}
	require.NoError(t, insert(rep1.UserID))
	requireSQLState(t, insert(rep2.UserID), "42501")
}

func TestOnlyAdminsChangeUsersAndRoles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	for email, want := range map[string]int64{"manager@demo.test": 0, "rep1@demo.test": 0, "admin@demo.test": 1} {
		err := db.InTx(ctx, w.pool, w.users[email], func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, "UPDATE role_permissions SET scope = 'all' WHERE entity = 'leads' AND action = 'view'")
			if err != nil {
				return err
			}
			require.Equal(t, want > 0, tag.RowsAffected() > 0, email)
			return errRollback
		})
		require.ErrorIs(t, err, errRollback)
	}
}

var errRollback = errors.New("rollback")

func teamCount(t *testing.T, w *world, table string, team int64) (n int) {
	t.Helper()
	require.NoError(t, w.pool.QueryRow(context.Background(),
		"SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()+" WHERE team_id = $1", team).Scan(&n))
	return n
}

func requireSQLState(t *testing.T, err error, code string) {
	t.Helper()
	var pe *pgconn.PgError
	require.True(t, errors.As(err, &pe), "want SQLSTATE %s, got %v", code, err)
	require.Equal(t, code, pe.Code, pe.Message)
}

// The web's role may not lift row-level security, read password hashes in bulk, or touch the
// migrations' bookkeeping; the security-definer functions name their schemas.
func TestTheWebRoleHasLeastPrivilege(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	app, err := db.Open(ctx, dbtest.AppURL(t, w.url), db.Limits{})
	require.NoError(t, err)
	defer app.Close()
	require.NoError(t, db.CheckLeastPrivilege(ctx, app))
	require.Error(t, db.CheckLeastPrivilege(ctx, w.pool), "the owner is refused as the web's role")

	conn, err := app.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, "RESET ROLE")
	require.NoError(t, err)
	var leads int
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM leads").Scan(&leads))
	require.Zero(t, leads, "without an access context nothing is visible, RESET ROLE or not")
	_, err = conn.Exec(ctx, "SELECT password_hash FROM users")
	requireSQLState(t, err, "42501")
	_, err = conn.Exec(ctx, "DELETE FROM goose_db_version")
	requireSQLState(t, err, "42501")
	for _, change := range []string{"DELETE FROM record_history", "UPDATE record_history SET new_value = 'forged'",
		"INSERT INTO record_history (entity, record_id, field) VALUES ('leads', 1, 'forged')",
		"INSERT INTO notifications (user_id, kind, entity, record_id, title) VALUES (1, 'mention', 'leads', 1, 'forged')",
		"SELECT crm_automation_notify('{1}', 'leads', 1, 'forged')", // only a rule at work notifies this way
		"SELECT set_config('crm.automation_id', '999999', false), crm_automation_notify('{1}', 'leads', 1, 'forged')"} {
		_, err = conn.Exec(ctx, change)
		requireSQLState(t, err, "42501") // history and notifications are the database's to write
	}
	_, err = conn.Exec(ctx, "SET ROLE postgres")
	require.Error(t, err)

	var unpinned []string
	rows, err := w.pool.Query(ctx, `SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = 'public' AND p.prosecdef
		  AND NOT coalesce('search_path=pg_catalog, public, pg_temp' = ANY(p.proconfig), false)`)
	require.NoError(t, err)
	unpinned, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Empty(t, unpinned, "security-definer functions without search_path = pg_catalog, public, pg_temp")
}
