package seed_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db/dbtest"
	"github.com/crm-team/crm/db/seed"
)

// fingerprint summarises the demo data: how much of each there is, and a hash of its content.
func fingerprint(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for table, cols := range map[string]string{
		"users": "email, name", "teams": "name", "accounts": "name, domain, owner_id", "contacts": "email, account_id",
		"leads": "email, status, source", "opportunities": "name, amount, stage_id", "activities": "type, subject, owner_id",
	} {
		var n, hash string
		require.NoError(t, pool.QueryRow(context.Background(),
			"SELECT count(*)::text, md5(string_agg(row("+cols+")::text, ',' ORDER BY id)) FROM "+table).Scan(&n, &hash))
		out[table] = n + ":" + hash
		out[table+".count"] = n
	}
	return out
}

func TestDemoIsBelievablyLargeDeterministicAndAddedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := dbtest.New(t), dbtest.New(t)
	for _, pool := range []*pgxpool.Pool{a, b} {
		added, err := seed.Demo(ctx, pool, "demo-password")
		require.NoError(t, err)
		require.True(t, added)
	}
	fa := fingerprint(t, a)
	require.Equal(t, fa, fingerprint(t, b), "the same data every time")
	for table, want := range map[string]string{"users": "4", "teams": "2", "accounts": "50", "leads": "80", "opportunities": "60", "activities": "400"} {
		require.Equal(t, want, fa[table+".count"], table)
	}
	var contacts int
	require.NoError(t, a.QueryRow(ctx, "SELECT count(*) FROM contacts").Scan(&contacts))
	require.InDelta(t, 150, contacts, 30)

	added, err := seed.Demo(ctx, a, "demo-password")
	require.NoError(t, err)
	require.False(t, added)
	require.Equal(t, fa, fingerprint(t, a), "seeding again adds nothing")

	// Every stage of the pipeline has deals, and every demo user owns some records.
	var emptyStages, idleUsers int
	require.NoError(t, a.QueryRow(ctx, "SELECT count(*) FROM pipeline_stages s WHERE NOT EXISTS (SELECT FROM opportunities o WHERE o.stage_id = s.id)").Scan(&emptyStages))
	require.NoError(t, a.QueryRow(ctx, "SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT FROM leads l WHERE l.owner_id = u.id)").Scan(&idleUsers))
	require.Zero(t, emptyStages)
	require.Zero(t, idleUsers)
}

func TestScaleLoadsProportionalDeterministicDataOnlyIntoAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, b := dbtest.New(t), dbtest.New(t)
	for _, pool := range []*pgxpool.Pool{a, b} {
		require.NoError(t, seed.Scale(ctx, pool, 1000, "demo-password", false, nil))
	}
	fa := fingerprint(t, a)
	require.Equal(t, fa, fingerprint(t, b))
	for table, want := range map[string]string{"users": "50", "teams": "5", "accounts": "200", "contacts": "1000",
		"leads": "500", "opportunities": "500", "activities": "5000"} {
		require.Equal(t, want, fa[table+".count"], table)
	}
	var wrongTeam int
	require.NoError(t, a.QueryRow(ctx, `SELECT count(*) FROM activities x JOIN users u ON u.id = x.owner_id
		WHERE x.team_id IS DISTINCT FROM u.team_id`).Scan(&wrongTeam))
	require.Zero(t, wrongTeam, "every record is in its owner's team")
	var team *int64
	require.NoError(t, a.QueryRow(ctx, `INSERT INTO leads (owner_id, last_name) SELECT id, 'After' FROM users WHERE email = 'rep1@demo.test' RETURNING team_id`).Scan(&team))
	require.NotNil(t, team, "the team trigger is on again after the load")
	require.ErrorIs(t, seed.Scale(ctx, a, 10, "demo-password", false, nil), seed.ErrNotEmpty)
	require.Equal(t, fingerprint(t, a)["accounts"], fa["accounts"], "a refused load adds nothing")
}
