package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/dbtest"
	"github.com/crm-team/crm/db/seed"
	"github.com/crm-team/crm/db/store"
)

// The global search, its typo fallback, the lists' search and their custom field filters read
// the big tables through indexes as every role, inside the functions too: auto_explain explains each statement
// those functions run and sends the plan back as a notice, where EXPLAIN of the outer query
// would only show a function scan.
func TestSearchFunctionsUseIndexesAtScale(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.NewWithURL(t)
	ctx := context.Background()
	require.NoError(t, seed.Scale(ctx, pool, 20000, "demo-password", false, nil))
	// Loading auto_explain takes a superuser; the statements still run as crm_app.
	cfg, err := pgxpool.ParseConfig(dbtest.SuperuserURL(t, url))
	require.NoError(t, err)
	var mu sync.Mutex
	var plans []string
	cfg.ConnConfig.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		if i := strings.Index(n.Message, "{"); i >= 0 && strings.Contains(n.Message, "plan:") {
			mu.Lock()
			plans = append(plans, n.Message[i:])
			mu.Unlock()
		}
	}
	cfg.MaxConns = 1 // the settings below are the one connection's
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `LOAD 'auto_explain';
			SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
			SET auto_explain.log_nested_statements = on; SET auto_explain.log_format = json`)
		return err
	}
	explained, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer explained.Close()

	// Two contact fields shown in lists, each with the index the admin page gives it; most
	// contacts have seats, one in a hundred a tier. (A filter that lets a tenth of the table
	// through is read from the table, as it should be: see the README on custom filters.)
	_, err = pool.Exec(ctx, `
		INSERT INTO custom_fields (entity, key, label, type, options, in_list) VALUES
			('contacts', 'tier', 'Tier', 'select', '{Gold,Silver}', true), ('contacts', 'seats', 'Seats', 'number', '{}', true);
		UPDATE contacts SET custom = CASE WHEN id % 100 = 0 THEN jsonb_build_object('tier', 'Gold') ELSE jsonb_build_object('seats', id % 50) END;
		DO $$ BEGIN
			EXECUTE format('CREATE INDEX contacts_cf_tier_idx ON contacts (%s)', crm_custom_index_columns('tier', false));
			EXECUTE format('CREATE INDEX contacts_cf_seats_idx ON contacts (%s)', crm_custom_index_columns('seats', true));
		END $$;
		ANALYZE contacts`)
	require.NoError(t, err)
	listFiltered := func(a db.Access, filter string) func(tx pgx.Tx) error {
		f := a.Filter("contacts", "view")
		return func(tx pgx.Tx) error {
			_, err := db.Q.ListContacts(ctx, tx, store.ListContactsParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID,
				Custom: []byte(filter), Sort: "name", Lim: 51})
			return err
		}
	}

	sorted := func(a db.Access, sort, key string) func(tx pgx.Tx) error {
		f := a.Filter("contacts", "view")
		return func(tx pgx.Tx) error {
			_, err := db.Q.ListContacts(ctx, tx, store.ListContactsParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID,
				Sort: sort, CfKey: key, Lim: 51})
			return err
		}
	}

	searches := map[string]func(tx pgx.Tx) error{
		"everything, a common word": func(tx pgx.Tx) error {
			_, err := db.Q.SearchEverything(ctx, tx, store.SearchEverythingParams{Q: "smith", Candidates: 50, PerType: 10})
			return err
		},
		"everything, a rare word": func(tx pgx.Tx) error {
			_, err := db.Q.SearchEverything(ctx, tx, store.SearchEverythingParams{Q: "zzyzx", Candidates: 50, PerType: 10})
			return err
		},
		"a typo corrected": func(tx pgx.Tx) error {
			_, err := db.Q.CorrectWords(ctx, tx, "smiht")
			return err
		},
	}
	for _, email := range []string{"admin@demo.test", "manager@demo.test", "rep1@demo.test"} {
		a := accessOf(t, pool, email)
		searches["contacts, a custom choice"] = listFiltered(a, `[{"key": "tier", "op": "in", "values": ["Gold"], "kind": "text"}]`)
		searches["contacts, a custom range"] = listFiltered(a, `[{"key": "seats", "op": "range", "kind": "number", "min": "10", "max": "10"}]`)
		searches["contacts, a custom field not set"] = listFiltered(a, `[{"key": "seats", "op": "empty", "kind": "number"}]`)
		searches["contacts sorted by a custom number"] = sorted(a, "-cfn", "seats")
		searches["contacts sorted by a custom choice"] = sorted(a, "cf", "tier")
		for name, run := range searches {
			mu.Lock()
			plans = nil
			mu.Unlock()
			err := db.InTxCustomPlans(ctx, explained, a, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, "SET LOCAL client_min_messages = log"); err != nil {
					return err
				}
				return run(tx)
			})
			require.NoError(t, err, name)
			mu.Lock()
			got := plans
			mu.Unlock()
			var inner int
			for _, raw := range got {
				var p map[string]any
				require.NoError(t, json.Unmarshal([]byte(raw), &p), raw)
				if text, _ := p["Query Text"].(string); strings.Contains(text, "= mine") || strings.Contains(text, "search_words s") || strings.Contains(text, "custom") {
					inner++
				}
				require.Empty(t, seqScans(p["Plan"].(map[string]any)), "%s as %s:\n%s", name, email, raw)
				if strings.HasPrefix(name, "everything") {
					require.Empty(t, wasteful(p["Plan"].(map[string]any)), "%s as %s: the walks read only records in view:\n%s", name, email, raw)
				}
			}
			require.NotZero(t, inner, "%s as %s: the functions' own statements were explained", name, email)
			if strings.HasPrefix(name, "contacts sorted") && email == "admin@demo.test" {
				require.Contains(t, strings.Join(got, ""), "_cf_", "%s: the field's index gives the order", name)
			}
		}
	}
}

// wasteful names the index scans that threw away most of the many rows they read: a search that
// walks the primary key for a rep's records reads fifty rows for each of theirs. (Walking it
// for a team that holds a quarter of the records is fine.)
func wasteful(node map[string]any) []string {
	var out []string
	removed, _ := node["Rows Removed by Filter"].(float64)
	kept, _ := node["Actual Rows"].(float64)
	if removed > 1000 && removed > 10*kept && strings.Contains(node["Node Type"].(string), "Index") {
		out = append(out, fmt.Sprintf("%s on %s: %.0f rows removed, %.0f kept", node["Node Type"], node["Relation Name"], removed, kept))
	}
	if plans, ok := node["Plans"].([]any); ok {
		for _, p := range plans {
			out = append(out, wasteful(p.(map[string]any))...)
		}
	}
	return out
}
