package db_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/dbtest"
	"github.com/crm-team/crm/db/seed"
	"github.com/crm-team/crm/db/store"
)

// lastQuery remembers the SQL and arguments of the last query a connection sent, so a test can
// EXPLAIN exactly what the generated code runs.
type lastQuery struct {
	mu   sync.Mutex
	sql  string
	args []any
}

func (l *lastQuery) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if !strings.HasPrefix(d.SQL, "EXPLAIN") {
		l.mu.Lock()
		l.sql, l.args = d.SQL, d.Args
		l.mu.Unlock()
	}
	return ctx
}

func (l *lastQuery) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func numeric(s string) pgtype.Numeric {
	var n pgtype.Numeric
	_ = n.Scan(s)
	return n
}

// bigTables are the tables a list must never read from end to end.
var bigTables = map[string]bool{"accounts": true, "contacts": true, "leads": true, "opportunities": true, "activities": true}

// seqScans lists the big tables an analysed JSON plan read with a sequential scan (a branch the
// planner proved empty is in the plan but never runs).
func seqScans(node map[string]any) []string {
	var out []string
	if node["Node Type"] == "Seq Scan" && bigTables[node["Relation Name"].(string)] && node["Actual Loops"] != 0.0 {
		out = append(out, node["Relation Name"].(string))
	}
	if plans, ok := node["Plans"].([]any); ok {
		for _, p := range plans {
			out = append(out, seqScans(p.(map[string]any))...)
		}
	}
	return out
}

