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

// recordTables are the tables a scale load fills, in the order their rows refer to each other.
var recordTables = []string{"accounts", "contacts", "leads", "opportunities", "activities"}

// Scale loads n contacts with n/5 accounts, n/2 leads, n/2 opportunities and 5n activities,
// owned by 50 users in 5 teams (the demo users among them), for benchmarks and plan tests. The
// same n gives the same data. Progress goes to progress (nil for none).
//
// It is a bulk load, built for speed on all cores: the per-row triggers (team, counts), the
// secondary indexes and the foreign keys of the record tables are set aside, the tables are
// filled with COPY on several connections at once, and then everything is put back (indexes
// built in parallel, foreign keys validated in one pass each) and counted once. A load that
// fails midway leaves a half-loaded database: drop it and load again.
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
	s := &scale{pool: pool, ctx: ctx, n: n, progress: progress, teamOf: map[int64]int64{},
		now: time.Now().UTC().Truncate(time.Hour)}
	if err := s.people(hash); err != nil {
		return fmt.Errorf("seed scale: %w", err)
	}
	restore, err := s.setAside()
	if err != nil {
		return fmt.Errorf("seed scale: %w", err)
	}
	if err := s.load(); err != nil {
		return fmt.Errorf("seed scale (the load stopped midway: drop the database and load again): %w", err)
	}
	if err := restore(); err != nil {
		return fmt.Errorf("seed scale (the load stopped midway: drop the database and load again): %w", err)
	}
	// Counted once; fresh statistics so the first queries are planned as they will be in use;
	// a vacuum sets the visibility map, so index-only scans need not visit the tables.
	for _, step := range [][2]string{{"counts", "SELECT crm_recount()"},
		{"vacuum", "VACUUM (ANALYZE) accounts, contacts, leads, opportunities, activities, users, record_counts, activity_days, pipelines, pipeline_stages"}} {
		if err := s.step(step[0], func() error { _, err := pool.Exec(ctx, step[1]); return err }); err != nil {
			return fmt.Errorf("seed scale: %w", err)
		}
	}
	return nil
}

type scale struct {
	pool     *pgxpool.Pool
	ctx      context.Context
	n        int
	progress io.Writer
	now      time.Time
	users    []int64
	teamOf   map[int64]int64 // user -> team
	pipeline int64
	stages   []store.ListStagesRow
	// The rows each table received, for the rows of later tables to refer to: each is set before
	// the tables that read it are loaded.
	accounts, contacts, leads, opportunities ids
}

// people makes the teams, the demo users and 46 more (ten to a team), and the pipeline.
func (s *scale) people(hash string) error {
	tx, err := s.pool.Begin(s.ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(s.ctx) //nolint:errcheck
	d := &demo{ctx: s.ctx, tx: tx, q: db.Q, rnd: rand.New(rand.NewPCG(uint64(s.n), 7)), now: s.now}
	teams := map[string]int64{}
	for _, name := range scaleTeams {
		id, err := d.q.CreateTeam(s.ctx, tx, name)
		if err != nil {
			return err
		}
		teams[name] = id
	}
	users := append([]DemoUser{}, DemoUsers...)
	for i := len(users); i < 50; i++ {
		users = append(users, DemoUser{Email: fmt.Sprintf("user%02d@scale.test", i), Name: fmt.Sprintf("%s %s", pick(d.rnd, firstNames), pick(d.rnd, lastNames)),
			Role: "sales_rep", Team: scaleTeams[i%len(scaleTeams)]})
	}
	for _, u := range users {
		role, err := d.q.GetRoleByName(s.ctx, tx, u.Role)
		if err != nil {
			return err
		}
		team := teams[u.Team]
		id, err := d.q.CreateUser(s.ctx, tx, store.CreateUserParams{Email: u.Email, Name: u.Name, RoleID: role.ID, TeamID: &team,
			PasswordHash: hash, TimeZone: "UTC"})
		if err != nil {
			return err
		}
		s.users = append(s.users, id)
		s.teamOf[id] = team
	}
	if err := d.pipelineStages(); err != nil {
		return err
	}
	s.pipeline = d.pipeline
	if s.stages, err = d.q.ListStages(s.ctx, tx, s.pipeline); err != nil {
		return err
	}
	return tx.Commit(s.ctx)
}

// setAside switches off the record tables' per-row triggers (each row's team is set directly,
// and everything is counted once at the end) and drops their secondary indexes and foreign
// keys; the function it returns puts them all back as they were defined.
func (s *scale) setAside() (restore func() error, err error) {
	var undo []string // statements that put things back, in order
	rows, err := s.pool.Query(s.ctx, `
		SELECT 'DROP INDEX ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
		FROM pg_index i
		WHERE i.indrelid = ANY($1::regclass[]) AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
		UNION ALL
		SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
		       format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
		FROM pg_constraint c
		WHERE c.conrelid = ANY($1::regclass[]) AND c.contype = 'f'`, recordTables)
	if err != nil {
		return nil, err
	}
	type change struct{ Do, Undo string }
	changes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[change])
	if err != nil {
		return nil, err
	}
	for _, t := range recordTables {
		set := []string{t + "_team", t + "_count", t + "_created", t + "_automate"} // a load is not a thousand "created" entries, nor automations
		if t == "opportunities" {
			set = append(set, "opportunities_stage") // the rows carry what it would set
		}
		if t == "activities" {
			set = append(set, "activities_notify") // a load tells nobody anything
		}
		for _, trigger := range set {
			changes = append(changes, change{fmt.Sprintf("ALTER TABLE %s DISABLE TRIGGER %s", t, trigger),
				fmt.Sprintf("ALTER TABLE %s ENABLE TRIGGER %s", t, trigger)})
		}
	}
	for _, c := range changes {
		if _, err := s.pool.Exec(s.ctx, c.Do); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Do, err)
		}
		undo = append(undo, c.Undo)
	}
	return func() error {
		var bar *progressbar.ProgressBar
		if s.progress != nil {
			bar = progressbar.NewOptions(len(undo), progressbar.OptionSetWriter(s.progress), progressbar.OptionSetDescription("indexes, keys"),
				progressbar.OptionShowCount(), progressbar.OptionShowElapsedTimeOnFinish(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(s.progress) }))
		}
		// Indexes first (the foreign keys' checks use them), on two connections at once.
		return parallel(2, undo, func(sql string) error {
			conn, err := s.pool.Acquire(s.ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			if _, err := conn.Exec(s.ctx, "SET maintenance_work_mem = '512MB'"); err != nil {
				return err
			}
			if _, err := conn.Exec(s.ctx, sql); err != nil {
				return fmt.Errorf("%s: %w", sql, err)
			}
			if bar != nil {
				_ = bar.Add(1)
			}
			return nil
		})
	}, nil
}

