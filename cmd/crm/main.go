// Command crm is the CRM's one binary: crm serve | worker | migrate | seed | user.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // users' time zones, also in a container without a zone database

	"github.com/crm-team/crm/db"
)

const usage = `usage: crm <command> [flags]

commands:
  serve                         serve HTTP on CRM_ADDR (migrates first unless CRM_AUTO_MIGRATE=false),
                                with the automation worker unless CRM_WORKER=false
  worker                        run only the automation worker (any number of processes at once)
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
	case "worker":
		return worker(ctx, cfg, log)
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

func migrate(ctx context.Context, cfg config, args []string) error {
	pool, err := db.Open(ctx, cfg.DatabaseURL, db.Limits{})
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
		if err := db.MigrateQueue(ctx, pool); err != nil {
			return err
		}
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

// flagSet is a subcommand's flag set that reports errors instead of exiting.
func flagSet(name string) *flag.FlagSet { return flag.NewFlagSet(name, flag.ContinueOnError) }
