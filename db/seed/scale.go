package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/schollz/progressbar/v3"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/password"
)

// ErrNotEmpty is returned when a scale load is asked of a database that already has users.
var ErrNotEmpty = errors.New("the database already has data; pass --force to add the scale data anyway")

// scaleTeams are the five teams of a scale load; the demo users are in the first two.
var scaleTeams = []string{"Operations", "Inside Sales", "Enterprise", "Mid-Market", "Partners"}

// Scale loads n contacts with n/5 accounts, n/2 leads, n/2 opportunities and 5n activities,
// owned by 50 users in 5 teams (the demo users among them), with COPY, for benchmarks and plan
// tests. The same n gives the same data. Progress goes to progress (nil for none).
func Scale(ctx context.Context, pool *pgxpool.Pool, n int, demoPassword string, force bool, progress io.Writer) error {
	if users, err := db.Q.CountUsers(ctx, pool); err != nil {
		return err
	} else if users > 0 && !force {
		return ErrNotEmpty
	}
	hash, err := password.Hash(demoPassword)
	if err != nil {
		return err
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	s := &scale{demo: demo{ctx: ctx, tx: tx, q: db.Q, rnd: rand.New(rand.NewPCG(uint64(n), 7)), now: time.Now().UTC().Truncate(time.Hour)},
		n: n, progress: progress, teamOf: map[int64]int64{}}
	if err := s.run(hash); err != nil {
		return fmt.Errorf("seed scale: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	// A vacuum sets the visibility map, so sums such as the board's totals are read from indexes.
	_, err = pool.Exec(ctx, "VACUUM (ANALYZE) accounts, contacts, leads, opportunities, activities")
	return err
}

type scale struct {
	demo
	n        int
	progress io.Writer
	teamOf   map[int64]int64 // user -> team
	stages   []store.ListStagesRow
}

func (s *scale) run(hash string) error {
	if err := s.scalePeople(hash); err != nil {
		return err
	}
	if err := s.pipelineStages(); err != nil {
		return err
	}
	stages, err := s.q.ListStages(s.ctx, s.tx, s.pipeline)
	if err != nil {
		return err
	}
	s.stages = stages
	// The team of each row is its owner's; set here directly, so the per-row trigger that keeps it
	// in step is switched off for the load (and back on before commit), as are the per-row counts,
	// counted once at the end. Secondary indexes are built once after the load, which is several
	// times faster than keeping them up row by row.
	tables := []string{"accounts", "contacts", "leads", "opportunities", "activities"}
	for _, t := range tables {
		for _, trigger := range []string{t + "_team", t + "_count"} {
			if _, err := s.tx.Exec(s.ctx, fmt.Sprintf("ALTER TABLE %s DISABLE TRIGGER %s", t, trigger)); err != nil {
				return err
			}
			defer s.tx.Exec(s.ctx, fmt.Sprintf("ALTER TABLE %s ENABLE TRIGGER %s", t, trigger)) //nolint:errcheck
		}
	}
	rebuild, err := s.dropIndexes(tables)
	if err != nil {
		return err
	}
	accounts, err := s.copy("accounts", []string{"owner_id", "team_id", "name", "domain", "industry", "employees", "city", "country", "created_at"},
		s.n/5, func(i int) []any {
			owner := s.owner()
			city := pick(s.rnd, cities)
			name := fmt.Sprintf("%s %s %d", pick(s.rnd, companyStarts), pick(s.rnd, companyEnds), i)
			return []any{owner, s.teamOf[owner], name, slug(name) + ".example", pick(s.rnd, industries),
				int32(5 + s.rnd.IntN(5000)), city[0], city[1], s.past(730)}
		})
	if err != nil {
		return err
	}
	contacts, err := s.copy("contacts", []string{"owner_id", "team_id", "account_id", "first_name", "last_name", "email", "title", "created_at"},
		s.n, func(i int) []any {
			owner := s.owner()
			first, last := pick(s.rnd, firstNames), pick(s.rnd, lastNames)
			return []any{owner, s.teamOf[owner], accounts.at(s.rnd.IntN(accounts.n)), first, last,
				fmt.Sprintf("%s.%s.%d@scale.example", slug(first), slug(last), i), pick(s.rnd, titles), s.past(730)}
		})
	if err != nil {
		return err
	}
	statuses := []string{"new", "new", "contacted", "qualified", "unqualified"}
	leads, err := s.copy("leads", []string{"owner_id", "team_id", "first_name", "last_name", "company", "email", "source", "status", "created_at"},
		s.n/2, func(i int) []any {
			owner := s.owner()
			first, last := pick(s.rnd, firstNames), pick(s.rnd, lastNames)
			return []any{owner, s.teamOf[owner], first, last, pick(s.rnd, companyStarts) + " " + pick(s.rnd, leadCompanyEnds),
				fmt.Sprintf("%s.%s.%d@lead.example", slug(first), slug(last), i), pick(s.rnd, LeadSources), pick(s.rnd, statuses), s.past(365)}
		})
	if err != nil {
		return err
	}
	opps, err := s.copy("opportunities", []string{"owner_id", "team_id", "name", "account_id", "contact_id", "pipeline_id", "stage_id",
		"amount", "close_date", "position", "closed_at", "created_at"},
		s.n/2, func(i int) []any {
			owner := s.owner()
			st := s.stages[s.rnd.IntN(len(s.stages))]
			close := s.now.AddDate(0, 0, s.rnd.IntN(240)-60)
			var closed *time.Time
			if st.Kind != store.StageKindOpen {
				closed = &close
			}
			return []any{owner, s.teamOf[owner], fmt.Sprintf("%s deal %d", pick(s.rnd, dealKinds), i), accounts.at(s.rnd.IntN(accounts.n)),
				contacts.at(s.rnd.IntN(contacts.n)), s.pipeline, st.ID, money(int64(1+s.rnd.IntN(200)) * 500),
				pgtype.Date{Time: close, Valid: true}, money(int64(i)), closed, s.past(365)}
		})
	if err != nil {
		return err
	}
	types := []string{"note", "call", "call", "email", "meeting", "task", "task"}
	_, err = s.copy("activities", []string{"owner_id", "team_id", "type", "subject", "due_at", "account_id", "contact_id", "opportunity_id", "lead_id", "created_at"},
		s.n*5, func(i int) []any {
			owner := s.owner()
			t := pick(s.rnd, types)
			var due *time.Time
			if t == "task" {
				d := s.now.AddDate(0, 0, s.rnd.IntN(30)-10)
				due = &d
			}
			row := []any{owner, s.teamOf[owner], t, pick(s.rnd, subjects[store.ActivityType(t)]), due, nil, nil, nil, nil, s.past(365)}
			switch i % 4 {
			case 0:
				row[5] = accounts.at(s.rnd.IntN(accounts.n))
			case 1:
				row[6] = contacts.at(s.rnd.IntN(contacts.n))
			case 2:
				row[7] = opps.at(s.rnd.IntN(opps.n))
			default:
				row[8] = leads.at(s.rnd.IntN(leads.n))
			}
			return row
		})
	if err != nil {
		return err
	}
	if err := rebuild(); err != nil {
		return err
	}
	if _, err := s.tx.Exec(s.ctx, "SELECT crm_recount()"); err != nil {
		return err
	}
	// Fresh statistics, so the first queries are planned as they will be in use.
	_, err = s.tx.Exec(s.ctx, "ANALYZE accounts, contacts, leads, opportunities, activities, users, record_counts, pipelines, pipeline_stages")
	return err
}

// dropIndexes drops the secondary indexes of tables (not those behind a constraint) and returns
// the function that builds them again, as they were defined.
func (s *scale) dropIndexes(tables []string) (func() error, error) {
	rows, err := s.tx.Query(s.ctx, `
		SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = ANY($1::regclass[])
		  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)`, tables)
	if err != nil {
		return nil, err
	}
	type index struct{ name, def string }
	indexes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var x index
		return x, r.Scan(&x.name, &x.def)
	})
	if err != nil {
		return nil, err
	}
	for _, x := range indexes {
		if _, err := s.tx.Exec(s.ctx, "DROP INDEX "+x.name); err != nil {
			return nil, err
		}
	}
	return func() error {
		if _, err := s.tx.Exec(s.ctx, "SET LOCAL maintenance_work_mem = '256MB'"); err != nil {
			return err
		}
		var bar *progressbar.ProgressBar
		if s.progress != nil {
			bar = progressbar.NewOptions(len(indexes), progressbar.OptionSetWriter(s.progress), progressbar.OptionSetDescription("indexes      "),
				progressbar.OptionShowCount(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(s.progress) }))
		}
		for _, x := range indexes {
			if _, err := s.tx.Exec(s.ctx, x.def); err != nil {
				return fmt.Errorf("rebuild %s: %w", x.name, err)
			}
			if bar != nil {
				_ = bar.Add(1)
			}
		}
		return nil
	}, nil
}

