// Command crm is the CRM's one binary: crm serve | migrate | seed | user.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web"
)

const usage = `usage: crm <command> [flags]

commands:
  serve                         serve HTTP on CRM_ADDR (migrates first unless CRM_AUTO_MIGRATE=false)
  migrate [up|down|status]      apply, undo the last, or list migrations
  seed --demo                   add the demo company to an empty database and print its logins
  user create --email E --name N --role ROLE [--team T] --password-stdin
                                add a user (the first admin of a new install, say)

configuration comes from the environment; see README.md.
`

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if os.Getenv("CRM_LOG_FORMAT") == "json" {
		log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if err := run(os.Args[1:], log); err != nil {
		fmt.Fprintln(os.Stderr, "crm:", err)
		os.Exit(1)
	}
}

func run(args []string, log *slog.Logger) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command given")
	}
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrate(ctx, cfg, args[1:])
	case "seed":
		return seedCmd(ctx, cfg, args[1:])
	case "user":
		return userCmd(ctx, cfg, args[1:], os.Stdin)
	case "help", "-h", "--help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	// A small live heap collected at every doubling costs more CPU than it saves: collect at five
	// times the live heap, under a soft limit that keeps the process small (GOGC and GOMEMLIMIT
	// override both).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, cfg.MaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	if cfg.AutoMigrate {
		if err := db.Migrate(ctx, pool); err != nil {
			return err
		}
	}
	handler, stopBackground, err := web.New(pool, cfg.Web, log)
	if err != nil {
		return err
	}
	defer stopBackground()
	srv := &http.Server{
		Addr: cfg.Addr, Handler: handler,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
	}
	errs := make(chan error, 1)
	go func() { errs <- srv.ListenAndServe() }()
	if cfg.DebugAddr != "" {
		go func() { errs <- debugServer(cfg.DebugAddr).ListenAndServe() }()
		log.Info("serving pprof", "addr", cfg.DebugAddr)
	}
	url := cfg.Addr
	if strings.HasPrefix(url, ":") {
		url = "localhost" + url
	}
	log.Info("serving", "addr", cfg.Addr, "url", "http://"+url)
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
	}
	// Finish the requests in flight, then stop.
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func migrate(ctx context.Context, cfg config, args []string) error {
	pool, err := db.Open(ctx, cfg.DatabaseURL, cfg.MaxConns)
	if err != nil {
		return err
	}
	defer pool.Close()
	p, sqlDB, err := db.Migrator(pool)
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	cmd := "up"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "up":
		res, err := p.Up(ctx)
		for _, r := range res {
			fmt.Printf("applied %s (%s)\n", r.Source.Path, r.Duration.Round(time.Millisecond))
		}
		if err == nil && len(res) == 0 {
			fmt.Println("nothing to migrate: the database is up to date")
		}
		return err
	case "down":
		r, err := p.Down(ctx)
		if err == nil {
			fmt.Printf("undid %s\n", r.Source.Path)
		}
		return err
	case "status":
		st, err := p.Status(ctx)
		for _, s := range st {
			applied := "pending"
			if !s.AppliedAt.IsZero() {
				applied = "applied " + s.AppliedAt.Format(time.RFC3339)
			}
			fmt.Printf("%-40s %s\n", s.Source.Path, applied)
		}
		return err
	}
	return fmt.Errorf("migrate: unknown direction %q (use up, down or status)", cmd)
}

// config is every setting, read from the environment with the documented defaults.
type config struct {
	Addr         string // CRM_ADDR
	DatabaseURL  string // DATABASE_URL
	AutoMigrate  bool   // CRM_AUTO_MIGRATE
	DemoPassword string // CRM_DEMO_PASSWORD
	MaxConns     int    // CRM_DB_MAX_CONNS: the pool's size
	DebugAddr    string // CRM_DEBUG_ADDR: serve pprof here (e.g. 127.0.0.1:6060); off when empty
	Web          web.Config
}

func loadConfig() (config, error) {
	c := config{
		Addr:         env("CRM_ADDR", ":8080"),
		DatabaseURL:  os.Getenv("DATABASE_URL"),
		AutoMigrate:  env("CRM_AUTO_MIGRATE", "true") != "false",
		DemoPassword: env("CRM_DEMO_PASSWORD", "demo-password"),
		DebugAddr:    os.Getenv("CRM_DEBUG_ADDR"),
		Web:          web.Config{SecureCookies: env("CRM_SECURE_COOKIES", "false") == "true"},
	}
	if c.DatabaseURL == "" {
		return c, errors.New("DATABASE_URL is not set (make run starts a private PostgreSQL and sets it for you)")
	}
	var err error
	if c.MaxConns, err = strconv.Atoi(env("CRM_DB_MAX_CONNS", "16")); err != nil || c.MaxConns < 1 {
		return c, fmt.Errorf("CRM_DB_MAX_CONNS: %q is not a positive number", os.Getenv("CRM_DB_MAX_CONNS"))
	}
	if c.Web.SessionIdle, err = time.ParseDuration(env("CRM_SESSION_IDLE", "12h")); err != nil {
		return c, fmt.Errorf("CRM_SESSION_IDLE: %w", err)
	}
	if c.Web.SessionLifetime, err = time.ParseDuration(env("CRM_SESSION_LIFETIME", "168h")); err != nil {
		return c, fmt.Errorf("CRM_SESSION_LIFETIME: %w", err)
	}
	if p := os.Getenv("CRM_TRUSTED_PROXIES"); p != "" {
		c.Web.TrustedProxies = strings.Split(p, ",")
	}
	return c, nil
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// flagSet is a subcommand's flag set that reports errors instead of exiting.
func flagSet(name string) *flag.FlagSet { return flag.NewFlagSet(name, flag.ContinueOnError) }