// Every list, filter, sort and picker query of the record pages is answered from indexes, for
// an admin (no scope filter) and for a rep under row-level security, on a realistically sized,
// analysed database.
func TestRecordQueriesUseIndexesAtScale(t *testing.T) {
	t.Parallel()
	tracer := &lastQuery{}
	_, url := dbtest.NewWithURL(t)
	cfg, err := pgxpool.ParseConfig(url)
	require.NoError(t, err)
	cfg.ConnConfig.Tracer = tracer
	cfg.MaxConns = 1 // one connection, so the tracer's last query is this test's
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	defer pool.Close()
	ctx := context.Background()
	require.NoError(t, seed.Scale(ctx, pool, 20000, "demo-password", false, nil))

	since := pgtype.Date{Time: time.Now().AddDate(0, -1, 0), Valid: true}
	text := func(s string) *string { return &s }
	for _, email := range []string{"admin@demo.test", "manager@demo.test", "rep1@demo.test"} {
		a := accessOf(t, pool, email)
		var account, contact int64
		require.NoError(t, pool.QueryRow(ctx, "SELECT id, (SELECT min(id) FROM contacts WHERE account_id = a.id) FROM accounts a WHERE owner_id = $1 AND EXISTS (SELECT FROM contacts WHERE account_id = a.id) LIMIT 1", a.UserID).Scan(&account, &contact))
		me := a.UserID
		scope := func(entity string) db.Filter { return a.Filter(entity, "view") }
		queries := map[string]func(tx pgx.Tx) error{}
		for _, sort := range []string{"name", "-name", "created", "-created"} {
			f := scope("accounts")
			queries["accounts "+sort] = func(tx pgx.Tx) error {
				_, err := db.Q.ListAccounts(ctx, tx, store.ListAccountsParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID, Sort: sort, Lim: 51})
				return err
			}
			f = scope("contacts")
			queries["contacts "+sort] = func(tx pgx.Tx) error {
				_, err := db.Q.ListContacts(ctx, tx, store.ListContactsParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID, Sort: sort, Lim: 51})
				return err
			}
		}
		for _, sort := range []string{"-created", "created", "name", "company"} {
			f := scope("leads")
			queries["leads "+sort] = func(tx pgx.Tx) error {
				_, err := db.Q.ListLeads(ctx, tx, store.ListLeadsParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID, Sort: sort, Lim: 51})
				return err
			}
		}
		for _, sort := range []string{"close", "-close", "amount", "-amount", "name", "created"} {
			f := scope("opportunities")
			queries["opportunities "+sort] = func(tx pgx.Tx) error {
				_, err := db.Q.ListOpportunities(ctx, tx, store.ListOpportunitiesParams{SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID, Sort: sort, Lim: 51})
				return err
			}
		}
		fa, fc, fl, fo := scope("accounts"), scope("contacts"), scope("leads"), scope("opportunities")
		queries["accounts page 2"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListAccounts(ctx, tx, store.ListAccountsParams{SeeAll: fa.SeeAll, OwnID: fa.OwnID, TeamID: fa.TeamID, Sort: "name",
				AfterText: text("M"), AfterID: &account, Lim: 51})
			return err
		}
		queries["accounts search"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListAccounts(ctx, tx, store.ListAccountsParams{SeeAll: fa.SeeAll, OwnID: fa.OwnID, TeamID: fa.TeamID, Sort: "name", Q: text("quartz energy 1"), Lim: 51})
			return err
		}
		queries["contacts mine"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListContacts(ctx, tx, store.ListContactsParams{SeeAll: fc.SeeAll, OwnID: fc.OwnID, TeamID: fc.TeamID, Owner: &me, Sort: "name", Lim: 51})
			return err
		}
		queries["contacts created since"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListContacts(ctx, tx, store.ListContactsParams{SeeAll: fc.SeeAll, OwnID: fc.OwnID, TeamID: fc.TeamID, CreatedFrom: since, Sort: "-created", Lim: 51})
			return err
		}
		queries["leads search"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListLeads(ctx, tx, store.ListLeadsParams{SeeAll: fl.SeeAll, OwnID: fl.OwnID, TeamID: fl.TeamID, Q: text("okafor"), Sort: "-created", Lim: 51})
			return err
		}
		lim := int32(51)
		queries["contacts search, a page"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListContacts(ctx, tx, store.ListContactsParams{SeeAll: fc.SeeAll, OwnID: fc.OwnID, TeamID: fc.TeamID,
				Q: text("smith"), SearchLim: &lim, Sort: "match", Lim: 51})
			return err
		}
		queries["contacts search, page 2"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListContacts(ctx, tx, store.ListContactsParams{SeeAll: fc.SeeAll, OwnID: fc.OwnID, TeamID: fc.TeamID,
				Q: text("smith"), SearchLim: &lim, SearchAfter: &contact, AfterID: &contact, Sort: "match", Lim: 51})
			return err
		}
		for _, entity := range []string{"leads", "accounts", "contacts", "opportunities"} {
			f := scope(entity)
			queries["kept count of "+entity] = func(tx pgx.Tx) error {
				_, err := db.Q.CountKept(ctx, tx, store.CountKeptParams{Entity: entity, SeeAll: f.SeeAll, OwnID: f.OwnID, TeamID: f.TeamID})
				return err
			}
		}
		var pipeline int64
		require.NoError(t, pool.QueryRow(ctx, "SELECT id FROM pipelines WHERE is_default").Scan(&pipeline))
		queries["board totals"] = func(tx pgx.Tx) error {
			_, err := db.Q.BoardTotals(ctx, tx, store.BoardTotalsParams{PipelineID: pipeline, SeeAll: fo.SeeAll, OwnID: fo.OwnID, TeamID: fo.TeamID})
			return err
		}
		queries["my numbers"] = func(tx pgx.Tx) error {
			_, err := db.Q.MyDashboard(ctx, tx, store.MyDashboardParams{UserID: me, Now: time.Now()})
			return err
		}
		queries["pipeline by stage"] = func(tx pgx.Tx) error {
			_, err := db.Q.PipelineByStage(ctx, tx, store.PipelineByStageParams(fo))
			return err
		}
		queries["pipeline by owner"] = func(tx pgx.Tx) error {
			_, err := db.Q.PipelineByOwner(ctx, tx, store.PipelineByOwnerParams(fo))
			return err
		}
		queries["closing this month"] = func(tx pgx.Tx) error {
			_, err := db.Q.ClosingBetween(ctx, tx, store.ClosingBetweenParams{SeeAll: fo.SeeAll, OwnID: fo.OwnID, TeamID: fo.TeamID,
				CloseFrom: since, CloseTo: pgtype.Date{Time: time.Now().AddDate(0, 1, 0), Valid: true}})
			return err
		}
		queries["slipping deals"] = func(tx pgx.Tx) error {
			_, err := db.Q.SlippingDeals(ctx, tx, store.SlippingDealsParams{SeeAll: fo.SeeAll, OwnID: fo.OwnID, TeamID: fo.TeamID, StalledDays: 30})
			return err
		}
		queries["this week's activities"] = func(tx pgx.Tx) error {
			fa := scope("activities")
			_, err := db.Q.ActivitiesSinceByOwner(ctx, tx, store.ActivitiesSinceByOwnerParams{SeeAll: fa.SeeAll, OwnID: fa.OwnID,
				TeamID: fa.TeamID, Since: since})
			return err
		}
		queries["opportunities close range"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListOpportunities(ctx, tx, store.ListOpportunitiesParams{SeeAll: fo.SeeAll, OwnID: fo.OwnID, TeamID: fo.TeamID,
				CloseFrom: since, CloseTo: pgtype.Date{Time: time.Now(), Valid: true}, Sort: "close", Lim: 51})
			return err
		}
		queries["leads by status and source"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListLeads(ctx, tx, store.ListLeadsParams{SeeAll: fl.SeeAll, OwnID: fl.OwnID, TeamID: fl.TeamID, Sort: "-created", Lim: 51,
				Status: store.NullLeadStatus{LeadStatus: store.LeadStatusQualified, Valid: true}, Source: text("Referral")})
			return err
		}
		var stage int64
		require.NoError(t, pool.QueryRow(ctx, "SELECT min(id) FROM pipeline_stages").Scan(&stage))
		queries["opportunities by stage and amount"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListOpportunities(ctx, tx, store.ListOpportunitiesParams{SeeAll: fo.SeeAll, OwnID: fo.OwnID, TeamID: fo.TeamID,
				Stage: &stage, AmountMin: numeric("20000"), AmountMax: numeric("60000"), Sort: "-amount", Lim: 51})
			return err
		}
		queries["board column"] = func(tx pgx.Tx) error {
			_, err := db.Q.BoardCards(ctx, tx, store.BoardCardsParams{StageIds: []int64{stage, stage + 1, stage + 2}, SeeAll: fo.SeeAll, OwnID: fo.OwnID, TeamID: fo.TeamID, Lim: 51})
			return err
		}
		queries["account timeline"] = func(tx pgx.Tx) error {
			_, err := db.Q.Timeline(ctx, tx, store.TimelineParams{Entity: store.PermEntityAccounts, RecordID: account, AccountID: &account, Lim: 21})
			return err
		}
		queries["contact timeline"] = func(tx pgx.Tx) error {
			_, err := db.Q.Timeline(ctx, tx, store.TimelineParams{Entity: store.PermEntityContacts, RecordID: contact, ContactID: &contact, Lim: 21})
			return err
		}
		fa2 := a.Filter("activities", "view")
		queries["open tasks"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListOpenTasks(ctx, tx, store.ListOpenTasksParams{SeeAll: fa2.SeeAll, OwnID: fa2.OwnID, TeamID: fa2.TeamID, Lim: 51})
			return err
		}
		queries["open tasks, page 2"] = func(tx pgx.Tx) error {
			due := time.Now()
			_, err := db.Q.ListOpenTasks(ctx, tx, store.ListOpenTasksParams{SeeAll: fa2.SeeAll, OwnID: fa2.OwnID, TeamID: fa2.TeamID,
				AfterDue: &due, AfterID: &me, Lim: 51})
			return err
		}
		queries["my open tasks"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListOpenTasks(ctx, tx, store.ListOpenTasksParams{SeeAll: fa2.SeeAll, OwnID: fa2.OwnID, TeamID: fa2.TeamID, Owner: &me, Lim: 10})
			return err
		}
		queries["latest activity"] = func(tx pgx.Tx) error {
			_, err := db.Q.LatestActivities(ctx, tx, store.LatestActivitiesParams(fa2))
			return err
		}
		queries["pick accounts"] = func(tx pgx.Tx) error {
			_, err := db.Q.PickAccounts(ctx, tx, text("harbor"))
			return err
		}
		queries["pick contacts of account"] = func(tx pgx.Tx) error {
			_, err := db.Q.PickContacts(ctx, tx, store.PickContactsParams{Q: text("a"), AccountID: &account})
			return err
		}
		queries["account contacts"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListContactsOfAccount(ctx, tx, account)
			return err
		}
		queries["account deals"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListOpportunitiesOf(ctx, tx, store.ListOpportunitiesOfParams{AccountID: &account})
			return err
		}
		queries["contact deals"] = func(tx pgx.Tx) error {
			_, err := db.Q.ListOpportunitiesOf(ctx, tx, store.ListOpportunitiesOfParams{ContactID: &contact})
			return err
		}
		queries["account totals"] = func(tx pgx.Tx) error {
			_, err := db.Q.AccountTotals(ctx, tx, account)
			return err
		}
		for name, run := range queries {
			err := db.InTxCustomPlans(ctx, pool, a, func(tx pgx.Tx) error {
				if err := run(tx); err != nil {
					return err
				}
				tracer.mu.Lock()
				sql, args := tracer.sql, tracer.args
				tracer.mu.Unlock()
				var plan []map[string]any
				var raw []byte
				if err := tx.QueryRow(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+sql, args...).Scan(&raw); err != nil {
					return err
				}
				if err := json.Unmarshal(raw, &plan); err != nil {
					return err
				}
				require.Empty(t, seqScans(plan[0]["Plan"].(map[string]any)), "%s as %s:\n%s", name, email, raw)
				return nil
			})
			require.NoError(t, err, name)
		}
	}
}