// scalePeople makes the demo users and 46 more, ten to a team.
func (s *scale) scalePeople(hash string) error {
	teams := map[string]int64{}
	for _, name := range scaleTeams {
		id, err := s.q.CreateTeam(s.ctx, s.tx, name)
		if err != nil {
			return err
		}
		teams[name] = id
	}
	users := append([]DemoUser{}, DemoUsers...)
	for i := len(users); i < 50; i++ {
		users = append(users, DemoUser{Email: fmt.Sprintf("user%02d@scale.test", i), Name: fmt.Sprintf("%s %s", pick(s.rnd, firstNames), pick(s.rnd, lastNames)),
			Role: "sales_rep", Team: scaleTeams[i%len(scaleTeams)]})
	}
	for _, u := range users {
		role, err := s.q.GetRoleByName(s.ctx, s.tx, u.Role)
		if err != nil {
			return err
		}
		team := teams[u.Team]
		id, err := s.q.CreateUser(s.ctx, s.tx, store.CreateUserParams{Email: u.Email, Name: u.Name, RoleID: role.ID, TeamID: &team,
			PasswordHash: hash, TimeZone: "UTC"})
		if err != nil {
			return err
		}
		s.users = append(s.users, id)
		s.teamOf[id] = team
	}
	return nil
}

