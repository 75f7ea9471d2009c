// Command bench measures the CRM as its users load it: it loads `crm seed --scale N`, starts the
// real server, signs in as a rep, a manager, an admin and a rep who owns 10 contacts, drives
// every main page with concurrent clients for a fixed time, and runs each page's SQL alone
// through pgx beside it. `make bench` runs it; README.md explains the figures.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web"
)

// config comes from the environment; see `make help` and README.md.
type config struct {
	Scales      []int         // BENCH_SCALE: comma-separated contact counts (default 100000)
	Duration    time.Duration // BENCH_DURATION: measured time per page (default 2s)
	Concurrency int           // BENCH_CONCURRENCY: clients at once (default 8)
	Roles       []string      // BENCH_ROLES: rep,manager,admin,solo
	Pages       *regexp.Regexp
	OutDir      string // BENCH_OUT: where the JSON and Markdown go (default .bench)
	Binary      string // CRM_BIN: the server binary (default bin/crm)
	DatabaseURL string // DATABASE_URL: measure this database instead of the private cluster's
	ClusterURL  string // BENCH_CLUSTER_URL: the private cluster, set by make
	Profiles    string // BENCH_PROFILES: save a CPU profile of the server under each page's load here
	// To measure another build (CRM_BIN) on its own schema: BENCH_MIGRATE=false leaves the
	// database as that build made it, BENCH_SQL_ALONE=false skips what needs this build's SQL.
	Migrate  bool
	SQLAlone bool
	ShowSQL  bool   // BENCH_SHOW_SQL: print the statements of each page
	Explain  string // BENCH_EXPLAIN: "time" or "full": EXPLAIN each page's SQL instead of loading it
	Password string // CRM_DEMO_PASSWORD
}