// load fills the record tables with COPY, tables that do not refer to each other at once.
func (s *scale) load() (err error) {
	if s.accounts, err = s.copy("accounts", s.n/5, 1, s.account); err != nil {
		return err
	}
	if err := s.all(func() (err error) { s.contacts, err = s.copy("contacts", s.n, 1, s.contact); return err },
		func() (err error) { s.leads, err = s.copy("leads", s.n/2, 1, s.lead); return err }); err != nil {
		return err
	}
	if s.opportunities, err = s.copy("opportunities", s.n/2, 1, s.opportunity); err != nil {
		return err
	}
	_, err = s.copy("activities", s.n*5, 1, s.activity)
	return err
}

func (s *scale) account(r *rand.Rand, i int) []any {
	owner := s.owner(r)
	city := pick(r, cities)
	name := fmt.Sprintf("%s %s %d", pick(r, companyStarts), pick(r, companyEnds), i)
	return []any{owner, s.teamOf[owner], name, slug(name) + ".example", pick(r, industries),
		int32(5 + r.IntN(5000)), city[0], city[1], s.past(r, 730)}
}

func (s *scale) contact(r *rand.Rand, i int) []any {
	owner := s.owner(r)
	first, last := pick(r, firstNames), pick(r, lastNames)
	return []any{owner, s.teamOf[owner], s.accounts.at(r.IntN(s.accounts.n)), first, last,
		fmt.Sprintf("%s.%s.%d@scale.example", slug(first), slug(last), i), pick(r, titles), s.past(r, 730)}
}

var leadStatuses = []string{"new", "new", "contacted", "qualified", "unqualified"}

func (s *scale) lead(r *rand.Rand, i int) []any {
	owner := s.owner(r)
	first, last := pick(r, firstNames), pick(r, lastNames)
	return []any{owner, s.teamOf[owner], first, last, pick(r, companyStarts) + " " + pick(r, leadCompanyEnds),
		fmt.Sprintf("%s.%s.%d@lead.example", slug(first), slug(last), i), pick(r, LeadSources), pick(r, leadStatuses), s.past(r, 365)}
}

func (s *scale) opportunity(r *rand.Rand, i int) []any {
	owner := s.owner(r)
	st := s.stages[r.IntN(len(s.stages))]
	close := s.now.AddDate(0, 0, r.IntN(240)-60)
	var closed *time.Time
	if st.Kind != store.StageKindOpen {
		closed = &close
	}
	var reason string
	if st.Kind == store.StageKindLost {
		reason = lostReasons[i%len(lostReasons)]
	}
	return []any{owner, s.teamOf[owner], fmt.Sprintf("%s deal %d", pick(r, dealKinds), i), s.accounts.at(r.IntN(s.accounts.n)),
		s.contacts.at(r.IntN(s.contacts.n)), s.pipeline, st.ID, money(int64(1+r.IntN(200)) * 500),
		pgtype.Date{Time: close, Valid: true}, money(int64(i)), closed, reason, s.past(r, 365)}
}

var activityTypes = []string{"note", "call", "call", "email", "meeting", "task", "task"}