func (s *scale) owner() int64 { return s.users[s.rnd.IntN(len(s.users))] }

func (s *scale) past(days int) time.Time {
	return s.now.Add(-time.Duration(s.rnd.IntN(days*24)) * time.Hour)
}

// ids are the identities COPY gave a table's new rows: consecutive from first.
type ids struct{ first, n int }

func (x ids) at(i int) int64 { return int64(x.first + i) }

// copy loads n generated rows into table with COPY, in batches, and returns their ids.
func (s *scale) copy(table string, cols []string, n int, row func(i int) []any) (ids, error) {
	var before int
	if err := s.tx.QueryRow(s.ctx, "SELECT coalesce(max(id), 0) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&before); err != nil {
		return ids{}, err
	}
	var bar *progressbar.ProgressBar
	if s.progress != nil {
		bar = progressbar.NewOptions(n, progressbar.OptionSetWriter(s.progress), progressbar.OptionSetDescription(fmt.Sprintf("%-13s", table)),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionOnCompletion(func() { fmt.Fprintln(s.progress) }))
	}
	const batch = 50_000
	for done := 0; done < n; done += batch {
		size := min(batch, n-done)
		rows := make([][]any, size)
		for i := range rows {
			rows[i] = row(done + i)
		}
		if _, err := s.tx.CopyFrom(s.ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			return ids{}, fmt.Errorf("copy %s: %w", table, err)
		}
		if bar != nil {
			_ = bar.Add(size)
		}
	}
	var first, last, count int
	if err := s.tx.QueryRow(s.ctx, "SELECT coalesce(min(id), 0), coalesce(max(id), -1), count(*) FROM "+pgx.Identifier{table}.Sanitize()+" WHERE id > $1", before).Scan(&first, &last, &count); err != nil {
		return ids{}, err
	}
	if count != n || last-first+1 != n {
		return ids{}, fmt.Errorf("copy %s: the new ids are not consecutive (another writer at work?)", table)
	}
	return ids{first: first, n: n}, nil
}