func main() {
	cfg, err := loadConfig()
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		err = run(ctx, cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func loadConfig() (config, error) {
	c := config{Duration: 2 * time.Second, Concurrency: 8, OutDir: env("BENCH_OUT", ".bench"), Binary: env("CRM_BIN", "bin/crm"),
		DatabaseURL: os.Getenv("DATABASE_URL"), ClusterURL: os.Getenv("BENCH_CLUSTER_URL"), Profiles: os.Getenv("BENCH_PROFILES"),
		ShowSQL: os.Getenv("BENCH_SHOW_SQL") != "", Explain: os.Getenv("BENCH_EXPLAIN"),
		Password: env("CRM_DEMO_PASSWORD", "demo-password"), Roles: strings.Split(env("BENCH_ROLES", "rep,manager,admin,solo"), ","),
		Migrate: env("BENCH_MIGRATE", "true") != "false", SQLAlone: env("BENCH_SQL_ALONE", "true") != "false"}
	for _, s := range strings.Split(env("BENCH_SCALE", "100000"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1000 {
			return c, fmt.Errorf("BENCH_SCALE: %q is not a contact count of at least 1000", s)
		}
		c.Scales = append(c.Scales, n)
	}
	var err error
	if v := os.Getenv("BENCH_DURATION"); v != "" {
		if c.Duration, err = time.ParseDuration(v); err != nil {
			return c, fmt.Errorf("BENCH_DURATION: %w", err)
		}
	}
	if v := os.Getenv("BENCH_CONCURRENCY"); v != "" {
		if c.Concurrency, err = strconv.Atoi(v); err != nil || c.Concurrency < 1 {
			return c, fmt.Errorf("BENCH_CONCURRENCY: %q is not a positive number", v)
		}
	}
	if c.Pages, err = regexp.Compile(os.Getenv("BENCH_PAGES")); err != nil {
		return c, fmt.Errorf("BENCH_PAGES: %w", err)
	}
	if c.DatabaseURL == "" && c.ClusterURL == "" {
		return c, fmt.Errorf("set DATABASE_URL, or run through make bench, which starts the private cluster")
	}
	if c.DatabaseURL != "" && len(c.Scales) > 1 {
		return c, fmt.Errorf("with DATABASE_URL, measure one scale at a time")
	}
	return c, os.MkdirAll(c.OutDir, 0o755)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, cfg config) error {
	for _, n := range cfg.Scales {
		rep, err := benchScale(ctx, cfg, n)
		if err != nil {
			return fmt.Errorf("scale %d: %w", n, err)
		}
		if err := rep.write(cfg.OutDir); err != nil {
			return err
		}
	}
	return printGrowth(cfg.OutDir)
}

// benchScale measures every page at one scale.
func benchScale(ctx context.Context, cfg config, n int) (*Report, error) {
	dbURL, err := database(ctx, cfg, n)
	if err != nil {
		return nil, err
	}
	seedTime, err := loadScale(ctx, cfg, dbURL, n, cfg.Migrate)
	if err != nil {
		return nil, err
	}
	pool, err := db.Open(ctx, dbURL, db.Limits{})
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	defer cleanup(context.Background(), pool) //nolint:errcheck // the next run cleans up again
	var active []role
	for _, r := range roles {
		for _, name := range cfg.Roles {
			if r.Name == name {
				active = append(active, r)
			}
		}
	}
	if err := fixtures(ctx, pool); err != nil {
		return nil, err
	}
	for i := range active {
		if err := pool.QueryRow(ctx, "SELECT id FROM users WHERE email = $1", active[i].Email).Scan(&active[i].ID); err != nil {
			return nil, fmt.Errorf("user %s: %w", active[i].Email, err)
		}
	}

	rep := &Report{Scale: n, When: time.Now().UTC(), Concurrency: cfg.Concurrency, DurationS: cfg.Duration.Seconds(),
		SeedSeconds: seedTime.Seconds(), Machine: machine(ctx, pool)}
	srv, err := startServer(ctx, cfg, dbURL)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	rep.StartupMs = float64(srv.Startup.Microseconds()) / 1000
	fmt.Printf("Server up in %.0f ms. %d clients, %s a page.\n", rep.StartupMs, cfg.Concurrency, cfg.Duration)

	var capture *capture
	if cfg.SQLAlone {
		if capture, err = newCapture(ctx, dbURL); err != nil {
			return nil, err
		}
		defer capture.close()
	}
	replayPool, err := openPool(ctx, dbURL, cfg.Concurrency, nil)
	if err != nil {
		return nil, err
	}
	defer replayPool.Close()
	httpc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Concurrency * 2, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}

	printHeader()
	for _, r := range active {
		rows, err := benchRole(ctx, cfg, pool, replayPool, httpc, srv, capture, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		rep.Rows = append(rep.Rows, rows...)
	}
	if rep.PeakRSSMB, err = srv.peakRSS(); err != nil {
		return nil, err
	}
	if cfg.Pages.MatchString("export") {
		if rep.Export, err = measureExport(ctx, cfg, srv); err != nil {
			return nil, err
		}
		fmt.Printf("Export of %d contacts as admin: %.0f MB in %.1f s; peak RSS %.1f MB before, %.1f MB after.\n",
			rep.Export.Rows, rep.Export.MB, rep.Export.Seconds, rep.Export.PeakBeforeMB, rep.Export.PeakAfterMB)
	}
	return rep, nil
}

// benchRole signs a role in to both servers, finds its records and measures its pages.
func benchRole(ctx context.Context, cfg config, pool, replayPool *pgxpool.Pool, httpc *http.Client, srv *server, capt *capture, r role) ([]Row, error) {
	c, err := login(ctx, httpc, srv.URL, r.Email, cfg.Password)
	if err != nil {
		return nil, err
	}
	var cc *client
	if capt != nil {
		if cc, err = login(ctx, httpc, capt.URL, r.Email, cfg.Password); err != nil {
			return nil, err
		}
	}
	x, err := findRecords(ctx, pool, r, cfg.Concurrency+1)
	if err != nil {
		return nil, err
	}
	deep := map[string]string{}
	for _, l := range listViews {
		if deep[l.entity], err = c.deepPage(ctx, "/"+l.entity); err != nil {
			return nil, err
		}
	}
	var rows []Row
	for _, p := range pagesFor(r, x, deep, cfg.Concurrency) {
		if !cfg.Pages.MatchString(p.Name) {
			continue
		}
		if p.prepare != nil {
			if err := p.prepare(ctx, pool); err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
		}
		var stmts []statement
		if capt != nil {
			if stmts, err = capt.record(ctx, cc, p, cfg.Concurrency); err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name, err)
			}
		}
		if cfg.ShowSQL {
			printStatements(p.Name, stmts)
		}
		if cfg.Explain != "" {
			if err := explain(ctx, pool, r.Name+": "+p.Name, stmts, cfg.Explain == "full"); err != nil {
				return nil, err
			}
			continue
		}
		row := Row{Role: r.Name, Page: p.Name, Kind: p.Kind, Statements: countStatements(stmts)}
		stopProfile := srv.profile(cfg, r.Name+"-"+p.Name)
		row.HTTP = load(ctx, cfg.Concurrency, cfg.Duration, func(ctx context.Context, w int) error { return c.do(ctx, p, w) })
		if err := stopProfile(); err != nil {
			return nil, err
		}
		if capt != nil {
			row.SQL = load(ctx, cfg.Concurrency, cfg.Duration, func(ctx context.Context, w int) error {
				return replay(ctx, replayPool, stmts, p.Rollback)
			})
		}
		row.judge()
		printRow(row)
		rows = append(rows, row)
		if p.Kind == kindMutation {
			if err := cleanup(ctx, pool); err != nil {
				return nil, err
			}
		}
	}
	return rows, ctx.Err()
}

// capture is the application in this process on a traced pool, to see which SQL a page sends.
type capture struct {
	rec  *recorder
	pool *pgxpool.Pool
	srv  *httptest.Server
	stop func()
	URL  string
}

func newCapture(ctx context.Context, dbURL string) (*capture, error) {
	rec := &recorder{}
	pool, err := openPool(ctx, dbURL, 4, rec)
	if err != nil {
		return nil, err
	}
	h, stop, err := web.New(pool, web.Config{SessionIdle: 12 * time.Hour, SessionLifetime: 168 * time.Hour},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		pool.Close()
		return nil, err
	}
	srv := httptest.NewServer(h)
	return &capture{rec: rec, pool: pool, srv: srv, stop: stop, URL: srv.URL}, nil
}

// record requests the page once to warm it, then once more, keeping the SQL it sends. The
// worker number past the load's workers gives mutations their own record.
func (cp *capture) record(ctx context.Context, c *client, p *page, workers int) ([]statement, error) {
	if err := c.do(ctx, p, workers); err != nil {
		return nil, err
	}
	cp.rec.start()
	err := c.do(ctx, p, workers)
	stmts := cp.rec.stop()
	return stmts, err
}

func (cp *capture) close() {
	cp.srv.Close()
	cp.stop()
	cp.pool.Close()
}

func openPool(ctx context.Context, dbURL string, conns int, rec *recorder) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	pc.MaxConns = int32(conns)
	pc.ConnConfig.RuntimeParams["jit"] = "off" // as the server's pool (db.Open)
	if rec != nil {
		pc.ConnConfig.Tracer = rec
	}
	return pgxpool.NewWithConfig(ctx, pc)
}

func countStatements(stmts []statement) int {
	n := 0
	for _, s := range stmts {
		n += max(1, len(s.Batch))
	}
	return n
}
