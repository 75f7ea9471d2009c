package db_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
)

// Whichever way a find function's probe goes, it returns what ranking every match by brute
// force would: the newest 20 matches the user may see (row-level security decides, in the
// reference query), best first. The words are placed so that each way is taken for rep1, who
// sees their own leads: "frequix" is in every tenth lead (common: walk on), "rarivel" only in old
// ones (rare: the GIN index), "oncely" once among the newest and then in old ones (a second probe,
// then the index), "burstan" in the newest few and one very old lead (walk on, then the index).
// rep2 sees fewer activities than one probe reads.
func TestFindReturnsTheNewestMatchesInViewBestFirst(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	id := func(email string) int64 { return w.users[email].UserID }
	_, err := w.pool.Exec(ctx, `
		INSERT INTO leads (owner_id, first_name, last_name, company)
		SELECT CASE i % 7 WHEN 0 THEN $1::bigint WHEN 1 THEN $2::bigint ELSE $3::bigint END, 'Test',
		       CASE WHEN i % 10 = 3 THEN 'Frequix'
		            WHEN i IN (101, 202, 303, 404, 505) THEN 'Rarivel'
		            WHEN i IN (29991, 55, 66, 77, 88) THEN 'Oncely'
		            WHEN i BETWEEN 29995 AND 30000 OR i = 12 THEN 'Burstan'
		            WHEN i IN (29980, 29970) THEN 'Pairly'
		            ELSE 'Plainly' END,
		       CASE WHEN i % 100 = 13 THEN 'Frequix Holdings' ELSE 'Acme' END
		FROM generate_series(1, 30000) i ORDER BY i`, id("admin@demo.test"), id("rep2@demo.test"), id("rep1@demo.test"))
	require.NoError(t, err)
	_, err = w.pool.Exec(ctx, `INSERT INTO activities (owner_id, type, subject, lead_id)
		SELECT $1::bigint, 'call', CASE WHEN i % 3 = 0 THEN 'Frequix review' ELSE 'Plain call' END,
		       (SELECT max(id) FROM leads WHERE owner_id = $1)
		FROM generate_series(1, 40) i`, id("rep2@demo.test"))
	require.NoError(t, err)
	_, err = w.pool.Exec(ctx, "ANALYZE leads, activities")
	require.NoError(t, err)

	for _, email := range []string{"rep1@demo.test", "rep2@demo.test", "manager@demo.test", "admin@demo.test"} {
		for _, table := range []string{"leads", "activities"} {
			for _, q := range []string{"frequix", "rarivel", "oncely", "burstan", "pairly", "freq", "test frequix", "zzyzx"} {
				var got, want []int64
				err := db.InTx(ctx, w.pool, w.users[email], func(tx pgx.Tx) error {
					rows, err := tx.Query(ctx, fmt.Sprintf("SELECT crm_find_%s($1, 20, 10)", table), q)
					if err != nil {
						return err
					}
					if got, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
						return err
					}
					rows, err = tx.Query(ctx, fmt.Sprintf(`
						SELECT id FROM (
							SELECT r.id, crm_search_rank(r.search, crm_prefix_query($1), plainto_tsquery('simple', $1)) AS rank
							FROM %s r WHERE r.search @@ crm_prefix_query($1) ORDER BY r.id DESC LIMIT 20) m
						ORDER BY rank DESC, id DESC LIMIT 10`, table), q)
					if err != nil {
						return err
					}
					want, err = pgx.CollectRows(rows, pgx.RowTo[int64])
					return err
				})
				require.NoError(t, err)
				require.Equal(t, want, got, "%s searching %s for %q", email, table, q)
				if email == "rep1@demo.test" && table == "leads" && q != "zzyzx" {
					require.NotEmpty(t, got, "%s finds %q", email, q)
				}
			}
		}
	}
}