func (s *scale) activity(r *rand.Rand, i int) []any {
	owner := s.owner(r)
	t := pick(r, activityTypes)
	var due *time.Time
	if t == "task" {
		d := s.now.AddDate(0, 0, r.IntN(30)-10)
		due = &d
	}
	row := []any{owner, s.teamOf[owner], t, pick(r, subjects[store.ActivityType(t)]), due, nil, nil, nil, nil, s.past(r, 365)}
	x := []ids{s.accounts, s.contacts, s.opportunities, s.leads}[i%4]
	row[5+i%4] = x.at(r.IntN(x.n))
	return row
}

// columns are what each table's rows hold, in the order the row functions give them.
var columns = map[string][]string{
	"accounts": {"owner_id", "team_id", "name", "domain", "industry", "employees", "city", "country", "created_at"},
	"contacts": {"owner_id", "team_id", "account_id", "first_name", "last_name", "email", "title", "created_at"},
	"leads":    {"owner_id", "team_id", "first_name", "last_name", "company", "email", "source", "status", "created_at"},
	"opportunities": {"owner_id", "team_id", "name", "account_id", "contact_id", "pipeline_id", "stage_id",
		"amount", "close_date", "position", "closed_at", "lost_reason", "created_at"},
	"activities": {"owner_id", "team_id", "type", "subject", "due_at", "account_id", "contact_id", "opportunity_id", "lead_id", "created_at"},
}

func (s *scale) owner(r *rand.Rand) int64 { return s.users[r.IntN(len(s.users))] }

func (s *scale) past(r *rand.Rand, days int) time.Time {
	return s.now.Add(-time.Duration(r.IntN(days*24)) * time.Hour)
}

// ids are the identities COPY gave a table's new rows: consecutive from first.
type ids struct{ first, n int }

func (x ids) at(i int) int64 { return int64(x.first + i) }

// copy loads n generated rows into table with COPY, in batches, on parts connections at once
// (each part its own share of the rows and its own random numbers, so the same n gives the
// same data), and returns their ids.
func (s *scale) copy(table string, n, parts int, row func(r *rand.Rand, i int) []any) (ids, error) {
	var before int
	if err := s.pool.QueryRow(s.ctx, "SELECT coalesce(max(id), 0) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&before); err != nil {
		return ids{}, err
	}
	var bar *progressbar.ProgressBar
	if s.progress != nil {
		bar = progressbar.NewOptions(n, progressbar.OptionSetWriter(s.progress), progressbar.OptionSetDescription(fmt.Sprintf("%-13s", table)),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(s.progress) }))
	}
	const batch = 50_000
	share := (n + parts - 1) / parts
	jobs := make([]func() error, parts)
	for p := range parts {
		jobs[p] = func() error {
			r := rand.New(rand.NewPCG(uint64(s.n), uint64(len(table)*100+p)))
			for done := p * share; done < min(n, (p+1)*share); done += batch {
				size := min(batch, min(n, (p+1)*share)-done)
				rows := make([][]any, size)
				for i := range rows {
					rows[i] = row(r, done+i)
				}
				if _, err := s.pool.CopyFrom(s.ctx, pgx.Identifier{table}, columns[table], pgx.CopyFromRows(rows)); err != nil {
					return fmt.Errorf("copy %s: %w", table, err)
				}
				if bar != nil {
					_ = bar.Add(size)
				}
			}
			return nil
		}
	}
	if err := s.all(jobs...); err != nil {
		return ids{}, err
	}
	var first, last, count int
	if err := s.pool.QueryRow(s.ctx, "SELECT coalesce(min(id), 0), coalesce(max(id), -1), count(*) FROM "+pgx.Identifier{table}.Sanitize()+" WHERE id > $1", before).Scan(&first, &last, &count); err != nil {
		return ids{}, err
	}
	if count != n || last-first+1 != n {
		return ids{}, fmt.Errorf("copy %s: the new ids are not consecutive (another writer at work?)", table)
	}
	return ids{first: first, n: n}, nil
}

// all runs the jobs at once and returns the first error.
func (s *scale) all(jobs ...func() error) error {
	errs := make(chan error, len(jobs))
	for _, job := range jobs {
		go func() { errs <- job() }()
	}
	var first error
	for range jobs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// parallel runs fn on each item, at most n at once, and returns the first error.
func parallel(n int, items []string, fn func(string) error) error {
	work := make(chan string)
	errs := make(chan error, n)
	for range n {
		go func() {
			var first error
			for item := range work {
				if first == nil {
					first = fn(item)
				}
			}
			errs <- first
		}()
	}
	for _, item := range items {
		work <- item
	}
	close(work)
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// step runs one named step of the load and says how long it took.
func (s *scale) step(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	if s.progress != nil && err == nil {
		fmt.Fprintf(s.progress, "%-13s done in %s\n", name, time.Since(start).Round(100*time.Millisecond))
	}
	return err
}
